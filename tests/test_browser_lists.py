"""A real browser (Debian's headless Chromium) works in the trade list: sorts it by a heading, reads
its totals, selects every trade on the page (and one less) and tags them in bulk; on a phone without
JavaScript ticks two trades and moves them to an account; then reads the overview's weekly totals and
R and tag panels. Every page fits 390 and 1280 px. Screenshots go to tests/screenshots/lists/."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.live import BROWSER_TEST, DESKTOP, PHONE, SCREENSHOTS, Api, look, open_page, sign_in, sign_up

pytestmark = BROWSER_TEST


def seed(api: Api) -> tuple[dict, dict]:
    main = api.post("/accounts", {"name": "Main", "currency": "USD"})
    prop = api.post("/accounts", {"name": "Prop", "currency": "USD"})
    start = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)
    for i in range(32):
        entry = start + timedelta(hours=17 * i)
        api.post("/trades", {
            "instrument": ["ES", "NQ", "AAPL"][i % 3], "side": ["long", "short"][i % 2], "quantity": 1 + i % 3,
            "entry_time": entry.isoformat(), "entry_price": 100, "exit_time": (entry + timedelta(minutes=20 + i)).isoformat(),
            "exit_price": 100 + (i * 5) % 9 - 4, "commission": 1.25, "setup_type": ["breakout", "fade"][i % 2],
            "account": main["id"], "tags": ["Momentum"] if i % 3 == 0 else [], "initial_risk": 10,
        })  # fmt: skip
    return main, prop


def shown_ids(page) -> list[int]:
    return [int(pk) for pk in page.eval_on_selector_all("tr[data-trade]", "rows => rows.map(r => r.dataset.trade)")]


def test_sort_total_and_edit_trades_in_bulk_on_a_laptop_and_a_phone(browser, live_site):
    with live_site.serve(workers=1) as base_url:
        with open_page(browser, base_url, viewport=DESKTOP) as page:
            sign_up(page, base_url, "list-trader")
            api = Api(base_url, live_site.create_key("list-trader"))
            main, prop = seed(api)
            page.goto(f"{base_url}/dashboard/trades/")
            look(page, "lists/trades", PHONE, DESKTOP)

            # Net P&L, highest first, then lowest first: the API's trades in that order.
            page.click("th[data-sort=net_pnl] a")
            page.wait_for_url("**sort=-net_pnl*")
            every = api.read("trades", per_page=100)["data"]
            by_pnl = sorted(every, key=lambda row: (Decimal(str(row["net_pnl"])), row["id"]), reverse=True)
            assert shown_ids(page) == [row["id"] for row in by_pnl][:25]
            assert page.get_attribute("th[data-sort=net_pnl]", "aria-sort") == "descending"
            page.click("th[data-sort=net_pnl] a")
            page.wait_for_url("**sort=net_pnl*")
            assert shown_ids(page) == [row["id"] for row in reversed(by_pnl)][:25]

            # The totals are every trade's, not the page's: /stats' own figures.
            stats = api.read("stats")
            totals = page.locator("#totals")
            assert totals.get_attribute("data-trades") == "32"
            assert Decimal(totals.get_attribute("data-net-pnl")) == Decimal(str(stats["net_pnl"]))
            assert Decimal(totals.get_attribute("data-commission")) == Decimal(str(stats["total_commission"]))

            # Select all on this page, untick one: the 24 still ticked get the tag.
            page.check("#select-page")
            assert page.eval_on_selector_all("input[name=trade]", "boxes => boxes.every(b => b.checked)")
            page_ids = shown_ids(page)
            page.uncheck(f"tr[data-trade='{page_ids[0]}'] input[name=trade]")
            assert not page.is_checked("#select-page")
            page.fill("#bulk-tag", "Reviewed")
            page.press("#bulk-tag", "Enter")
            page.wait_for_url("**sort=net_pnl*")
            assert "Tag “Reviewed” added to 24 trades." in page.text_content(".messages")
            tagged = api.read("trades", tag="reviewed", per_page=100)["data"]
            assert sorted(row["id"] for row in tagged) == sorted(page_ids[1:])
            look(page, "lists/trades-tagged", PHONE, DESKTOP)

            # Enter in the setup field sets the setup (not the form's first button, Add tag).
            page.check(f"tr[data-trade='{page_ids[0]}'] input[name=trade]")
            page.fill("#bulk-setup", "Opening drive")
            page.press("#bulk-setup", "Enter")
            page.wait_for_selector(".messages >> text=Setup set to")
            assert "Setup set to “Opening drive” on 1 trade." in page.text_content(".messages")
            assert api.read(f"trades/{page_ids[0]}")["setup_type"] == "Opening drive"

        # A phone without JavaScript: tick two trades, move them to Prop.
        with open_page(browser, base_url, viewport=PHONE, java_script_enabled=False) as page:
            sign_in(page, base_url, "list-trader")
            page.goto(f"{base_url}/dashboard/trades/?instrument=nq")
            first, second = shown_ids(page)[:2]
            page.check(f"tr[data-trade='{first}'] input[name=trade]")
            page.check(f"tr[data-trade='{second}'] input[name=trade]")
            page.fill("#bulk-setup", "ignored: another button is pressed")
            page.select_option("#bulk-account", str(prop["id"]))
            page.click("button[value=account]")
            page.wait_for_url("**instrument=nq")
            assert "2 trades moved to Prop (USD)." in page.text_content(".messages")
            moved = api.read("trades", account=prop["id"])["data"]
            assert sorted(row["id"] for row in moved) == sorted([first, second])
            look(page, "lists/trades-nojs")

        # The overview: weekly totals beside the days, R and hold time, setups beside tags.
        with open_page(browser, base_url, viewport=PHONE) as page:
            sign_in(page, base_url, "list-trader")
            page.goto(f"{base_url}/dashboard/?account={main['id']}&month=2025-03")
            calendar = api.read("stats/calendar", account=main["id"], month="2025-03")
            weeks = page.eval_on_selector_all("td.week-total", "cells => cells.map(c => c.dataset.weekNetPnl)")
            assert sum(Decimal(week) for week in weeks) == Decimal(str(calendar["net_pnl"]))
            risk = api.read("stats/risk", account=main["id"])
            assert Decimal(page.get_attribute("#risk [data-figure=avg_r]", "data-value")) == Decimal(str(risk["avg_r"]))
            look(page, "lists/overview", PHONE, DESKTOP)
            for panel in ("#calendar", "#risk", "#by-setup_type", "#by-tag", "#by-hold_time"):
                page.locator(panel).screenshot(path=SCREENSHOTS / "lists" / f"{panel.lstrip('#')}-1280.png")
