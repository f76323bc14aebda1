"""In a real browser (Debian's headless Chromium): sign-up selects the browser's own time zone (UTC
without JavaScript), and the overview's calendar then takes days in it, as the API does for the
trader's keys."""

from tests.live import BROWSER_TEST, PASSWORD, Api, open_page

pytestmark = BROWSER_TEST


def test_sign_up_selects_the_browsers_zone_and_the_overview_takes_days_in_it(browser, live_site):
    with live_site.serve(workers=1) as base_url:
        with open_page(browser, base_url, timezone_id="Asia/Kathmandu") as page:
            page.goto(f"{base_url}/accounts/signup/")
            assert page.input_value("#id_time_zone") == "Asia/Kathmandu"
            page.fill("#id_username", "nepal-trader")
            page.fill("#id_password1", PASSWORD)
            page.fill("#id_password2", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base_url}/dashboard/")
            api = Api(base_url, live_site.create_key("nepal-trader"))
            # 18:20 UTC on 3 March is 00:05 on the 4th in Kathmandu (+5:45).
            api.post("/trades", {"instrument": "NVDA", "side": "long", "quantity": 1, "entry_price": 100,
                                 "exit_price": 104, "entry_time": "2025-03-03T15:00:00Z",
                                 "exit_time": "2025-03-03T18:20:00Z"})  # fmt: skip
            days = api.get("/stats/calendar?month=2025-03").json()
            assert (days["tz"], [day["date"] for day in days["days"]]) == ("Asia/Kathmandu", ["2025-03-04"])
            page.goto(f"{base_url}/dashboard/?month=2025-03")
            shown = page.eval_on_selector_all("td[data-trades]", "cells => cells.map(c => c.dataset.date)")
            assert shown == ["2025-03-04"]
        with open_page(browser, base_url, timezone_id="Asia/Kathmandu", java_script_enabled=False) as page:
            page.goto(f"{base_url}/accounts/signup/")
            assert page.input_value("#id_time_zone") == "UTC"
