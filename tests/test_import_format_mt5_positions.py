"""MetaTrader 5 position history as CSV: a closed position per row, in English or Italian."""

from datetime import datetime
from decimal import Decimal

from imports.formats import base, mt5_positions
from tests.formats_helpers import NEW_YORK, reader

sample, parse = reader(mt5_positions)
ENGLISH = (
    "Trade History Report\n"
    "Time,Position,Symbol,Type,Volume,Price,S / L,T / P,Time,Price,Commission,Swap,Profit\n"
    "2025.04.29 14:35:38,36888042,USDCHF.Z,sell,0.02,0.82535,0.83516,0.81283,2025.05.08 22:21:36,0.83266,-0.1,-0.34,-17.56\n"
    ",,,,,,,,,,-0.1,-0.34,-17.56\n"
)


def test_the_second_time_and_price_columns_are_the_closing_ones():
    entry, exit_ = parse(sample("positions_it.csv")).fills[:2]
    assert (entry.side, entry.price, entry.time) == (
        base.BUY, Decimal("4577.86"), datetime(2026, 4, 30, 9, 37, 11, tzinfo=NEW_YORK),
    )  # fmt: skip
    assert (exit_.side, exit_.price, exit_.time) == (
        base.SELL, Decimal("4595.91"), datetime(2026, 4, 30, 10, 43, 9, tzinfo=NEW_YORK),
    )  # fmt: skip


def test_decimal_commas_and_the_profit_give_the_lot_size():
    fills = parse(sample("positions_it.csv")).fills
    assert {fill.multiplier for fill in fills} == {Decimal(100)}
    assert {fill.quantity for fill in fills} == {Decimal("0.33")}


def test_the_english_table_reads_the_same_way_and_a_totals_row_is_skipped():
    summary = parse(ENGLISH)
    entry, exit_ = summary.fills
    assert (entry.instrument, entry.side, exit_.side, exit_.price) == (
        "USDCHF.Z",
        base.SELL,
        base.BUY,
        Decimal("0.83266"),
    )
    assert (entry.commission, entry.fees) == (Decimal("0.1"), Decimal("0.34"))
    assert [skip.row for skip in summary.skipped] == [4]
