"""The Overview page (/dashboard/): its figures, equity curve, calendar and breakdowns are the API's
answers for the same filters, a mixed-currency journal gets the API's message, an empty one a way in."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from core import versions
from dashboard import overview
from dashboard.overview import BREAKDOWNS
from journal.models import Trade
from tests.factories import api_client, make_account, make_tag, make_trade, make_user, read, tag_trade

MARCH = "2025-03"


class DataElements(HTMLParser):
    """Every start tag of a page with its attributes, in order."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def having(self, attribute: str, **equal: str) -> list[dict]:
        return [
            attrs
            for _, attrs in self.elements
            if attribute in attrs and all(attrs.get(name) == value for name, value in equal.items())
        ]


def number(text: str) -> Decimal | None:
    return None if text == "" else Decimal(text)


def at(day: int, hour: int = 15, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


@pytest.fixture
def journal(db):
    """A trader with two USD accounts (one with a starting balance) and a EUR one: on Main a loss
    first, then wins, a Sunday trade and a trade exiting just after midnight UTC; an open trade."""
    user = make_user("olive", password="correct horse battery")
    main = make_account(user, "Main", currency="USD", starting_balance=Decimal("10000"))
    swing = make_account(user, "Swing", currency="USD")
    europe = make_account(user, "Europe", currency="EUR")
    momentum = make_tag(user, "momentum")
    trades = [
        # Monday 3 March: a loss first.
        make_trade(user, account=main, instrument="ES", setup_type="breakout", entry_time=at(3, 14),
                   exit_time=at(3, 15), entry_price=Decimal("5000"), exit_price=Decimal("4990"),
                   multiplier=Decimal("50"), commission=Decimal("4.5")),
        make_trade(user, account=main, instrument="NQ", setup_type="pullback", entry_time=at(4, 9),
                   exit_time=at(4, 10), entry_price=Decimal("18000"), exit_price=Decimal("18040"),
                   multiplier=Decimal("20"), commission=Decimal("2.1")),
        # Sunday 9 March.
        make_trade(user, account=main, instrument="ES", setup_type="Breakout", entry_time=at(9, 22),
                   exit_time=at(9, 23), entry_price=Decimal("5010"), exit_price=Decimal("5016.25"),
                   multiplier=Decimal("50")),
        # Exits 02:00 UTC on Tuesday 11 March: still Monday 10 March in New York.
        make_trade(user, account=main, instrument="ES", side="short", entry_time=at(10, 20),
                   exit_time=at(11, 2), entry_price=Decimal("5020"), exit_price=Decimal("5030"),
                   multiplier=Decimal("50")),
        make_trade(user, account=swing, instrument="AAPL", setup_type="pullback", entry_time=at(20, 14, month=2),
                   exit_time=at(21, 14, month=2), entry_price=Decimal("230"), exit_price=Decimal("236"),
                   quantity=Decimal("100")),
        make_trade(user, account=swing, instrument="AAPL", entry_time=at(12, 14), exit_time=None, exit_price=None),
        make_trade(user, account=europe, instrument="DAX", entry_time=at(5, 9), exit_time=at(5, 11),
                   entry_price=Decimal("22000"), exit_price=Decimal("22030"), multiplier=Decimal("25")),
    ]  # fmt: skip
    tag_trade(trades[0], momentum)
    tag_trade(trades[2], momentum)
    return {"user": user, "main": main, "swing": swing, "europe": europe, "api": api_client(user)}


@pytest.fixture
def page(client, journal):
    client.force_login(journal["user"])

    def get(query: str = "", status: int = 200) -> tuple[str, DataElements]:
        r = client.get(f"/dashboard/{query}")
        assert r.status_code == status, r.content.decode()[:2000]
        html = r.content.decode()
        return html, DataElements(html)

    return get


def test_the_overview_requires_login(client, db):
    r = client.get("/dashboard/?account=1")
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/")


def test_an_empty_journal_points_to_import_and_add_trade(client, db):
    client.force_login(make_user())
    r = client.get("/dashboard/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Your journal is empty" in html
    assert 'href="/dashboard/imports/"' in html
    assert 'href="/dashboard/trades/new/"' in html
    assert 'id="stats"' not in html


def test_figures_equal_the_apis_stats_for_the_same_account(page, journal):
    account = journal["main"].pk
    api = read(journal["api"], f"/api/v1/stats?account={account}")
    _, elements = page(f"?account={account}")
    shown = {attrs["data-figure"]: number(attrs["data-value"]) for attrs in elements.having("data-figure")}
    for key in ("net_pnl", "total_trades", "win_rate", "profit_factor", "avg_win", "avg_loss", "best_trade",
                "worst_trade", "gross_profit", "gross_loss", "wins", "losses", "breakeven", "open_trades",
                "total_commission", "expectancy"):  # fmt: skip
        assert shown[key] == api[key], key
    assert elements.having("data-currency")[0]["data-currency"] == api["currency"] == "USD"
    assert api["total_trades"] == 4 and api["losses"] == 2  # the journal is what the tests think it is


def test_the_headline_shows_net_pnl_with_its_currency_and_sign(page, journal):
    html, _ = page(f"?account={journal['main'].pk}")
    api = read(journal["api"], f"/api/v1/stats?account={journal['main'].pk}")
    assert api["net_pnl"] == Decimal("105.9")
    assert "+105.90 USD" in html


def test_equity_points_equal_the_apis_per_trade_curve_with_the_loss_first(page, journal):
    account = journal["main"].pk
    api = read(journal["api"], f"/api/v1/stats/equity?account={account}&interval=trade")
    _, elements = page(f"?account={account}")
    points = [
        {"time": p["data-date"], "pnl": number(p["data-pnl"]), "equity": number(p["data-equity"]),
         "drawdown": number(p["data-drawdown"])}
        for p in elements.having("data-equity")
    ]  # fmt: skip
    assert points == [{key: point[key] for key in ("time", "pnl", "equity", "drawdown")} for point in api["points"]]
    assert points[0]["equity"] < Decimal("10000") and points[0]["drawdown"] > 0  # from the starting balance, down
    [chart] = elements.having("data-points")
    assert chart["data-points"] == str(len(api["points"]))
    [section] = elements.having("data-interval")
    assert section["data-interval"] == "trade"
    shown = {attrs["data-figure"]: number(attrs["data-value"]) for attrs in elements.having("data-figure")}
    assert shown["max_drawdown"] == api["max_drawdown"]
    assert shown["current_drawdown"] == api["current_drawdown"]


def test_the_drawdown_is_drawn_as_a_shaded_area_with_a_title_for_screen_readers(page, journal):
    html, elements = page(f"?account={journal['main'].pk}")
    [svg] = [attrs for tag, attrs in elements.elements if tag == "svg"]
    assert svg["viewbox"] == "0 0 1000 300"  # HTMLParser lowers attribute names
    assert svg["role"] == "img"
    [drawdown] = [attrs for tag, attrs in elements.elements if tag == "path" and attrs.get("class") == "drawdown"]
    assert drawdown["d"].endswith("Z") and drawdown["d"].startswith("M0.0,")
    assert '<title id="equity-title">Equity curve</title>' in html
    assert "largest drawdown" in html


def test_calendar_days_equal_the_apis_for_the_latest_trades_month(page, journal):
    account = journal["main"].pk
    api = read(journal["api"], f"/api/v1/stats/calendar?account={account}&month={MARCH}")
    _, elements = page(f"?account={account}")
    assert elements.having("data-month")[0]["data-month"] == MARCH  # the month of the latest trade
    days = [
        {"date": d["data-date"], "net_pnl": number(d["data-net-pnl"]), "total_trades": int(d["data-trades"])}
        for d in elements.having("data-trades", **{}) if "data-date" in d
    ]  # fmt: skip
    assert days == [{key: day[key] for key in ("date", "net_pnl", "total_trades")} for day in api["days"]]
    assert number(elements.having("data-month")[0]["data-net-pnl"]) == api["net_pnl"]


def test_the_sunday_trade_sits_in_the_sunday_column(page, journal):
    html, _ = page(f"?account={journal['main'].pk}")
    html = html.split('id="calendar"')[1].split("</section>")[0]
    week = html.split('data-date="2025-03-03"')[1].split("</tr>")[0]
    assert week.count("<td") == 7  # Monday 3 March opens the row; six more days, then the week's total
    sunday = html.split('data-date="2025-03-09"')[0].rsplit("<tr>", 1)[1]
    assert sunday.count("<td") == 7  # the 9th is the row's seventh cell: Sunday


def test_the_calendar_follows_the_time_zone_like_the_api(page, journal):
    account = journal["main"].pk
    api = read(journal["api"], f"/api/v1/stats/calendar?account={account}&month={MARCH}&tz=America/New_York")
    _, elements = page(f"?account={account}&tz=America/New_York")
    dates = [d["data-date"] for d in elements.having("data-trades") if "data-date" in d]
    assert dates == [day["date"] for day in api["days"]]
    assert "2025-03-10" in dates and "2025-03-11" not in dates


def test_month_links_keep_the_filters_and_an_asked_month_is_shown(page, journal):
    account = journal["main"].pk
    html, _ = page(f"?account={account}&currency=USD")
    assert f'href="?account={account}&amp;currency=USD&amp;month=2025-02" rel="prev"' in html
    assert f'href="?account={account}&amp;currency=USD&amp;month=2025-04" rel="next"' in html
    api = read(journal["api"], "/api/v1/stats/calendar?currency=USD&month=2025-02")
    _, elements = page("?currency=USD&month=2025-02")
    assert elements.having("data-month")[0]["data-month"] == "2025-02"
    dates = [d["data-date"] for d in elements.having("data-trades") if "data-date" in d]
    assert dates == [day["date"] for day in api["days"]] == ["2025-02-21"]


def test_month_links_replace_the_month_they_were_on(page, journal):
    html, _ = page("?currency=USD&month=2025-02")
    assert 'href="?currency=USD&amp;month=2025-01" rel="prev"' in html
    assert 'href="?currency=USD&amp;month=2025-03" rel="next"' in html


def test_a_bad_month_gets_the_apis_message_and_the_latest_month(page, journal):
    html, elements = page("?currency=USD&month=2025-13")
    assert "Enter a month as YYYY-MM." in html
    assert elements.having("data-month")[0]["data-month"] == MARCH


@pytest.mark.parametrize("by", ["setup_type", "instrument", "weekday", "hour"])
def test_breakdown_bars_equal_the_apis_buckets(page, journal, by):
    account = journal["main"].pk
    api = read(journal["api"], f"/api/v1/stats/breakdown?account={account}&by={by}")["data"]
    _, elements = page(f"?account={account}")
    section = f"by-{by}"
    html_rows = elements.elements[
        next(i for i, (_, a) in enumerate(elements.elements) if a.get("id") == section):
    ]  # fmt: skip
    rows = []
    for tag, attrs in html_rows[1:]:
        if tag == "section":
            break
        if "data-net-pnl" in attrs:
            rows.append((attrs["data-key"], number(attrs["data-net-pnl"]), int(attrs["data-trades"])))
    expected = [("" if b["key"] is None else str(b["key"]), b["net_pnl"], b["total_trades"]) for b in api]
    if by == "hour":
        expected = [row for row in expected if row[2]]
    if by in ("setup_type", "instrument"):
        expected.sort(key=lambda row: row[1], reverse=True)
    assert rows == expected
    if by == "weekday":
        assert [row[0] for row in rows] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        assert rows[-1][2] == 1  # the Sunday trade


def test_an_instrument_and_a_setup_lead_to_their_trades_with_the_same_filters(page, journal):
    account = journal["main"].pk
    html, _ = page(f"?account={account}&tz=Asia/Tokyo")
    assert f'href="/dashboard/trades/?account={account}&amp;instrument=NQ">NQ</a>' in html
    assert f'href="/dashboard/trades/?account={account}&amp;setup_type=breakout">breakout</a>' in html


def test_mixed_currencies_show_the_apis_message_and_keep_the_filter_bar(page, journal):
    r = journal["api"].get("/api/v1/stats")
    assert r.status_code == 422, r.content
    message = r.json()["error"]
    assert "EUR, USD" in message
    html, elements = page()
    assert 'id="mixed-currencies"' in html
    assert escape(message) in html
    assert elements.having("data-figure") == []
    assert 'name="account"' in html and 'name="currency"' in html
    assert '<a href="?currency=EUR">EUR</a>' in html and '<a href="?currency=USD">USD</a>' in html


def test_the_euro_account_is_shown_in_euros(page, journal):
    account = journal["europe"].pk
    api = read(journal["api"], f"/api/v1/stats?account={account}")
    html, elements = page(f"?account={account}")
    assert api["currency"] == "EUR"
    shown = {attrs["data-figure"]: number(attrs["data-value"]) for attrs in elements.having("data-figure")}
    assert shown["net_pnl"] == api["net_pnl"] == Decimal("750")
    assert "+750.00 EUR" in html


def test_an_account_of_another_trader_is_an_error_next_to_the_field(page, journal):
    stranger = make_account(make_user(), "Theirs")
    html, _ = page(f"?account={stranger.pk}", status=400)
    assert 'aria-describedby="id_account_error"' in html
    assert 'id="id_account_error"' in html
    assert 'id="stats"' not in html


def test_a_bad_time_zone_gets_the_apis_message_next_to_the_field(page, journal):
    r = journal["api"].get("/api/v1/stats/calendar?tz=Mars/Olympus")
    assert r.status_code == 422, r.content
    [message] = r.json()["details"]["tz"]
    html, _ = page("?tz=Mars/Olympus", status=400)
    assert message.startswith('Unknown time zone "Mars/Olympus"')
    assert escape(message) in html
    assert 'id="id_tz_error"' in html


def test_filters_selecting_no_closed_trade_say_so(page, journal):
    html, _ = page("?currency=USD&from=2030-01-01")
    assert "No closed trades match these filters" in html


def test_a_single_breakeven_trade_draws_a_flat_curve(client, db):
    user = make_user()
    make_trade(user, exit_price=Decimal("100"))
    client.force_login(user)
    r = client.get("/dashboard/")
    assert r.status_code == 200, r.content
    elements = DataElements(r.content.decode())
    assert [(p["data-date"], p["data-equity"]) for p in elements.having("data-equity")] == [
        ("2025-03-15T14:00:00.000000Z", "0")
    ]
    assert "no drawdown" in r.content.decode()


def test_the_page_and_the_api_share_the_cached_results(page, journal):
    account = journal["main"].pk
    page(f"?account={account}&tz=Europe/Berlin")
    user = journal["user"].pk
    for name, query in [
        ("stats", f"account={account}"),
        ("equity", f"account={account}&interval=trade&tz=Europe/Berlin"),
        ("calendar", f"account={account}&month={MARCH}&tz=Europe/Berlin"),
        ("breakdown", f"account={account}&by=weekday&tz=Europe/Berlin"),
    ]:
        assert versions.read(user, name, query)[1] is not None, name


def test_a_second_look_is_served_from_the_cache_without_reading_the_trades_again(page, journal):
    query = f"?account={journal['main'].pk}&month={MARCH}"
    first, _ = page(query)
    with CaptureQueriesContext(connection) as queries:
        again, _ = page(query)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", again) == token.sub("", first)
    on_trades = [q["sql"] for q in queries.captured_queries if Trade._meta.db_table in q["sql"]]
    assert len(on_trades) == 1, on_trades  # only whether the journal has any trade at all


def test_answers_the_api_cached_draw_the_same_page_without_reading_the_trades(page, journal):
    account, tz = journal["main"].pk, "Europe/Berlin"
    query = f"?account={account}&month={MARCH}&tz={tz}"
    computed, _ = page(query)
    versions.changed(journal["user"].pk)  # nothing the page stored holds any more
    for path in [
        f"stats?account={account}",
        f"stats/equity?account={account}&interval=trade&tz={tz}",
        f"stats/calendar?account={account}&month={MARCH}&tz={tz}",
        f"stats/risk?account={account}&tz={tz}",
        *(f"stats/breakdown?account={account}&by={by}&tz={tz}" for by in BREAKDOWNS),
    ]:
        read(journal["api"], f"/api/v1/{path}")
    with CaptureQueriesContext(connection) as queries:
        from_the_api, _ = page(query)
    on_trades = [q["sql"] for q in queries.captured_queries if Trade._meta.db_table in q["sql"]]
    assert len(on_trades) == 1, on_trades  # only whether the journal has any trade at all
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", from_the_api) == token.sub("", computed)


def test_a_long_journal_is_drawn_per_week_like_the_apis_weekly_curve(client, db):
    user = make_user()
    start = datetime(2023, 1, 2, 15, tzinfo=UTC)
    Trade.objects.bulk_create(
        Trade(user=user, instrument="ES", side="long", quantity=Decimal(1), entry_price=Decimal(100),
              exit_price=Decimal(100 + (i % 7) - 3), entry_time=start + timedelta(days=i),
              exit_time=start + timedelta(days=i, hours=1))
        for i in range(500)
    )  # fmt: skip
    api = read(api_client(user), "/api/v1/stats/equity?interval=week")
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        r = client.get("/dashboard/")
    assert r.status_code == 200
    # The per-trade drawdowns and /stats/risk (the weekly curve is the answer the API just cached): no
    # daily curve of 500 points only to be dropped.
    assert sum("peaks AS (" in query["sql"] for query in queries) == 2
    elements = DataElements(r.content.decode())
    assert elements.having("data-interval")[0]["data-interval"] == "week"
    assert [p["data-date"] for p in elements.having("data-equity")] == [p["time"] for p in api["points"]]
    assert len(r.content) < 200_000


def test_a_curve_longer_than_the_page_takes_in_months_is_bounded_like_the_apis(client, db):
    user = make_user()
    start = datetime(1980, 1, 2, 15, tzinfo=UTC)
    Trade.objects.bulk_create(
        Trade(user=user, instrument="ES", side="long", quantity=Decimal(1), entry_price=Decimal(100),
              exit_price=Decimal(100 + (i % 7) - 3), entry_time=start + timedelta(days=31 * i),
              exit_time=start + timedelta(days=31 * i, hours=1))
        for i in range(overview.MAX_CURVE_POINTS + 50)
    )  # fmt: skip
    api = read(api_client(user), f"/api/v1/stats/equity?interval=month&max_points={overview.MAX_CURVE_POINTS}")
    client.force_login(user)
    r = client.get("/dashboard/")
    assert r.status_code == 200
    elements = DataElements(r.content.decode())
    assert elements.having("data-interval")[0]["data-interval"] == "month"
    drawn = [p["data-date"] for p in elements.having("data-equity")]
    assert drawn == [p["time"] for p in api["points"]]
    assert len(drawn) <= overview.MAX_CURVE_POINTS


def test_a_day_traders_drawdown_inside_a_day_is_the_apis_per_trade_drawdown(client, db):
    """A loss then a bigger win each day: every day ends higher, yet the account fell 500 inside the
    first; the page shows the drawdown /stats/risk reports, drawn trade by trade."""
    user = make_user()
    for day in (3, 4):
        make_trade(user, instrument="ES", entry_time=at(day, 14), exit_time=at(day, 15), entry_price=Decimal("5000"),
                   exit_price=Decimal("4990"), multiplier=Decimal("50"))  # fmt: skip
        make_trade(user, instrument="ES", entry_time=at(day, 16), exit_time=at(day, 17), entry_price=Decimal("5000"),
                   exit_price=Decimal("5020"), multiplier=Decimal("50"))  # fmt: skip
    api = api_client(user)
    risk = read(api, "/api/v1/stats/risk")
    daily = read(api, "/api/v1/stats/equity?interval=day")
    assert (risk["max_drawdown"], daily["max_drawdown"]) == (Decimal("500"), Decimal("0"))  # the two differ
    client.force_login(user)
    r = client.get("/dashboard/")
    assert r.status_code == 200
    html, elements = r.content.decode(), DataElements(r.content.decode())
    shown = {attrs["data-figure"]: number(attrs["data-value"]) for attrs in elements.having("data-figure")}
    assert shown["max_drawdown"] == risk["max_drawdown"]
    assert "largest drawdown 500.00 USD" in html
    assert elements.having("data-interval")[0]["data-interval"] == "trade"
    assert len(elements.having("data-equity")) == 4


def test_a_long_journal_drawn_per_week_still_shows_the_per_trade_drawdowns(client, db):
    user = make_user()
    start = datetime(2023, 1, 2, 15, tzinfo=UTC)
    Trade.objects.bulk_create(
        Trade(user=user, instrument="ES", side="long", quantity=Decimal(1), entry_price=Decimal(100),
              exit_price=Decimal(100 + (-40 if i % 2 == 0 else 41)), entry_time=start + timedelta(days=i // 2),
              exit_time=start + timedelta(days=i // 2, hours=1 + i % 2))
        for i in range(1000)
    )  # fmt: skip
    api = api_client(user)
    per_trade, weekly = (
        read(api, "/api/v1/stats/equity?interval=trade"),
        read(api, "/api/v1/stats/equity?interval=week"),
    )
    assert per_trade["max_drawdown"] != weekly["max_drawdown"]
    client.force_login(user)
    r = client.get("/dashboard/")
    elements = DataElements(r.content.decode())
    assert elements.having("data-interval")[0]["data-interval"] == "week"
    shown = {attrs["data-figure"]: number(attrs["data-value"]) for attrs in elements.having("data-figure")}
    assert (shown["max_drawdown"], shown["current_drawdown"]) == (
        per_trade["max_drawdown"], per_trade["current_drawdown"]
    )  # fmt: skip


def test_a_single_days_curve_is_labelled_with_its_exit_times(client, db):
    user = make_user()
    for hour in (14, 15, 16):
        make_trade(user, entry_time=at(3, hour - 1), exit_time=at(3, hour))
    client.force_login(user)
    html = client.get("/dashboard/").content.decode()
    axis = re.search(r'<div class="chart-x"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert re.findall(r">([^<]+)</span>", axis) == ["14:00", "15:00", "16:00"]
