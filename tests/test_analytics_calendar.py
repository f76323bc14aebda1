"""GET /api/v1/stats/calendar: net P&L per exit date, proven against tests/analytics_oracle.py."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import analytics_oracle as oracle
from tests.factories import (
    ZONES,
    examples,
    in_cents,
    journal_owner,
    journals,
    make_trade,
    random_journal,
    random_trade_row,
    read,
)

pytestmark = pytest.mark.django_db


def trade(user, net: str, exit_time: datetime, **fields):
    """A closed long trade of quantity 1 netting `net`, entered an hour before `exit_time`."""
    return make_trade(user, entry_price=Decimal(100), exit_price=Decimal(100) + Decimal(net),
                      entry_time=exit_time - timedelta(hours=1), exit_time=exit_time, **fields)  # fmt: skip


def test_no_trades_is_an_empty_calendar(api):
    assert read(api, "/api/v1/stats/calendar?month=2025-03") == {"tz": "UTC", "net_pnl": 0, "days": []}


def test_days_with_closed_trades_by_exit_date(api, user):
    trade(user, "10", datetime(2025, 3, 3, 14, tzinfo=UTC))
    trade(user, "-4", datetime(2025, 3, 3, 20, tzinfo=UTC))
    trade(user, "0", datetime(2025, 3, 5, 9, tzinfo=UTC))
    make_trade(user, exit_time=None, exit_price=None, entry_time=datetime(2025, 3, 4, tzinfo=UTC))
    assert read(api, "/api/v1/stats/calendar?month=2025-03") == {
        "tz": "UTC", "net_pnl": 6,
        "days": [
            {"date": "2025-03-03", "total_trades": 2, "wins": 1, "losses": 1, "net_pnl": 6},
            {"date": "2025-03-05", "total_trades": 1, "wins": 0, "losses": 0, "net_pnl": 0},
        ],
    }  # fmt: skip


def test_a_trade_crossing_midnight_in_the_zone_is_on_that_zones_date(api, user):
    # 03:30 UTC on March 1st is still February 28th in New York, and March 1st in Berlin.
    trade(user, "10", datetime(2025, 3, 1, 3, 30, tzinfo=UTC))
    assert read(api, "/api/v1/stats/calendar?month=2025-02&tz=America/New_York")["days"][0]["date"] == "2025-02-28"
    assert read(api, "/api/v1/stats/calendar?month=2025-03&tz=America/New_York")["days"] == []
    assert read(api, "/api/v1/stats/calendar?month=2025-03&tz=Europe/Berlin")["days"][0]["date"] == "2025-03-01"


def test_days_across_a_dst_change_are_whole_local_days(api, user):
    tz = "&tz=Europe/Berlin"
    # 2025-03-30 has 23 hours in Berlin: 22:59 UTC on the 29th is 23:59 CET, 22:00 UTC on the 30th 00:00 CEST.
    trade(user, "1", datetime(2025, 3, 29, 22, 59, tzinfo=UTC))
    trade(user, "2", datetime(2025, 3, 29, 23, 0, tzinfo=UTC))
    trade(user, "3", datetime(2025, 3, 30, 21, 59, tzinfo=UTC))
    trade(user, "4", datetime(2025, 3, 30, 22, 0, tzinfo=UTC))
    days = read(api, f"/api/v1/stats/calendar?month=2025-03{tz}")["days"]
    assert [(d["date"], d["net_pnl"]) for d in days] == [("2025-03-29", 1), ("2025-03-30", 5), ("2025-03-31", 4)]


def test_a_year_or_every_day(api, user):
    trade(user, "10", datetime(2024, 12, 31, 12, tzinfo=UTC))
    trade(user, "20", datetime(2025, 6, 1, 12, tzinfo=UTC))
    assert [d["date"] for d in read(api, "/api/v1/stats/calendar?year=2025")["days"]] == ["2025-06-01"]
    assert read(api, "/api/v1/stats/calendar")["net_pnl"] == 30
    assert read(api, "/api/v1/stats/calendar?month=&year=")["net_pnl"] == 30


def test_the_total_is_the_exact_sum_rounded_once(api, user):
    for hour in range(3):
        trade(user, "0.004", datetime(2025, 3, 3 + hour, 12, tzinfo=UTC))
    body = read(api, "/api/v1/stats/calendar?month=2025-03")
    assert [d["net_pnl"] for d in body["days"]] == [0, 0, 0]
    assert body["net_pnl"] == Decimal("0.01")  # 0.012, not 0 + 0 + 0


def test_days_add_up_to_the_periods_net_pnl_and_to_stats(django_settings_override):
    rng = random.Random(7)
    client, _ = journal_owner(in_cents([random_trade_row(rng) for _ in range(400)]))
    body = read(client, "/api/v1/stats/calendar?tz=Asia/Kolkata")
    assert sum(d["net_pnl"] for d in body["days"]) == body["net_pnl"] == read(client, "/api/v1/stats")["net_pnl"]
    for year in ("2024", "2025", "2026"):
        by_year = read(client, f"/api/v1/stats/calendar?year={year}&tz=Asia/Kolkata")
        assert sum(d["net_pnl"] for d in by_year["days"]) == by_year["net_pnl"]


@examples(60)
@given(
    rows=journals(), zone=st.sampled_from(ZONES),
    period=st.one_of(st.just({}), st.sampled_from(["2025-03", "2025-10", "2025-11", "2024-02"]).map(lambda m: {"month": m}),
                     st.sampled_from(["2024", "2025"]).map(lambda y: {"year": y})),
)  # fmt: skip
def test_every_figure_matches_an_independent_computation(django_settings_override, rows, zone, period):
    client, _ = journal_owner(rows)
    query = "".join(f"&{name}={value}" for name, value in period.items())
    body = read(client, f"/api/v1/stats/calendar?tz={zone}{query}")
    assert not (wrong := oracle.differences(body, oracle.calendar(rows, zone, **period))), wrong


def test_the_calendar_of_thousands_of_random_trades_matches(django_settings_override):
    client, rows, _ = random_journal(1313, 2500)
    for zone in ("UTC", "Pacific/Chatham", "America/St_Johns"):
        assert read(client, f"/api/v1/stats/calendar?tz={zone}") == oracle.calendar(rows, zone), zone
        assert read(client, f"/api/v1/stats/calendar?tz={zone}&year=2025") == oracle.calendar(rows, zone, year="2025")
