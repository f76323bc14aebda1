"""ProjectX (TopstepX) Trades export: a row is a round trip with its own offsets, gross PnL and costs."""

from datetime import UTC, datetime
from decimal import Decimal

from imports.formats import base, projectx_trades
from tests.formats_helpers import reader

sample, parse = reader(projectx_trades)


def test_a_short_round_trip_with_its_costs_on_the_entry_fill():
    entry, exit_ = parse(sample("topstepx_trades.csv")).fills
    assert (entry.instrument, entry.side, entry.quantity, entry.price) == ("MNQU6", base.SELL, 3, Decimal("30182.5"))
    assert (exit_.side, exit_.price) == (base.BUY, Decimal("30148.75"))
    assert (entry.commission, entry.fees, exit_.commission, exit_.fees) == (Decimal("1.5"), Decimal("2.22"), 0, 0)


def test_times_keep_the_offset_the_export_wrote():
    entry, exit_ = parse(sample("topstepx_trades.csv")).fills
    assert entry.time == datetime(2026, 7, 2, 14, 10, 8, tzinfo=UTC)
    assert exit_.time == datetime(2026, 7, 2, 14, 10, 48, tzinfo=UTC)


def test_gross_pnl_states_the_point_value_in_either_layout():
    assert {fill.multiplier for fill in parse(sample("topstepx_trades.csv")).fills} == {Decimal(2)}
    assert {fill.multiplier for fill in parse(sample("topstepx_trades_2024.csv")).fills} == {Decimal(20)}


def test_a_type_other_than_long_or_short_is_an_error_on_its_row():
    text = base.decode(sample("topstepx_trades_2024.csv")).replace(",Short,", ",Flat,")
    assert [(error.row, "Flat" in error.message) for error in parse(text).errors] == [(2, True)]
