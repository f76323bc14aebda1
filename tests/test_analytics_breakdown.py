"""GET /api/v1/stats/breakdown: /stats per bucket, proven against tests/analytics_oracle.py."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.breakdown import breakdown
from analytics.params import BREAKDOWNS
from journal.models import Account, Tag, Trade, TradeTag
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
)  # fmt: skip

pytestmark = pytest.mark.django_db

SUNDAY = datetime(2025, 3, 9, 18, tzinfo=UTC)
BUCKET_KEYS = ["key", "total_trades", "wins", "losses", "breakeven", "win_rate", "net_pnl", "gross_profit",
               "gross_loss", "profit_factor", "avg_win", "avg_loss", "expectancy", "avg_r"]  # fmt: skip
EMPTY = {"total_trades": 0, "wins": 0, "losses": 0, "breakeven": 0, "win_rate": None, "net_pnl": 0,
         "gross_profit": 0, "gross_loss": 0, "profit_factor": None, "avg_win": None, "avg_loss": None,
         "expectancy": None, "avg_r": None}  # fmt: skip


def trade(user, net: str = "10", *, entry: datetime = SUNDAY, hold: timedelta = timedelta(hours=1), **fields):
    """A closed long trade of quantity 1 netting `net`."""
    return make_trade(user, entry_price=Decimal(100), exit_price=Decimal(100) + Decimal(net), entry_time=entry,
                      exit_time=entry + hold, **fields)  # fmt: skip


def buckets(client, by: str, query: str = "") -> dict:
    return {b["key"]: b for b in read(client, f"/api/v1/stats/breakdown?by={by}{query}")["data"]}


def test_keys_are_the_contracts_in_its_order(api, user):
    trade(user)
    body = read(api, "/api/v1/stats/breakdown?by=instrument&tz=Europe/Berlin")
    assert (list(body), body["by"], body["tz"]) == (["by", "tz", "data"], "instrument", "Europe/Berlin")
    assert list(body["data"][0]) == BUCKET_KEYS


def test_no_trades_list_only_the_fixed_scales_with_zeros(api):
    assert read(api, "/api/v1/stats/breakdown?by=weekday")["data"] == [
        {"key": day, **EMPTY} for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    ]
    assert [b["key"] for b in read(api, "/api/v1/stats/breakdown?by=hour")["data"]] == list(range(24))
    assert [b["key"] for b in read(api, "/api/v1/stats/breakdown?by=hold_time")["data"]] == [
        "<1m",
        "1-5m",
        "5-15m",
        "15-60m",
        "1-4h",
        "4-24h",
        "1d+",
    ]
    for by in ("instrument", "setup_type", "side", "account", "tag", "month"):
        assert read(api, f"/api/v1/stats/breakdown?by={by}")["data"] == [], by


def test_one_trade_is_one_bucket(api, user):
    trade(user, "12.5", initial_risk=Decimal(25))
    assert read(api, "/api/v1/stats/breakdown?by=instrument")["data"] == [{
        "key": "BTCUSDT", "total_trades": 1, "wins": 1, "losses": 0, "breakeven": 0, "win_rate": 100,
        "net_pnl": Decimal("12.5"), "gross_profit": Decimal("12.5"), "gross_loss": 0, "profit_factor": None,
        "avg_win": Decimal("12.5"), "avg_loss": None, "expectancy": Decimal("12.5"), "avg_r": Decimal("0.5"),
    }]  # fmt: skip


def test_all_breakevens_count_in_total_but_are_neither_wins_nor_losses(api, user):
    trade(user, "0")
    trade(user, "0")
    (bucket,) = read(api, "/api/v1/stats/breakdown?by=side")["data"]
    assert (bucket["total_trades"], bucket["wins"], bucket["losses"], bucket["breakeven"]) == (2, 0, 0, 2)
    assert (bucket["win_rate"], bucket["profit_factor"], bucket["expectancy"]) == (0, None, 0)


def test_all_losses_have_profit_factor_zero_and_all_wins_have_none(api, user):
    # The contract: profit_factor = gross_profit / gross_loss, null only when there is no loss.
    trade(user, "-10", instrument="ES")
    trade(user, "-30", instrument="ES")
    trade(user, "20", instrument="NQ")
    body = buckets(api, "instrument")
    assert (body["ES"]["profit_factor"], body["ES"]["avg_win"], body["ES"]["avg_loss"]) == (0, None, -20)
    assert (body["NQ"]["profit_factor"], body["NQ"]["avg_loss"]) == (None, None)


def test_a_sunday_trade_is_in_the_sun_bucket(api, user):
    trade(user, "10")
    by_day = buckets(api, "weekday")
    assert (by_day["Sun"]["total_trades"], sum(b["total_trades"] for b in by_day.values())) == (1, 1)
    # Saturday evening in New York is Sunday in Tokyo (and the Sunday evening trade is Monday there).
    trade(user, "5", entry=datetime(2025, 3, 8, 23, tzinfo=UTC))
    new_york, tokyo = buckets(api, "weekday", "&tz=America/New_York"), buckets(api, "weekday", "&tz=Asia/Tokyo")
    assert (new_york["Sat"]["total_trades"], new_york["Sun"]["total_trades"]) == (1, 1)
    assert (tokyo["Sun"]["total_trades"], tokyo["Mon"]["total_trades"]) == (1, 1)


def test_weekday_and_hour_are_the_entrys_in_the_zone_and_month_the_exits(api, user):
    # Entered Monday 23:30 in Berlin (22:30 UTC), exited two days later on April 1st in Berlin.
    entry = datetime(2025, 3, 31, 21, 30, tzinfo=UTC)
    trade(user, "10", entry=entry, hold=timedelta(hours=1))
    berlin = "&tz=Europe/Berlin"
    assert buckets(api, "weekday", berlin)["Mon"]["total_trades"] == 1
    assert buckets(api, "hour", berlin)[23]["total_trades"] == 1
    assert buckets(api, "hour")[21]["total_trades"] == 1
    assert list(buckets(api, "month", berlin)) == ["2025-04"]
    assert list(buckets(api, "month")) == ["2025-03"]


def test_hours_follow_the_clock_across_dst_changes(api, user):
    tz = "&tz=America/New_York"
    for entry in ("2025-03-09T06:30:00", "2025-03-09T07:30:00", "2025-11-02T05:30:00", "2025-11-02T06:30:00"):
        trade(user, "1", entry=datetime.fromisoformat(entry).replace(tzinfo=UTC))
    # Spring forward: 01:30 EST, then 03:30 EDT. Fall back: 01:30 EDT, then 01:30 EST again.
    hours = {hour: b["total_trades"] for hour, b in buckets(api, "hour", tz).items() if b["total_trades"]}
    assert hours == {1: 3, 3: 1}


@pytest.mark.parametrize(
    ("hold", "bucket"),
    [(timedelta(seconds=59, microseconds=999_999), "<1m"), (timedelta(minutes=1), "1-5m"),
     (timedelta(minutes=15), "15-60m"), (timedelta(hours=3, minutes=59), "1-4h"),
     (timedelta(hours=23, minutes=59, seconds=59), "4-24h"), (timedelta(days=1), "1d+"), (timedelta(days=400), "1d+"),
     (timedelta(0), "<1m")],
)  # fmt: skip
def test_hold_time_buckets_include_their_lower_bound(api, user, hold, bucket):
    trade(user, "1", hold=hold)
    assert {key for key, b in buckets(api, "hold_time").items() if b["total_trades"]} == {bucket}


def test_a_trade_with_several_tags_counts_under_each_and_untagged_ones_under_null(api, user):
    tagged, untagged = trade(user, "10"), trade(user, "-4")
    for name in ("momentum", "A+"):
        TradeTag.objects.create(trade=tagged, tag=Tag.objects.create(user=user, name=name))
    body = read(api, "/api/v1/stats/breakdown?by=tag")["data"]
    assert [(b["key"], b["total_trades"], b["net_pnl"]) for b in body] == [("A+", 1, 10), ("momentum", 1, 10),
                                                                          (None, 1, -4)]  # fmt: skip
    assert untagged.tags.count() == 0


def test_by_tag_counts_every_tag_of_trades_selected_through_a_tag(user):
    # A filter joining the tags must not narrow the tags the breakdown groups by.
    both = trade(user, "10")
    first, second = Tag.objects.create(user=user, name="first"), Tag.objects.create(user=user, name="second")
    TradeTag.objects.bulk_create([TradeTag(trade=both, tag=first), TradeTag(trade=both, tag=second)])
    selected = Trade.objects.filter(user=user, tags__name="first", exit_time__isnull=False)
    assert [b["key"] for b in breakdown(selected, by="tag", zone=datetime.now(UTC).tzinfo)] == ["first", "second"]


def test_setup_types_group_in_any_case_and_none_is_null(api, user):
    trade(user, setup_type="Breakout")
    trade(user, setup_type="breakout")
    trade(user, setup_type="")
    assert {k: b["total_trades"] for k, b in buckets(api, "setup_type").items()} == {"breakout": 2, None: 1}


def test_accounts_are_keyed_by_id_with_no_account_last(api, user):
    accounts = [Account.objects.create(user=user, name=name) for name in ("b", "a", "c")]
    for account in (accounts[2], accounts[0], None):
        trade(user, account=account)
    keys = [b["key"] for b in read(api, "/api/v1/stats/breakdown?by=account")["data"]]
    assert keys == [*sorted([accounts[0].pk, accounts[2].pk]), None]


def test_a_stop_on_the_wrong_side_gives_no_r(api, user):
    trade(user, "10", stop_loss=Decimal(105))  # long, stop above the entry
    trade(user, "10", side="short", stop_loss=Decimal(95), entry=SUNDAY + timedelta(hours=1))  # short, below
    trade(user, "10", stop_loss=Decimal(100), entry=SUNDAY + timedelta(hours=2))  # at the entry: no risk
    assert read(api, "/api/v1/stats/breakdown?by=instrument")["data"][0]["avg_r"] is None
    trade(user, "10", stop_loss=Decimal(96), quantity=Decimal(2), entry=SUNDAY + timedelta(hours=3))
    # net 10 - (100 - 96) x 2 ... the long of quantity 2 nets 2 x 10 = 20 over a risk of 8: 2.5 R.
    assert read(api, "/api/v1/stats/breakdown?by=instrument")["data"][0]["avg_r"] == Decimal("2.5")


def test_wins_losses_and_breakevens_add_up_in_every_bucket_and_buckets_add_up_to_stats(django_settings_override):
    rng = random.Random(13)
    client, _ = journal_owner(in_cents([random_trade_row(rng) for _ in range(600)]))
    stats = read(client, "/api/v1/stats")
    for by in BREAKDOWNS:
        data = read(client, f"/api/v1/stats/breakdown?by={by}&tz=America/New_York")["data"]
        for bucket in data:
            assert bucket["wins"] + bucket["losses"] + bucket["breakeven"] == bucket["total_trades"], (by, bucket)
        if by == "tag":
            continue
        for figure in ("total_trades", "wins", "losses", "breakeven", "net_pnl", "gross_profit", "gross_loss"):
            assert sum(b[figure] for b in data) == stats[figure], (by, figure)


@examples(80)
@given(rows=journals(accounts=2), zone=st.sampled_from(ZONES), by=st.sampled_from(BREAKDOWNS))
def test_every_figure_matches_an_independent_computation(django_settings_override, rows, zone, by):
    client, accounts = journal_owner(rows, accounts=2)
    body = read(client, f"/api/v1/stats/breakdown?by={by}&tz={zone}")
    expected = {"by": by, "tz": zone, "data": oracle.breakdown(rows, by, zone, [a.pk for a in accounts])}
    assert not (wrong := oracle.differences(body, expected)), wrong


def test_every_breakdown_of_thousands_of_random_trades_matches(django_settings_override):
    client, rows, accounts = random_journal(20251125, 2500, accounts=3)
    for by in BREAKDOWNS:
        for zone in ("UTC", "Australia/Lord_Howe"):
            body = read(client, f"/api/v1/stats/breakdown?by={by}&tz={zone}")
            assert body["data"] == oracle.breakdown(rows, by, zone, [a.pk for a in accounts]), (by, zone)
