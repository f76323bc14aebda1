"""GET /api/v1/stats/equity: the equity curve and its drawdowns, proven against tests/analytics_oracle.py."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics import downsample
from analytics.equity import equity
from journal.models import Account, Trade
from tests import analytics_oracle as oracle
from tests.factories import ZONES, examples, journal_owner, journals, make_trade, make_user, read

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 3, 15, tzinfo=UTC)
KEYS = ["interval", "tz", "starting_balance", "points", "max_drawdown", "max_drawdown_pct", "max_drawdown_start",
        "max_drawdown_end", "current_drawdown"]  # fmt: skip


def trade(user, net: str, *, days: float = 0, **fields):
    """A closed long trade of quantity 1 netting `net`, exited `days` after T0."""
    at = T0 + timedelta(days=days)
    return make_trade(user, entry_price=Decimal(100), exit_price=Decimal(100) + Decimal(net), entry_time=at,
                      exit_time=at, **fields)  # fmt: skip


def test_keys_are_the_contracts_in_its_order(api, user):
    trade(user, "10")
    body = read(api, "/api/v1/stats/equity")
    assert list(body) == KEYS
    assert list(body["points"][0]) == ["time", "pnl", "equity", "peak", "drawdown"]


def test_no_trades_have_no_points_and_no_drawdown(api):
    assert read(api, "/api/v1/stats/equity") == {
        "interval": "day", "tz": "UTC", "starting_balance": 0, "points": [], "max_drawdown": None,
        "max_drawdown_pct": None, "max_drawdown_start": None, "max_drawdown_end": None, "current_drawdown": None,
    }  # fmt: skip


def test_one_trade_is_one_point_at_its_exit_time(api, user):
    trade(user, "12.345")
    body = read(api, "/api/v1/stats/equity?interval=trade")
    assert body["points"] == [
        {"time": "2025-03-03T15:00:00.000000Z", "pnl": Decimal("12.35"), "equity": Decimal("12.35"),
         "peak": Decimal("12.35"), "drawdown": 0}
    ]  # fmt: skip
    assert (body["max_drawdown"], body["max_drawdown_start"], body["max_drawdown_end"]) == (0, None, None)


def test_a_first_trade_that_loses_is_a_drawdown_from_the_starting_balance(api, user):
    account = Account.objects.create(user=user, name="Main", starting_balance=Decimal(1000))
    trade(user, "-100", account=account)
    trade(user, "50", days=1, account=account)
    body = read(api, f"/api/v1/stats/equity?interval=trade&account={account.pk}")
    assert [p["drawdown"] for p in body["points"]] == [100, 50]
    assert (body["starting_balance"], body["max_drawdown"], body["max_drawdown_pct"]) == (1000, 100, 10)
    # Its peak is the starting balance itself, before any point.
    assert (body["max_drawdown_start"], body["max_drawdown_end"]) == (None, "2025-03-03T15:00:00.000000Z")
    assert body["current_drawdown"] == 50


def test_a_first_trade_that_loses_counts_without_a_starting_balance_too(api, user):
    trade(user, "-100")
    body = read(api, "/api/v1/stats/equity")
    assert (body["points"][0]["peak"], body["max_drawdown"], body["max_drawdown_pct"]) == (0, 100, None)


def test_the_largest_drawdown_runs_from_its_last_peak_to_its_first_deepest_trough(api, user):
    for day, net in enumerate(["100", "-30", "30", "-50", "20", "-70", "100", "-50"]):
        trade(user, net, days=day)
    body = read(api, "/api/v1/stats/equity")
    assert [p["equity"] for p in body["points"]] == [100, 70, 100, 50, 70, 0, 100, 50]
    assert [p["drawdown"] for p in body["points"]] == [0, 30, 0, 50, 30, 100, 0, 50]
    # Peak 100 reached again on day 2; the trough of 100 on day 5.
    assert (body["max_drawdown"], body["max_drawdown_start"], body["max_drawdown_end"]) == (
        100,
        "2025-03-05",
        "2025-03-08",
    )


def test_equal_drawdowns_report_the_first(api, user):
    for day, net in enumerate(["-10", "10", "-10"]):
        trade(user, net, days=day)
    body = read(api, "/api/v1/stats/equity")
    assert (body["max_drawdown"], body["max_drawdown_start"], body["max_drawdown_end"]) == (10, None, "2025-03-03")


def test_a_null_account_balance_counts_as_zero_and_two_accounts_start_from_zero(api, user):
    empty = Account.objects.create(user=user, name="No balance")
    funded = Account.objects.create(user=user, name="Funded", starting_balance=Decimal("500.5"))
    trade(user, "10", account=empty)
    assert read(api, f"/api/v1/stats/equity?account={empty.pk}")["starting_balance"] == 0
    assert read(api, f"/api/v1/stats/equity?account={empty.pk},{funded.pk}")["starting_balance"] == 0
    assert read(api, f"/api/v1/stats/equity?account={funded.pk}")["starting_balance"] == Decimal("500.5")


def test_another_owners_account_gives_no_starting_balance(user):
    theirs = Account.objects.create(user=make_user(), name="Theirs", starting_balance=Decimal(1000))
    trade(user, "-10")
    trades = Trade.objects.filter(user=user, exit_time__isnull=False)
    curve = equity(trades, interval="trade", zone=ZoneInfo("UTC"), account_id=theirs.pk, user=user)
    # From 1000 the loss would be 1%; from 0 there is no percentage.
    assert (curve["starting_balance"], curve["max_drawdown"], curve["max_drawdown_pct"]) == (0, 10, None)


def test_periods_start_on_their_first_date_in_the_zone_without_empty_periods(api, user):
    # 2025-03-31 23:30 in New York is April 1st in UTC.
    trade(user, "10", days=28 + 12.5 / 24)
    trade(user, "5", days=60)
    tz = "America/New_York"
    assert [(p["time"], p["pnl"]) for p in read(api, f"/api/v1/stats/equity?interval=month&tz={tz}")["points"]] == [
        ("2025-03-01", 10),
        ("2025-05-01", 5),
    ]
    assert [p["time"] for p in read(api, "/api/v1/stats/equity?interval=month")["points"]] == [
        "2025-04-01",
        "2025-05-01",
    ]
    # Weeks start on Monday: the 31st of March is one, the 2nd of May is a Friday.
    assert [p["time"] for p in read(api, f"/api/v1/stats/equity?interval=week&tz={tz}")["points"]] == [
        "2025-03-31",
        "2025-04-28",
    ]


def test_the_last_equity_point_is_the_starting_balance_plus_the_net_pnl(api, user):
    account = Account.objects.create(user=user, name="Main", starting_balance=Decimal("2500.25"))
    for day, net in enumerate(["10.11", "-3.335", "7", "-0.004"]):
        trade(user, net, days=day / 3, account=account)
    stats = read(api, "/api/v1/stats")
    for interval in ("trade", "day", "week", "month"):
        body = read(api, f"/api/v1/stats/equity?interval={interval}&account={account.pk}")
        assert body["points"][-1]["equity"] == body["starting_balance"] + stats["net_pnl"], interval


@examples(60)
@given(
    rows=journals(accounts=1), zone=st.sampled_from(ZONES),
    interval=st.sampled_from(["trade", "day", "week", "month"]),
    balance=st.one_of(st.none(), st.integers(0, 10_000_000).map(lambda c: Decimal(c) / 100)),
)  # fmt: skip
def test_every_figure_matches_an_independent_computation(django_settings_override, rows, zone, interval, balance):
    client, (account,) = journal_owner(rows, accounts=1, starting_balance=balance)
    body = read(client, f"/api/v1/stats/equity?interval={interval}&tz={zone}&account={account.pk}")
    assert not (wrong := oracle.differences(body, oracle.equity(rows, interval, zone, balance or Decimal(0)))), wrong


# --- max_points -------------------------------------------------------------------------------------


def chart_max_drawdown(points: list[dict], start: Decimal) -> Decimal:
    """The largest drawdown a chart of these points shows: each point's fall below the highest before it."""
    peak, deepest = start, Decimal(0)
    for point in points:
        peak = max(peak, point["equity"])
        deepest = max(deepest, peak - point["equity"])
    return deepest


