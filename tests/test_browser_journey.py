"""A trader's first hour, in Chromium on a live gunicorn with a real task worker: sign up, make a key,
add an account, import a real broker file and watch it finish, find the trades, open one and edit
it, then filter the overview by the account and read the API's own curve and calendar there.
Every page is looked at on a phone and a desktop: screenshots in tests/screenshots/journey/ (not
committed), and no page wider than the window."""

from decimal import Decimal
from pathlib import Path

from tests.live import BROWSER_TEST, DESKTOP, PHONE, Api, look, open_page, sign_up

pytestmark = BROWSER_TEST

SAMPLE = Path(__file__).parent / "data" / "imports" / "tradovate_positions" / "position_history.csv"


def data(page, selector: str, *names: str) -> list[tuple[str, ...]]:
    return [tuple(row.get_attribute(f"data-{name}") for name in names) for row in page.locator(selector).all()]


def test_a_new_trader_imports_a_broker_file_and_reads_the_journal_the_api_describes(browser, live_site):
    with (
        live_site.serve(workers=2, API_KEY_RATE_LIMIT="1000000/minute") as base_url,
        live_site.worker(),
        open_page(browser, base_url) as page,
    ):
        sign_up(page, base_url, "journey")
        assert page.is_visible("#empty-journal")
        look(page, "journey/overview-empty", PHONE, DESKTOP)

        # A key with the scopes the dashboard offers by default: enough to write and read.
        page.click("nav >> text=API keys")
        page.fill("#id_name", "journey")
        page.click("#generate-form button[type=submit]")
        key = page.text_content("#new-api-key").strip()
        look(page, "journey/keys", PHONE, DESKTOP)
        for size in (PHONE, DESKTOP):  # the whole row in view, Revoke included, without scrolling the table
            page.set_viewport_size(size)
            box = page.locator("#keys .danger").first.bounding_box()
            assert box["x"] + box["width"] <= size["width"], f"Revoke is cut off at {size['width']} px"
        api = Api(base_url, key)

        page.click("nav >> text=Accounts")
        page.fill("#id_name", "Tradovate")
        page.fill("#id_broker", "Tradovate")
        page.fill("#id_starting_balance", "10000")
        page.click("#account-form button[type=submit]")
        assert "Tradovate" in page.text_content(".messages")
        (account,) = api.read("accounts")["data"]
        assert (account["name"], account["currency"], Decimal(str(account["starting_balance"]))) == (
            "Tradovate", "USD", Decimal(10000)
        )  # fmt: skip
        look(page, "journey/accounts", PHONE, DESKTOP)

        # The import runs in the worker; the page follows it to its report.
        page.click("nav >> text=Import")
        page.set_input_files("#id_file", SAMPLE)
        page.select_option("#id_account", str(account["id"]))
        page.click("#import-form button[type=submit]")
        page.wait_for_url(f"{base_url}/dashboard/imports/*/")
        page.locator("#import-report").wait_for(timeout=300_000)
        import_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
        report = api.read(f"imports/{import_id}")
        assert report["status"] == "succeeded" and report["trades_created"] > 0
        assert int(page.text_content("#import-report dd[data-field=trades_created]")) == report["trades_created"]
        look(page, "journey/import-report", PHONE, DESKTOP)

        # The trades, as the API lists them, newest first.
        trades = api.read("trades")
        assert trades["total"] == report["trades_created"]
        page.click("nav >> text=Trades")
        assert page.locator("table.trades a.instrument").all_text_contents() == [
            t["instrument"] for t in trades["data"]
        ]
        look(page, "journey/trades", PHONE, DESKTOP)
        page.locator("table.trades a.instrument").first.click()
        newest = trades["data"][0]
        page.wait_for_url(f"{base_url}/dashboard/trades/{newest['id']}/")
        shown = page.text_content("[data-field=net_pnl]").strip().replace("\u2212", "-").replace(",", "")
        assert Decimal(shown) == Decimal(str(newest["net_pnl"]))
        look(page, "journey/trade", PHONE, DESKTOP)

        page.click("main >> text=Edit")
        page.fill("#id_setup_type", "opening drive")
        page.fill("#id_notes", "Chased the open; size down next time.")
        page.click("#trade-form button[type=submit]")
        page.wait_for_url(f"{base_url}/dashboard/trades/{newest['id']}/")
        edited = api.read(f"trades/{newest['id']}")
        assert (edited["setup_type"], edited["notes"]) == ("opening drive", "Chased the open; size down next time.")
        assert edited["net_pnl"] == newest["net_pnl"]  # prices untouched, P&L too
        assert "opening drive" in page.text_content("[data-field=setup_type]")

        # A hand-entered trade in no account, so that the account filter has something to leave out.
        api.post("trades", {
            "instrument": "AAPL", "side": "long", "quantity": 10, "entry_price": 100, "exit_price": 90,
            "entry_time": edited["entry_time"], "exit_time": edited["exit_time"],
        })  # fmt: skip

        page.click("nav >> text=Overview")
        page.select_option("#id_account", str(account["id"]))
        page.click("text=Apply filters")
        page.wait_for_url(f"{base_url}/dashboard/?*account={account['id']}*")
        stats = api.read("stats", account=account["id"])
        assert Decimal(page.get_attribute("[data-figure=net_pnl]", "data-value")) == Decimal(str(stats["net_pnl"]))
        equity = api.read("stats/equity", account=account["id"], interval="trade")
        assert [(d, Decimal(e)) for d, e in data(page, "#equity-points tr[data-date]", "date", "equity")] == [
            (point["time"], Decimal(str(point["equity"]))) for point in equity["points"]
        ]
        assert Decimal(str(equity["points"][-1]["equity"])) == Decimal(10000) + Decimal(str(stats["net_pnl"]))
        month = page.get_attribute("#calendar", "data-month")
        calendar = api.read("stats/calendar", account=account["id"], month=month)
        assert [(d, Decimal(p), int(n)) for d, p, n in data(page, "#calendar td[data-trades]", "date", "net-pnl", "trades")] == [
            (day["date"], Decimal(str(day["net_pnl"])), day["total_trades"]) for day in calendar["days"]
        ]  # fmt: skip
        assert calendar["days"], "the month shown holds the imported trades"
        look(page, "journey/overview-by-account", PHONE, DESKTOP)
