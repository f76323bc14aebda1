"""Tradervue trade export: what a trader moving from Tradervue sees after importing it."""

from decimal import Decimal

from imports.formats import base, tradervue
from tests.formats_helpers import HEADERS, reader

# The full export's header, as other importers' tests write it.
FULL = (
    "Open Datetime,Close Datetime,Symbol,Side,Volume,Exec Count,Entry Price,Exit Price,Gross P&L,Gross P&L (%),"
    "Shared,Notes,Tags,Gross P&L (t),Net P&L,Commissions,Fees,Initial Risk,P&L (R),Position MFE,Position MAE,"
    "Price MFE,Price MAE,Position MFE Datetime,Position MAE Datetime,Price MFE Datetime,Price MAE Datetime,"
    "Best Exit P&L,Best Exit Datetime\n"
)
sample, parse = reader(tradervue)


def test_a_row_is_an_entry_and_an_exit_with_its_notes_and_tags_on_the_entry():
    summary = parse(sample("tradervue_trades.csv"))
    entry, exit_fill = [fill for fill in summary.fills if fill.row == 2]
    assert (entry.side, entry.effect, exit_fill.side, exit_fill.effect) == (base.BUY, base.OPEN, base.SELL, base.CLOSE)
    assert (entry.trade["notes"], entry.trade["tags"]) == ("first trade", ["personal", "breakout"])
    short_entry = next(fill for fill in summary.fills if fill.row == 4)
    assert (short_entry.side, short_entry.effect) == (base.SELL, base.OPEN)  # S: a short opens with a sale


def test_the_full_export_gives_commissions_fees_and_initial_risk():
    row = (
        "2024-10-23 09:30:00,2024-10-23 15:45:00,AAPL,L,1000,3,175.50,178.25,2750.00,1.57,No,Test trade,momentum,"
        "2750.00,2740.00,5.00,5.00,1000.00,2.75R,3000.00,-200.00,179.50,174.80,2024-10-23 14:30:00,"
        "2024-10-23 10:15:00,2024-10-23 14:30:00,2024-10-23 10:15:00,3000.00,2024-10-23 14:30:00\n"
    )
    entry = parse(FULL + row).fills[0]
    assert (entry.commission, entry.fees, entry.trade["initial_risk"]) == (5, 5, 1000)


def test_a_future_takes_its_point_value_from_the_gross_pnl():
    row = "2025-01-02 09:30:00,2025-01-02 09:40:00,ESH5,L,2,2,6000,6010,1000.00,0.17,false,,\n"
    assert parse(HEADERS["tradervue"] + "\n" + row).fills[0].multiplier == Decimal(50)
