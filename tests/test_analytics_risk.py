"""GET /api/v1/stats/risk: R-multiples, SQN, streaks, holds, Sharpe and Sortino, drawdowns, proven
against tests/analytics_oracle.py."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal.models import Account
from tests import analytics_oracle as oracle
from tests.factories import ZONES, examples, journal_owner, journals, make_trade, random_journal, read

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 3, 15, tzinfo=UTC)
KEYS = ["trades_with_r", "avg_r", "total_r", "sqn", "max_win_streak", "max_loss_streak", "current_streak",
        "avg_hold_seconds", "avg_hold_seconds_win", "avg_hold_seconds_loss", "trading_days", "sharpe", "sortino",
        "max_drawdown", "max_drawdown_pct"]  # fmt: skip


def trade(user, net: str = "10", *, n: int = 0, hold: timedelta = timedelta(minutes=5), side: str = "long", **fields):
    """The n-th closed trade (exits a day apart) of quantity 1 at 100, netting `net` (x multiplier)."""
    entry = T0 + timedelta(days=n)
    move = Decimal(net) if side == "long" else -Decimal(net)
    values = {"entry_price": Decimal(100), "exit_price": Decimal(100) + move, "entry_time": entry,
              "exit_time": entry + hold, "side": side}  # fmt: skip
    return make_trade(user, **(values | fields))


def risk(client, query: str = "") -> dict:
    return read(client, f"/api/v1/stats/risk{query}")


def test_no_trades(api):
    assert risk(api) == {
        "trades_with_r": 0, "avg_r": None, "total_r": 0, "sqn": None, "max_win_streak": 0, "max_loss_streak": 0,
        "current_streak": 0, "avg_hold_seconds": None, "avg_hold_seconds_win": None, "avg_hold_seconds_loss": None,
        "trading_days": 0, "sharpe": None, "sortino": None, "max_drawdown": None, "max_drawdown_pct": None,
    }  # fmt: skip


def test_one_trade(api, user):
    trade(user, "30", stop_loss=Decimal(90))
    assert risk(api) == {
        "trades_with_r": 1, "avg_r": 3, "total_r": 3, "sqn": None, "max_win_streak": 1, "max_loss_streak": 0,
        "current_streak": 1, "avg_hold_seconds": 300, "avg_hold_seconds_win": 300, "avg_hold_seconds_loss": None,
        "trading_days": 1, "sharpe": None, "sortino": None, "max_drawdown": 0, "max_drawdown_pct": None,
    }  # fmt: skip
    assert list(risk(api)) == KEYS


def test_r_uses_the_initial_risk_else_a_stop_on_the_losing_side(api, user):
    trade(user, "-20", n=0, initial_risk=Decimal(40), stop_loss=Decimal(99))  # initial_risk wins: -0.5 R
    trade(user, "10", n=1, side="short", stop_loss=Decimal(110))  # short, stop above: 10 / 10 = 1 R
    trade(user, "12", n=2, stop_loss=Decimal(98), multiplier=Decimal(2))  # 24 / (2 x 2) = 6 R
    assert (risk(api)["trades_with_r"], risk(api)["total_r"], risk(api)["avg_r"]) == (
        3,
        Decimal("6.5"),
        Decimal("2.17"),
    )


def test_a_stop_on_the_wrong_side_or_at_the_entry_gives_no_r(api, user):
    trade(user, "10", n=0, stop_loss=Decimal(101))
    trade(user, "10", n=1, stop_loss=Decimal(100))
    trade(user, "-10", n=2, side="short", stop_loss=Decimal(95))
    trade(user, "10", n=3)
    assert (risk(api)["trades_with_r"], risk(api)["avg_r"], risk(api)["total_r"]) == (0, None, 0)


def test_sqn_needs_30_trades_with_r(api, user):
    for n in range(29):
        trade(user, str(10 + n % 3), n=n, initial_risk=Decimal(10))
    assert (risk(api)["trades_with_r"], risk(api)["sqn"]) == (29, None)
    trade(user, "12", n=29, initial_risk=Decimal(10))
    # R = 1, 1.1, 1.2 ten times each: mean 1.1, sample stdev sqrt(0.2 / 29); sqrt(30) x 1.1 / 0.0830...
    assert risk(api)["sqn"] == Decimal("72.55")


def test_sqn_is_null_without_deviation(api, user):
    for n in range(30):
        trade(user, "10" if n % 2 else "20", n=n, initial_risk=Decimal(10) if n % 2 else Decimal(20))
    assert (risk(api)["trades_with_r"], risk(api)["avg_r"], risk(api)["sqn"]) == (30, 1, None)


@pytest.mark.parametrize(
    ("nets", "streaks"),
    [(["1", "2", "-1", "-1", "-1", "0", "5"], (2, 3, 1)), (["-1", "-2"], (0, 2, -2)), (["3", "0"], (1, 0, 0)),
     (["1", "0", "1", "1", "-1"], (2, 1, -1)), (["0", "0"], (0, 0, 0))],
)  # fmt: skip
def test_streaks_run_in_exit_order_and_a_breakeven_ends_them(api, user, nets, streaks):
    for n, net in reversed(list(enumerate(nets))):  # created out of order: exit order decides
        trade(user, net, n=n)
    body = risk(api)
    assert (body["max_win_streak"], body["max_loss_streak"], body["current_streak"]) == streaks


def test_equal_exit_times_are_ordered_by_id(api, user):
    first = trade(user, "-1")
    trade(user, "1")
    assert first.pk < first.__class__.objects.latest("id").pk
    assert risk(api)["current_streak"] == 1


def test_mean_holds_are_whole_seconds_rounded_half_up(api, user):
    trade(user, "5", n=0, hold=timedelta(seconds=1, microseconds=500_000))
    trade(user, "5", n=1, hold=timedelta(seconds=2))
    trade(user, "-5", n=2, hold=timedelta(hours=2))
    body = risk(api)
    # (1.5 + 2 + 7200) / 3 = 2401.1666..., wins (1.5 + 2) / 2 = 1.75
    assert (body["avg_hold_seconds"], body["avg_hold_seconds_win"], body["avg_hold_seconds_loss"]) == (2401, 2, 7200)


def test_sharpe_and_sortino_need_20_trading_days(api, user):
    for n in range(19):
        trade(user, ["10", "-5", "20"][n % 3], n=n)
    assert (risk(api)["trading_days"], risk(api)["sharpe"], risk(api)["sortino"]) == (19, None, None)
    trade(user, "10", n=19)
    body = risk(api)
    assert body["trading_days"] == 20
    assert body["sharpe"] is not None and body["sortino"] is not None


def test_sharpe_and_sortino_are_null_without_deviation(api, user):
    for n in range(20):
        trade(user, "10", n=n)
    assert (risk(api)["sharpe"], risk(api)["sortino"]) == (None, None)


def test_trading_days_are_exit_dates_in_the_zone(api, user):
    # 23:30 and 00:30 UTC: two days in UTC, one in New York (and one in Tokyo).
    for at in (datetime(2025, 3, 3, 23, 30, tzinfo=UTC), datetime(2025, 3, 4, 0, 30, tzinfo=UTC)):
        trade(user, entry_time=at, exit_time=at)
    assert risk(api)["trading_days"] == 2
    assert risk(api, "?tz=America/New_York")["trading_days"] == 1
    assert risk(api, "?tz=Asia/Tokyo")["trading_days"] == 1


def test_drawdowns_are_those_of_the_trade_by_trade_equity_curve(api, user):
    account = Account.objects.create(user=user, name="Main", starting_balance=Decimal(200))
    for n, net in enumerate(["-50", "100", "-75", "10"]):
        trade(user, net, n=n, account=account)
    query = f"?account={account.pk}"
    curve = read(api, f"/api/v1/stats/equity?interval=trade&account={account.pk}")
    body = risk(api, query)
    assert (body["max_drawdown"], body["max_drawdown_pct"]) == (curve["max_drawdown"], curve["max_drawdown_pct"])
    assert (body["max_drawdown"], body["max_drawdown_pct"]) == (75, 30)


@examples(80)
@given(
    rows=journals(accounts=1), zone=st.sampled_from(ZONES),
    balance=st.one_of(st.none(), st.integers(0, 10_000_000).map(lambda c: Decimal(c) / 100)),
)  # fmt: skip
def test_every_figure_matches_an_independent_computation(django_settings_override, rows, zone, balance):
    client, (account,) = journal_owner(rows, accounts=1, starting_balance=balance)
    body = risk(client, f"?tz={zone}&account={account.pk}")
    assert not (wrong := oracle.differences(body, oracle.risk(rows, zone, balance or Decimal(0)))), wrong


def test_the_risk_figures_of_thousands_of_random_trades_match(django_settings_override):
    client, rows, _ = random_journal(99, 2500)
    for zone in ("UTC", "America/New_York", "Asia/Kolkata"):
        assert risk(client, f"?tz={zone}") == oracle.risk(rows, zone), zone