def must_keep(points: list[dict]) -> set[int]:
    """The running peaks and troughs of the full series, and its first and last points."""
    indices, high, deepest = {0, len(points) - 1}, None, 0
    for index, point in enumerate(points):
        if high is None or point["peak"] > high:
            high = point["peak"]
            indices.add(index)
        if point["drawdown"] > deepest:
            deepest = point["drawdown"]
            indices.add(index)
    return indices


@examples(40)
@given(rows=journals(accounts=1), max_points=st.integers(2, 30), balance=st.sampled_from([None, Decimal(500)]))
def test_a_bounded_curve_keeps_its_peaks_troughs_and_largest_drawdown(django_settings_override, rows, max_points,
                                                                      balance):  # fmt: skip
    client, (account,) = journal_owner(rows, accounts=1, starting_balance=balance)
    path = f"/api/v1/stats/equity?interval=trade&account={account.pk}"
    full, bounded = read(client, path), read(client, f"{path}&max_points={max_points}")
    # The figures are the full series'.
    assert {**bounded, "points": None} == {**full, "points": None}
    points, kept = full["points"], bounded["points"]
    if len(points) <= max_points:
        assert kept == points
        return
    assert len(kept) <= max(max_points, 4)
    rest = iter(points)
    assert all(point in rest for point in kept), "the kept points are the series' own, in order"
    assert (kept[0], kept[-1]) == (points[0], points[-1])
    if len(must_keep(points)) <= max_points - 2:
        assert all(points[i] in kept for i in must_keep(points))
    start = full["starting_balance"]
    assert chart_max_drawdown(kept, start) == chart_max_drawdown(points, start)
    assert max(p["drawdown"] for p in kept) == max(p["drawdown"] for p in points)


