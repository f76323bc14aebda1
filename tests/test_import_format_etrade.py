"""E*TRADE transaction history CSV: what a trader sees after importing an E*TRADE download."""

from datetime import datetime
from decimal import Decimal

from imports.formats import base, etrade
from tests.formats_helpers import NEW_YORK, fill_at, reader

# The 2025 "All Transactions" download, as TradeTally's detection test writes its header and row.
ALL_TRANSACTIONS = (
    "Activity/Trade Date,Transaction Date,Settlement Date,Activity Type,Description,Symbol,Cusip,Quantity #,"
    "Price $,Amount $,Commission,Category,Note\n"
)
CLASSIC = "TransactionDate,TransactionType,SecurityType,Symbol,Quantity,Amount,Price,Commission,Description\n"
sample, parse = reader(etrade)


def test_the_for_account_line_names_the_account_and_a_plain_sold_closes():
    summary = parse(sample("etrade_transactions.csv"))
    sold, bought = fill_at(summary, 5), fill_at(summary, 7)
    assert sold.account == base.AccountRef("####3525", None, "USD")
    assert (sold.side, sold.effect, bought.side, bought.effect) == (base.SELL, base.CLOSE, base.BUY, None)


def test_same_day_rows_listed_newest_first_are_timed_in_the_order_they_happened():
    summary = parse(sample("etrade_transactions.csv"))  # 02/24/23: Sold above the two buys
    assert [fill_at(summary, row).time for row in (16, 15, 14)] == [
        datetime(2023, 2, 24, 16, 0, second, tzinfo=NEW_YORK) for second in (0, 1, 2)
    ]


def test_the_all_transactions_layout_reads_an_option_by_its_occ_symbol():
    row = "07/10/26,07/10/26,07/13/26,Bought To Open,PUT MDB 07/17/26 312.500,MDB,--,5,2.18,-1091.81,1.81,--,--\n"
    (fill,) = parse(ALL_TRANSACTIONS + row).fills
    assert (fill.instrument, fill.asset_class, fill.multiplier, fill.effect) == (
        "MDB260717P00312500", base.OPTION, 100, base.OPEN,
    )  # fmt: skip
    assert (fill.quantity, fill.price, fill.commission) == (5, Decimal("2.18"), Decimal("1.81"))


def test_an_expired_option_closes_at_zero_on_the_side_its_quantity_states():
    row = "07/17/26,07/17/26,07/17/26,Option Expired,PUT MDB 07/17/26 312.500,MDB,--,-5,--,0,0,--,--\n"
    (fill,) = parse(ALL_TRANSACTIONS + row).fills
    assert (fill.side, fill.price, fill.effect) == (base.SELL, 0, base.CLOSE)


def test_dividends_and_transfers_are_skipped_and_an_unknown_priced_activity_is_an_error():
    summary = parse(
        CLASSIC + "12/31/19,Dividend,MF,JSPGX,0,18.95,0,0,JANUS\n"
        "12/30/19,Mystery,EQ,AAPL,1,-10,10,0,APPLE\n"
        "12/29/19,Sold,EQ,AAPL,-1,10,1o,0,APPLE\n"
    )
    assert [(skip.row, skip.reason) for skip in summary.skipped] == [(2, "dividend, not a trade")]
    assert [error.row for error in summary.errors] == [3, 4]
