"""TradeTally trade export: what a trader moving from TradeTally sees after importing it."""

from datetime import datetime
from decimal import Decimal

from imports.formats import base, tradetally
from tests.formats_helpers import HEADERS, NEW_YORK, reader

sample, parse = reader(tradetally)
HEADER = HEADERS["tradetally"] + "\n"


def fills_of(summary: base.Summary, row: int) -> list[base.Fill]:
    return [fill for fill in summary.fills if fill.row == row]


def test_a_dated_trade_opens_and_closes_at_the_close_in_order_with_its_notes_tags_and_costs():
    entry, exit_fill = fills_of(parse(sample("tradetally_export.csv")), 2)
    assert (entry.time, exit_fill.time) == (
        datetime(2025, 7, 14, 16, tzinfo=NEW_YORK), datetime(2025, 7, 14, 16, 0, 1, tzinfo=NEW_YORK),
    )  # fmt: skip
    assert (entry.trade["notes"], entry.trade["tags"], entry.trade["setup_type"]) == (
        "Breakout trade on earnings", ["earnings", "breakout"], "Breakout",
    )  # fmt: skip
    assert (entry.commission, entry.fees) == (Decimal("2.00"), Decimal("0.50"))


def test_an_option_is_named_by_its_occ_symbol_and_a_guarded_cell_is_read_without_its_apostrophe():
    entry, _ = fills_of(parse(sample("tradetally_export.csv")), 3)
    assert (entry.instrument, entry.multiplier, entry.side) == ("IAG250221P00006000", 100, base.SELL)
    guarded = parse(HEADER + "AAPL,long,1,10,11,2025-07-14,2025-07-15,1,0,0,'=SUM(A1),,,,,Closed,stock,,,,\n")
    assert fills_of(guarded, 2)[0].trade["notes"] == "=SUM(A1)"


def test_an_open_trade_is_an_entry_alone():
    assert len(fills_of(parse(sample("tradetally_export.csv")), 4)) == 1