@given(
    steps=st.lists(st.integers(-1000, 1000), min_size=3, max_size=3000),
    max_points=st.integers(2, 200),
)  # fmt: skip
def test_any_long_series_is_bounded_and_keeps_its_largest_drawdown(steps, max_points):
    equity, high, points = Decimal(0), Decimal(0), []
    for step in steps:
        equity += step
        high = max(high, equity)
        points.append({"equity": equity, "peak": high, "drawdown": high - equity})
    kept = [points[i] for i in downsample.kept(points, max_points)]
    assert len(kept) <= max(max_points, 4)
    assert kept[0] is points[0] and kept[-1] is points[-1]
    assert chart_max_drawdown(kept, Decimal(0)) == chart_max_drawdown(points, Decimal(0))
    if len(must_keep(points)) <= max_points - 2:
        assert all(points[i] in kept for i in must_keep(points))


def test_a_journal_that_only_rises_is_still_bounded(api, user):
    for day in range(30):
        trade(user, "10", days=day)
    body = read(api, "/api/v1/stats/equity?max_points=7")
    assert len(body["points"]) == 7
    assert (body["points"][0]["equity"], body["points"][-1]["equity"]) == (10, 300)


@pytest.mark.parametrize("value", ["1", "0", "-3", "two", "2.5"])
def test_max_points_below_two_or_not_a_number_is_a_422(api, value):
    r = api.get(f"/api/v1/stats/equity?max_points={value}")
    assert r.status_code == 422, r.content
    assert r.json()["details"] == {"max_points": ["max_points must be a whole number of at least 2."]}


def test_an_empty_max_points_is_no_bound(api, user):
    for day in range(5):
        trade(user, "1", days=day)
    assert len(read(api, "/api/v1/stats/equity?max_points=")["points"]) == 5
