"""The trade list: each filter (accounts, tags and currency too) and its bad values, the order,
and the edges of paging."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.factories import make_account, make_tag, make_trade, make_user, tag_trade

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def ids(r) -> list[int]:
    assert r.status_code == 200, r.content
    return [t["id"] for t in r.json()["data"]]


@pytest.fixture
def journal(user):
    return {
        "btc_long": make_trade(user, instrument="BTCUSDT", side="long", setup_type="breakout", entry_time=at(1),
                               exit_time=at(2)),
        "eth_short": make_trade(user, instrument="ETHUSDT", side="short", setup_type="Reversal", entry_time=at(10),
                                exit_time=at(11)),
        "btc_short_open": make_trade(user, instrument="BTCUSDT", side="short", entry_time=at(20, 23),
                                     exit_time=None, exit_price=None),
    }  # fmt: skip


def test_newest_entry_first(api, journal):
    assert ids(api.get("/api/v1/trades")) == [journal[k].pk for k in ("btc_short_open", "eth_short", "btc_long")]


def test_ties_on_entry_time_are_broken_by_id_newest_first(api, user):
    same = [make_trade(user, entry_time=at(5), exit_time=at(6)) for _ in range(3)]
    assert ids(api.get("/api/v1/trades")) == [t.pk for t in reversed(same)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("instrument=BTCUSDT", ["btc_short_open", "btc_long"]),
        ("instrument=btcusdt", ["btc_short_open", "btc_long"]),
        ("instrument=%20ethusdt%20", ["eth_short"]),
        ("instrument=SOLUSDT", []),
        ("side=long", ["btc_long"]),
        ("side=short", ["btc_short_open", "eth_short"]),
        ("setup_type=reversal", ["eth_short"]),
        ("setup_type=breakout", ["btc_long"]),
        ("from=2025-03-10", ["btc_short_open", "eth_short"]),
        ("to=2025-03-10", ["eth_short", "btc_long"]),
        ("to=2025-03-20", ["btc_short_open", "eth_short", "btc_long"]),  # a date `to` includes the whole day
        ("to=2025-03-20T22:59:59Z", ["eth_short", "btc_long"]),
        ("from=2025-03-10T12:00:00Z&to=2025-03-10T12:00:00Z", ["eth_short"]),
        ("from=2025-03-10T13:00:00%2B01:00", ["btc_short_open", "eth_short"]),
        ("from=2025-03-10T13:00:00", ["btc_short_open"]),  # naive means UTC
        ("from=2025-01-01&to=2025-12-31&instrument=BTCUSDT&side=long&per_page=25", ["btc_long"]),
        ("unknown_param=1", ["btc_short_open", "eth_short", "btc_long"]),
    ],
)
def test_filters(api, journal, query, expected):
    assert ids(api.get(f"/api/v1/trades?{query}")) == [journal[k].pk for k in expected]


@pytest.mark.parametrize(
    ("query", "details"),
    [
        ("side=sideways", {"side": ["The side must be long or short."]}),
        ("from=yesterday", {"from": ["Enter a date (YYYY-MM-DD) or an ISO 8601 datetime."]}),
        ("to=2025-02-30", {"to": ["Enter a date (YYYY-MM-DD) or an ISO 8601 datetime."]}),
        ("from=2025-03-10T25:00:00Z", {"from": ["Enter a date (YYYY-MM-DD) or an ISO 8601 datetime."]}),
        ("from=2025-03-11&to=2025-03-10", {"from": ["The from date must be before or equal to the to date."]}),
        ("page=0", {"page": ["The page must be a whole number of at least 1."]}),
        ("page=-1", {"page": ["The page must be a whole number of at least 1."]}),
        ("page=two", {"page": ["The page must be a whole number of at least 1."]}),
        ("page=99999999999999999999", {"page": ["The page must be a whole number of at least 1."]}),
        ("per_page=0", {"per_page": ["The per_page must be between 1 and 100."]}),
        ("per_page=101", {"per_page": ["The per_page must be between 1 and 100."]}),
        ("per_page=1.5", {"per_page": ["The per_page must be between 1 and 100."]}),
    ],
)
def test_bad_filter_or_paging_value_is_422(api, journal, query, details):
    r = api.get(f"/api/v1/trades?{query}")
    assert r.status_code == 422, r.content
    assert r.json() == {"error": "Validation failed", "details": details}


def test_from_to_also_apply_to_a_day_boundary_in_utc(api, user):
    late = make_trade(user, entry_time=datetime(2025, 3, 10, 23, 59, 59, 999999, tzinfo=UTC), exit_time=None,
                      exit_price=None)  # fmt: skip
    next_day = make_trade(user, entry_time=datetime(2025, 3, 11, tzinfo=UTC), exit_time=None, exit_price=None)
    assert ids(api.get("/api/v1/trades?to=2025-03-10")) == [late.pk]
    assert ids(api.get("/api/v1/trades?from=2025-03-11")) == [next_day.pk]


def test_no_trades_is_one_empty_page(api):
    r = api.get("/api/v1/trades")
    assert r.json() == {"data": [], "current_page": 1, "last_page": 1, "per_page": 25, "total": 0}


def test_pages_split_the_journal_without_gaps_or_repeats(api, user):
    trades = [make_trade(user, entry_time=at(1) + timedelta(minutes=i), exit_time=None, exit_price=None)
              for i in range(7)]  # fmt: skip
    newest_first = [t.pk for t in reversed(trades)]
    pages = [api.get(f"/api/v1/trades?per_page=3&page={page}").json() for page in (1, 2, 3)]
    assert [p["current_page"] for p in pages] == [1, 2, 3]
    assert {(p["last_page"], p["per_page"], p["total"]) for p in pages} == {(3, 3, 7)}
    assert [t["id"] for p in pages for t in p["data"]] == newest_first
    assert len(pages[2]["data"]) == 1


def test_a_page_past_the_end_is_empty_not_an_error(api, user):
    make_trade(user)
    r = api.get("/api/v1/trades?page=5")
    assert r.status_code == 200
    assert r.json() == {"data": [], "current_page": 5, "last_page": 1, "per_page": 25, "total": 1}


@pytest.mark.parametrize("per_page", [1, 100])
def test_per_page_bounds_are_accepted(api, user, per_page):
    for i in range(3):
        make_trade(user, entry_time=at(1) + timedelta(minutes=i))
    body = api.get(f"/api/v1/trades?per_page={per_page}").json()
    assert body["per_page"] == per_page
    assert len(body["data"]) == min(per_page, 3)
    assert body["last_page"] == (3 if per_page == 1 else 1)


# --- accounts, tags, currency -------------------------------------------------------------------


@pytest.fixture
def structured(user):
    """Trades in three accounts (two USD, one EUR) and none, with tags; and someone else's."""
    main, futures, europe = (make_account(user, "Main"), make_account(user, "Futures"),
                             make_account(user, "Europe", currency="EUR"))  # fmt: skip
    fomo, news, swing = make_tag(user, "FOMO"), make_tag(user, "news"), make_tag(user, "Swing")
    other = make_user()
    theirs = make_account(other, "Main")
    tag_trade(make_trade(other, account=theirs, entry_time=at(3)), make_tag(other, "fomo"))
    return {
        "accounts": {"main": main, "futures": futures, "europe": europe, "theirs": theirs},
        "main_fomo_news": tag_trade(make_trade(user, account=main, entry_time=at(1)), fomo, news),
        "futures_news": tag_trade(make_trade(user, account=futures, side="short", entry_time=at(2)), news),
        "europe_fomo": tag_trade(make_trade(user, account=europe, entry_time=at(4)), fomo),
        "none": make_trade(user, entry_time=at(5)),
        "main_swing": tag_trade(make_trade(user, account=main, entry_time=at(6)), swing),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("account={main}", ["main_swing", "main_fomo_news"]),
        ("account={main},{europe}", ["main_swing", "europe_fomo", "main_fomo_news"]),
        ("account={theirs}", []),  # another trader's account matches nothing of yours
        ("account={theirs},{futures}", ["futures_news"]),
        ("account=999999", []),
        ("currency=USD", ["main_swing", "none", "futures_news", "main_fomo_news"]),  # no account: USD
        ("currency=eur", ["europe_fomo"]),
        ("currency=GBP", []),
        ("tag=fomo", ["europe_fomo", "main_fomo_news"]),
        ("tag=FOMO,swing", ["main_swing", "europe_fomo", "main_fomo_news"]),
        ("tag=fomo,%20NEWS%20&tag_mode=any", ["europe_fomo", "futures_news", "main_fomo_news"]),
        ("tag=fomo,news&tag_mode=all", ["main_fomo_news"]),
        ("tag=fomo,unknown&tag_mode=all", []),
        ("tag=unknown", []),
        ("tag=,", ["main_swing", "none", "europe_fomo", "futures_news", "main_fomo_news"]),  # no names: no filter
        ("tag_mode=all", ["main_swing", "none", "europe_fomo", "futures_news", "main_fomo_news"]),
        ("tag=news&currency=usd&side=short", ["futures_news"]),
        ("account={main}&tag=news", ["main_fomo_news"]),
    ],
)
def test_account_currency_and_tag_filters(api, structured, query, expected):
    query = query.format(**{name: a.pk for name, a in structured["accounts"].items()})
    assert ids(api.get(f"/api/v1/trades?{query}")) == [structured[k].pk for k in expected]


