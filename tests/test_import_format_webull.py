"""Webull (US) orders export: what a trader sees after importing a Webull file."""

from datetime import UTC, datetime
from decimal import Decimal

from imports.formats import base, webull
from tests.formats_helpers import HEADERS, fill_at, reader

HEADER = HEADERS["webull"] + "\n"
sample, parse = reader(webull)


def test_a_time_carries_the_zone_webull_wrote_whatever_the_import_tz():
    assert fill_at(parse(sample("webull_orders.csv")), 2).time == datetime(2026, 3, 30, 13, 31, 5, tzinfo=UTC)
    regional = fill_at(parse(sample("webull_orders_regional.csv")), 3)
    assert regional.time == datetime(2026, 7, 20, 12, 3, 36, tzinfo=UTC)


def test_an_order_never_filled_is_skipped_and_a_limit_price_is_not_the_fill_price():
    rows = (
        "Apple Inc,AAPL,Buy,Filled,100,100,@187.50,187.40,DAY,03/02/2026 09:31:00 EST,03/02/2026 09:31:05 EST\n"
        "Apple Inc,AAPL,Sell,Cancelled,0,100,@195.00,,GTC,03/02/2026 09:40:00 EST,\n"
    )
    summary = parse(HEADER + rows)
    assert [fill.price for fill in summary.fills] == [Decimal("187.40")]
    assert [(skip.row, skip.reason) for skip in summary.skipped] == [(3, "order cancelled, not filled")]


def test_the_older_export_without_an_average_price_takes_the_price():
    older = "Name,Symbol,Side,Status,Filled,Price,Time-in-Force,Placed Time,Filled Time\n"
    (fill,) = parse(older + "Apple Inc,AAPL,Buy,Filled,100,150.00,Day,01/01/2025 09:30:00,01/01/2025 09:30:00\n").fills
    assert (fill.price, fill.time.utcoffset().total_seconds()) == (150, -5 * 3600)  # no zone written: the import's


def test_an_option_is_an_occ_symbol_with_its_side_type_as_effect():
    summary = parse(sample("webull_options.csv"))
    assert [(f.asset_class, f.multiplier, f.effect) for f in summary.fills] == [
        (base.OPTION, 100, base.OPEN), (base.OPTION, 100, base.CLOSE),
    ]  # fmt: skip
