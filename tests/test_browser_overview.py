"""A real browser (Debian's headless Chromium) on the Overview: a journal in two currencies, filtered by
account in the filter bar, shows the API's curve and calendar, fits a phone and a desktop, and works
without JavaScript. Screenshots go to tests/screenshots/overview/ (not committed)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.live import BROWSER_TEST, PHONE, SCREENSHOTS, Api, look, open_page, sign_in, sign_up

pytestmark = BROWSER_TEST


def fill_journal(api: Api) -> int:
    """A USD account with a starting balance and five weeks of trades (a loss first, a Sunday one),
    and a EUR account with one trade; the USD account's id."""
    main = api.post("accounts", {"name": "Main", "currency": "USD", "starting_balance": 25000})["id"]
    europe = api.post("accounts", {"name": "Europe", "currency": "EUR"})["id"]
    start = datetime(2025, 2, 24, 14, 30, tzinfo=UTC)  # a Monday
    moves = [-12, 8, 15, -6, 22, 4, -18, 30, -3, 11, 9, -25, 14, 6, 19, -7, 12, 5, -9, 16, 28, -14, 3, 10]
    for i, move in enumerate(moves):
        entry = start + timedelta(days=i + i // 5 * 2, hours=i % 3)  # weekdays, then the weekend off
        api.post("trades", {
            "instrument": ["ES", "NQ", "MNQ"][i % 3], "side": "long", "quantity": 1 + i % 2, "account": main,
            "entry_time": entry.isoformat(), "entry_price": 5000, "exit_time": (entry + timedelta(minutes=45)).isoformat(),
            "exit_price": 5000 + move, "multiplier": [50, 20, 2][i % 3], "commission": 2.5,
            "setup_type": ["breakout", "pullback", "reversal", ""][i % 4],
        })  # fmt: skip
    sunday = datetime(2025, 3, 30, 21, 0, tzinfo=UTC)
    api.post("trades", {
        "instrument": "ES", "side": "short", "quantity": 1, "account": main, "entry_time": sunday.isoformat(),
        "entry_price": 5600, "exit_time": (sunday + timedelta(minutes=30)).isoformat(), "exit_price": 5590,
        "multiplier": 50, "setup_type": "breakout",
    })  # fmt: skip
    api.post("trades", {
        "instrument": "DAX", "side": "long", "quantity": 1, "account": europe, "entry_time": "2025-03-05T09:00:00Z",
        "entry_price": 22000, "exit_time": "2025-03-05T11:00:00Z", "exit_price": 22040, "multiplier": 25,
    })  # fmt: skip
    return main


def numbers(page, selector: str, *attributes: str) -> list[tuple]:
    rows = page.eval_on_selector_all(
        selector, f"els => els.map(el => [{', '.join(f'el.dataset.{name}' for name in attributes)}])"
    )
    return [tuple(row) for row in rows]


def test_filter_the_overview_by_account_on_a_desktop_and_a_phone(browser, live_site):
    with live_site.serve(workers=1) as base_url:
        with open_page(browser, base_url) as page:
            sign_up(page, base_url, "overview-trader")
            assert page.is_visible("#empty-journal")
            look(page, "overview/empty")

            key = live_site.create_key("overview-trader", scopes="trades:read,trades:write,stats:read")
            api = Api(base_url, key)
            main = fill_journal(api)

            page.goto(f"{base_url}/dashboard/")
            mixed = api.get("stats")
            assert mixed.status_code == 422
            assert page.text_content("#mixed-currencies").count(mixed.json()["error"]) == 1
            look(page, "overview/mixed")

            page.select_option("#id_account", str(main))
            page.click("text=Apply filters")
            page.wait_for_url(f"{base_url}/dashboard/?*account={main}*")
            look(page, "overview/by-account")

            equity = api.read("stats/equity", account=main, interval="trade")
            shown = numbers(page, "#equity-points tr[data-date]", "date", "equity", "drawdown")
            assert [(d, Decimal(e), Decimal(dd)) for d, e, dd in shown] == [
                (p["time"], Decimal(str(p["equity"])), Decimal(str(p["drawdown"]))) for p in equity["points"]
            ]
            assert Decimal(page.get_attribute("[data-figure=max_drawdown]", "data-value")) == Decimal(
                str(equity["max_drawdown"])
            )
            month = page.get_attribute("#calendar", "data-month")
            assert month == "2025-03"  # the latest trade's
            calendar = api.read("stats/calendar", account=main, month=month)
            cells = numbers(page, "#calendar td[data-trades]", "date", "netPnl", "trades")
            assert [(d, Decimal(p), int(n)) for d, p, n in cells] == [
                (day["date"], Decimal(str(day["net_pnl"])), day["total_trades"]) for day in calendar["days"]
            ]
            stats = api.read("stats", account=main)
            assert Decimal(page.get_attribute("[data-figure=net_pnl]", "data-value")) == Decimal(str(stats["net_pnl"]))
            assert stats["currency"] in page.text_content("[data-figure=net_pnl]")

            page.click("a[rel=prev]")
            page.wait_for_url(f"{base_url}/dashboard/?*month=2025-02*")
            assert page.get_attribute("#calendar", "data-month") == "2025-02"
            assert page.input_value("#id_account") == str(main)  # the filters are kept

        # A phone, without JavaScript: everything is drawn by the server.
        with open_page(browser, base_url, viewport=PHONE, java_script_enabled=False) as page:
            sign_in(page, base_url, "overview-trader")
            page.goto(f"{base_url}/dashboard/?account={main}")
            assert page.is_visible("#equity svg")
            look(page, "overview/by-account-nojs")

        with open_page(browser, base_url, viewport=PHONE) as page:
            sign_in(page, base_url, "overview-trader")
            for name, query in [
                ("all", ""),
                ("new-york-february", f"?account={main}&tz=America/New_York&month=2025-02"),
            ]:
                page.goto(f"{base_url}/dashboard/{query}")
                look(page, f"overview/{name}")
            page.goto(f"{base_url}/dashboard/?account={main}")
            page.click("#equity summary")
            look(page, "overview/by-account-curve-table")
            for panel in (".filters", "#stats", "#equity", "#calendar", "#by-setup_type", "#by-weekday"):
                page.locator(panel).screenshot(path=SCREENSHOTS / "overview" / f"{panel.lstrip('#.')}-390.png")