@pytest.mark.parametrize(
    ("query", "details"),
    [
        ("account=main", {"account": ["The account must be an account id or a comma-separated list of them, e.g. 3,7."]}),
        ("account=1,,2", {"account": ["The account must be an account id or a comma-separated list of them, e.g. 3,7."]}),
        ("account=0", {"account": ["The account must be an account id or a comma-separated list of them, e.g. 3,7."]}),
        ("account=1%202", {"account": ["The account must be an account id or a comma-separated list of them, e.g. 3,7."]}),
        ("currency=US", {"currency": ["The currency must be 3 to 6 letters or digits: an ISO 4217 code (USD) or a quote asset (USDT)."]}),
        ("currency=%20USD", {"currency": ["The currency must be 3 to 6 letters or digits: an ISO 4217 code (USD) or a quote asset (USDT)."]}),
        ("currency=USDTUSD", {"currency": ["The currency must be 3 to 6 letters or digits: an ISO 4217 code (USD) or a quote asset (USDT)."]}),
        ("tag_mode=some", {"tag_mode": ["The tag_mode must be any or all."]}),
        ("tag=" + ",".join(f"t{i}" for i in range(21)), {"tag": ["The tag must be a comma-separated list of at most 20 tag names."]}),
    ],
)  # fmt: skip
def test_bad_account_currency_or_tag_filter_is_422(api, structured, query, details):
    r = api.get(f"/api/v1/trades?{query}")
    assert r.status_code == 422, r.content
    assert r.json() == {"error": "Validation failed", "details": details}


def test_a_trade_shows_its_account_tags_multiplier_and_initial_risk(api, user):
    account, tag = make_account(user), make_tag(user, "A+")
    trade = tag_trade(make_trade(user, account=account, multiplier=Decimal(50), initial_risk=Decimal("125.5")), tag)
    row = api.get("/api/v1/trades").json()["data"][0]
    assert list(row)[-5:] == ["account", "tags", "multiplier", "initial_risk", "realized_pnl"]
    assert {k: row[k] for k in ("id", "account", "tags", "multiplier", "initial_risk", "pnl")} == {
        "id": trade.pk, "account": account.pk, "tags": ["A+"], "multiplier": 50, "initial_risk": 125.5, "pnl": 500,
    }  # fmt: skip
