"""tastytrade transactions CSV: what a trader sees after importing a tastytrade export."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from imports.formats import base, tastytrade
from tests.formats_helpers import NEW_YORK, fill_at, reader

sample, parse = reader(tastytrade)


def test_an_option_sale_to_open_is_a_short_opening_fill_with_its_costs():
    fill = fill_at(parse(sample("tastytrade_transactions.csv")), 4)
    assert (fill.instrument, fill.side, fill.effect) == ("SCHG 240920C00099000", base.SELL, base.OPEN)
    assert (fill.quantity, fill.price) == (1, Decimal("3.70"))
    assert (fill.commission, fill.fees) == (Decimal("1.00"), Decimal("0.15"))
    assert fill.multiplier == 100
    assert fill.asset_class == base.OPTION
    assert fill.account == base.AccountRef(currency="USD")


def test_the_files_offset_wins_over_the_import_tz():
    in_new_york = fill_at(parse(sample("tastytrade_transactions.csv"), NEW_YORK), 4)
    in_utc = fill_at(parse(sample("tastytrade_transactions.csv"), ZoneInfo("UTC")), 4)
    assert in_new_york.time == in_utc.time == datetime(2024, 8, 16, 13, 57, 13, tzinfo=UTC)


def test_a_stock_price_comes_from_the_money_not_the_rounded_description():
    summary = parse(sample("tastytrade_transactions.csv"))
    assert fill_at(summary, 14).price == Decimal("89.4501")  # "Sold 100 SCHG @ 89.45" for 8,945.01
    assert fill_at(summary, 18).price == Decimal("50.369")  # "Bought 100 ICSH @ 50.37" for 5,036.90
    assert fill_at(summary, 14).multiplier is None


def test_an_assignment_closes_the_short_option_at_zero_and_delivers_the_shares():
    summary = parse(sample("tastytrade_transactions.csv"))
    option, shares = fill_at(summary, 6), fill_at(summary, 7)
    assert (option.side, option.effect, option.price) == (base.BUY, base.CLOSE, 0)
    assert (shares.instrument, shares.side, shares.quantity, shares.price) == ("SCHG", base.BUY, 100, 103)
    assert shares.fees == Decimal("5.00")


def test_a_futures_option_takes_its_point_value_from_the_money_not_the_multiplier_column():
    fill = fill_at(parse(sample("tastytrade_futures.csv")), 5)  # Sold 2 @ 22.0 for 220.00, Multiplier 1
    assert (fill.price, fill.multiplier, fill.asset_class) == (Decimal("22.0"), 5, base.FUTURE_OPTION)


def test_an_expiration_closes_at_zero_on_the_side_the_action_states():
    summary = parse(sample("tastytrade_futures.csv"))
    assert (fill_at(summary, 2).side, fill_at(summary, 2).price) == (base.BUY, 0)
    assert (fill_at(summary, 3).side, fill_at(summary, 3).effect) == (base.SELL, base.CLOSE)


def test_a_future_keeps_the_described_price_because_its_value_is_the_settlement():
    fill = fill_at(parse(sample("tastytrade_futures.csv")), 9)  # Sold 1 /CLJ4 @ 79.53, Value -160.00
    assert (fill.instrument, fill.price, fill.multiplier) == ("/CLJ4", Decimal("79.53"), None)
    assert fill.asset_class == base.FUTURE
    assert fill.effect is None  # "Sell" does not say whether it opens or closes


def test_an_expiration_without_action_closes_the_position_the_file_opened():
    summary = parse(sample("tastytrade_legacy.csv"))
    assert fill_at(summary, 3).side == base.BUY  # WKHS call sold to open on row 7
    assert fill_at(summary, 8).side == base.BUY  # RKLB put sold to open on row 14
    assert fill_at(summary, 15).side == base.BUY  # an assignment: only a short option is assigned


def test_an_expiration_of_a_position_opened_before_the_file_is_skipped_not_guessed():
    summary = parse(sample("tastytrade_legacy.csv"))
    assert [skip.reason for skip in summary.skipped if skip.row == 9] == [tastytrade.UNKNOWN_SIDE]


def test_identical_fills_stay_two_fills():
    summary = parse(sample("tastytrade_transactions.csv"))
    assert fill_at(summary, 21) == replace(fill_at(summary, 22), row=21)


def test_the_order_number_is_not_used_as_an_execution_id():
    assert {fill.exec_id for fill in parse(sample("tastytrade_transactions.csv")).fills} == {None}


def test_a_bad_number_is_an_error_on_its_row_and_the_rest_still_imports():
    text = (
        sample("tastytrade_transactions.csv")
        .decode()
        .replace(
            "Sold 1 SCHG 09/20/24 Call 99.00 @ 3.70,370.00,1,", "Sold 1 SCHG 09/20/24 Call 99.00 @ 3.70,370.00,one,"
        )
    )
    summary = parse(text)
    assert [(error.row, "'one' is not a number" in error.message) for error in summary.errors] == [(4, True)]
    assert len(summary.fills) == 18


def test_a_bad_date_is_an_error_on_its_row():
    text = sample("tastytrade_futures.csv").decode().replace("2023-03-04T14:16:27+0100", "yesterday")
    assert [error.row for error in parse(text).errors] == [9]


def test_an_unknown_transaction_type_is_an_error_not_a_silent_skip():
    text = sample("tastytrade_futures.csv").decode().replace(",Money Movement,Deposit,", ",Mystery,Deposit,")
    assert [error.row for error in parse(text).errors] == [8]


def test_a_file_without_the_tastytrade_columns_is_refused():
    with pytest.raises(base.FormatError, match="instrument type"):
        parse("Date,Type,Action,Symbol,Description,Value,Quantity\n2024-01-01,Trade,BUY,X,x,1,1\n")
