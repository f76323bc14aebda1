"""A real browser (Debian's headless Chromium) keeps a journal on the web: adds a trade, edits it,
deletes it after the confirmation, and manages accounts and tags; every page fits a phone and a
laptop screen (no horizontal overflow). Screenshots go to tests/screenshots/trades/ (not committed)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.live import BROWSER_TEST, DESKTOP, PHONE, Api, look, open_page, sign_up

pytestmark = BROWSER_TEST


def seed(api: Api) -> dict:
    account = api.post("/accounts", {"name": "Main", "broker": "IBKR", "currency": "USD", "starting_balance": 25000})
    api.post("/tags", {"name": "Momentum", "color": "#1f77b4"})
    start = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)
    for i in range(30):
        entry = start + timedelta(hours=5 * i)
        api.post("/trades", {
            "instrument": ["ES", "BTCUSDT", "AAPL"][i % 3], "side": ["long", "short"][i % 2], "quantity": 1 + i % 3,
            "entry_time": entry.isoformat(), "entry_price": 100 + i, "exit_time": (entry + timedelta(hours=1)).isoformat(),
            "exit_price": 100 + i + (-3 if i % 4 == 0 else 2), "commission": 1.25, "setup_type": "breakout",
            "account": account["id"] if i % 2 else None, "tags": ["Momentum"] if i % 3 == 0 else [],
        })  # fmt: skip
    return account


def test_add_edit_and_delete_a_trade_and_every_page_fits(browser, live_site):
    with live_site.serve(workers=1) as base_url, open_page(browser, base_url) as page:
        sign_up(page, base_url, "web-trader")
        api = Api(base_url, live_site.create_key("web-trader"))
        account = seed(api)

        # The list: the API's first page, newest first.
        page.click("nav >> text=Trades")
        page.wait_for_url(f"{base_url}/dashboard/trades/")
        listed = api.get("/trades").json()
        assert page.text_content("#trade-count").split()[0] == str(listed["total"]) == "30"
        shown = [
            int(pk) for pk in page.eval_on_selector_all("tr[data-trade]", "rows => rows.map(r => r.dataset.trade)")
        ]
        assert shown == [row["id"] for row in listed["data"]]

        # Add a trade.
        page.click("text=Add a trade")
        page.fill("#id_instrument", "nq")
        page.check("#id_side_1")  # short
        page.fill("#id_quantity", "2")
        page.fill("#id_multiplier", "20")
        page.fill("#id_entry_time", "2025-04-01T15:30")
        page.fill("#id_entry_price", "18000.25")
        page.fill("#id_exit_time", "2025-04-01T15:45")
        page.fill("#id_exit_price", "17990")
        page.fill("#id_commission", "4")
        page.select_option("#id_account", str(account["id"]))
        page.check("input[name=tags][value=Momentum]")
        page.fill("#id_new_tags", "Opening drive")
        page.fill("#id_notes", "Faded the open.")
        page.click("#trade-form button[type=submit]")
        page.wait_for_url(f"{base_url}/dashboard/trades/*/")
        trade_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
        assert "saved" in page.text_content(".messages")
        body = api.get(f"/trades/{trade_id}").json()
        assert (body["instrument"], body["side"], Decimal(str(body["net_pnl"])), body["tags"]) == (
            "NQ", "short", Decimal("406"), ["Momentum", "Opening drive"])  # fmt: skip
        assert page.text_content("#net-pnl").strip() == "+406.00"

        # A refused edit shows the API's message, in words, next to the field; then a good one saves.
        page.click("a.button:has-text('Edit')")
        page.fill("#id_exit_time", "2025-04-01T15:00")
        page.click("#trade-form button[type=submit]")
        assert "The exit time must be a date after or equal to entry time." in page.text_content("#exit_time-errors")
        assert page.get_attribute("#id_exit_time", "aria-describedby") == "exit_time-errors"
        page.fill("#id_exit_time", "2025-04-01T16:00")
        page.fill("#id_exit_price", "18010.25")
        page.click("#trade-form button[type=submit]")
        page.wait_for_url(f"{base_url}/dashboard/trades/{trade_id}/")
        assert "updated" in page.text_content(".messages")
        assert page.text_content("#net-pnl").strip() == "\u2212404.00"
        assert Decimal(str(api.get(f"/trades/{trade_id}").json()["net_pnl"])) == Decimal("-404")

        # Every page, on a laptop and on a phone.
        pages = {
            "list": "/dashboard/trades/", "list-page-2": "/dashboard/trades/?page=2",
            "list-bad-filter": "/dashboard/trades/?from=2025-04-02&to=2025-04-01", "trade": f"/dashboard/trades/{trade_id}/",
            "new": "/dashboard/trades/new/", "edit": f"/dashboard/trades/{trade_id}/edit/",
            "delete": f"/dashboard/trades/{trade_id}/delete/", "accounts": "/dashboard/accounts/",
            "account-edit": f"/dashboard/accounts/{account['id']}/edit/", "tags": "/dashboard/tags/",
        }  # fmt: skip
        for name, path in pages.items():
            page.goto(f"{base_url}{path}")
            look(page, f"trades/{name}", DESKTOP, PHONE)
        page.set_viewport_size(PHONE)
        page.goto(f"{base_url}/dashboard/trades/new/")
        page.click("#trade-form button[type=submit]")
        look(page, "trades/new-refused")

        # Delete, after the confirmation.
        page.goto(f"{base_url}/dashboard/trades/{trade_id}/")
        page.click("a.button:has-text('Delete')")
        page.wait_for_url(f"{base_url}/dashboard/trades/{trade_id}/delete/")
        assert f"Delete trade {trade_id}?" in page.text_content("h1")
        assert api.get(f"/trades/{trade_id}").status_code == 200  # asking deletes nothing
        page.click("button:has-text('Delete')")
        page.wait_for_url(f"{base_url}/dashboard/trades/")
        assert "deleted" in page.text_content(".messages")
        assert api.get(f"/trades/{trade_id}").status_code == 404

        # An account holding trades is kept, with the API's message.
        page.goto(f"{base_url}/dashboard/accounts/{account['id']}/delete/")
        page.click("button:has-text('Delete')")
        page.wait_for_url(f"{base_url}/dashboard/accounts/")
        assert "still holds trades" in page.text_content(".messages")
        look(page, "trades/accounts-409")


def test_tags_are_created_renamed_and_deleted_without_javascript(browser, live_site):
    with (
        live_site.serve(workers=1) as base_url,
        open_page(browser, base_url, viewport=PHONE, java_script_enabled=False) as page,
    ):
        sign_up(page, base_url, "tag-trader")
        api = Api(base_url, live_site.create_key("tag-trader"))
        trade = api.post("/trades", {"instrument": "ES", "side": "long", "quantity": 1, "entry_time": "2025-03-03T14:30:00Z",
                                     "entry_price": 100, "tags": ["momo"]})  # fmt: skip

        page.goto(f"{base_url}/dashboard/tags/")
        page.fill("#id_name", "MOMO")
        page.click("#tag-form button[type=submit]")
        assert "You already have a tag named 'MOMO'." in page.text_content("#name-errors")
        page.fill("#id_name", "Fade")
        page.fill("#id_color", "#AA3300")
        page.click("#tag-form button[type=submit]")
        assert "Tag “Fade” created." in page.text_content(".messages")
        look(page, "trades/tags-nojs")

        page.click("a[aria-label='Rename momo']")
        page.fill("#id_name", "Momentum")
        page.click("#tag-form button[type=submit]")
        assert "Tag “Momentum” saved." in page.text_content(".messages")
        assert api.get(f"/trades/{trade['id']}").json()["tags"] == ["Momentum"]

        page.click("a[aria-label='Delete Momentum']")
        assert "it comes off 1 trade" in page.text_content("main")
        page.click("button:has-text('Delete')")
        assert "Tag “Momentum” deleted." in page.text_content(".messages")
        assert api.get(f"/trades/{trade['id']}").json()["tags"] == []


def test_the_multiplier_hint_follows_the_instrument_as_it_is_typed(browser, live_site):
    with live_site.serve(workers=1) as base_url, open_page(browser, base_url, viewport=PHONE) as page:
        sign_up(page, base_url, "hint-reader")
        page.goto(f"{base_url}/dashboard/trades/new/")
        assert "ES 50, NQ 20" in page.text_content("#multiplier-help")
        page.fill("#id_instrument", "cl")
        page.wait_for_function("document.getElementById('multiplier-help').textContent.includes('CL takes 1000')")
        assert page.get_attribute("#id_multiplier", "placeholder") == "1000"
        page.fill("#id_instrument", "AAPL")
        page.wait_for_function("document.getElementById('multiplier-help').textContent.includes('AAPL takes 1.')")
        assert page.get_attribute("#id_multiplier", "placeholder") == "1"
        look(page, "trades/new-hint", PHONE, DESKTOP)
