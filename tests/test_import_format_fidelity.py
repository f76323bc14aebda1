"""Fidelity account history CSV: what a trader sees after importing a Fidelity export."""

from datetime import datetime
from decimal import Decimal

from imports.formats import base, fidelity
from tests.formats_helpers import NEW_YORK, fill_at, reader

# The current export, several accounts in one file (the layout TradeTally's detection test reads).
CURRENT = (
    "Run Date,Account,Account Number,Action,Symbol,Description,Type,Price ($),Quantity,Commission ($),Fees ($),"
    "Amount ($),Settlement Date\n"
)
sample, parse = reader(fidelity)


def test_a_cash_account_sale_closes_and_a_margin_sale_leaves_it_to_the_position():
    assert fill_at(parse(sample("fidelity_history_2023.csv")), 9).effect == base.CLOSE  # Cash
    margin = parse(
        CURRENT + "07-07-2026,TRADING,Z123,YOU SOLD AAPL,AAPL,APPLE INC,Margin,155,-10,0,0,1550,07-08-2026\n"
    )
    assert (margin.fills[0].side, margin.fills[0].effect) == (base.SELL, None)
    short = parse(CURRENT + "07-07-2026,TRADING,Z123,YOU SOLD SHORT AAPL,AAPL,APPLE INC,Margin,155,-10,0,0,1550,\n")
    assert short.fills[0].effect == base.OPEN


def test_an_option_is_named_by_its_occ_symbol_with_100_shares_a_contract():
    option = fill_at(parse(sample("fidelity_history_2017.csv")), 13)
    assert (option.instrument, option.asset_class, option.multiplier) == ("SPY180322P00198000", base.OPTION, 100)
    assert (option.commission, option.fees, option.effect) == (Decimal("24.45"), Decimal("0.86"), base.OPEN)


def test_the_current_layout_with_an_account_number_column_and_dashed_dates_reads():
    summary = parse(
        CURRENT + "07-07-2026,ROTH IRA,123,YOU BOUGHT AAPL,AAPL,APPLE INC,Cash,155,10,0,0,-1550,07-08-2026\n"
    )
    (fill,) = summary.fills
    assert fill.account == base.AccountRef("123", "ROTH IRA", "USD")
    assert fill.time == datetime(2026, 7, 7, 16, tzinfo=NEW_YORK)


def test_the_disclaimer_below_the_table_is_not_a_row():
    summary = parse(sample("fidelity_history_2023.csv"))
    assert summary.rows_total == 19 and not summary.errors


def test_a_bad_date_or_number_is_an_error_on_its_row_and_an_unknown_priced_action_is_not_skipped():
    bad = sample("fidelity_history_2023.csv").decode().replace(" 05/26/2023,", " 05/36/2023,")
    bad = bad.replace("Cash,-4,109.76", "Cash,-4,109x76")
    assert [error.row for error in parse(bad).errors] == [12, 14]
    odd = parse(CURRENT + "07-07-2026,X,1,MYSTERY,AAPL,APPLE INC,Cash,155,10,0,0,-1550,\n")
    assert [error.row for error in odd.errors] == [2]
