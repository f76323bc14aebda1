"""thinkorswim Account Statement: fills from Account Trade History, their costs from the cash lines."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from imports.formats import base, thinkorswim
from tests.formats_helpers import THINKORSWIM_TRADES as TRADES
from tests.formats_helpers import reader
from tests.formats_helpers import thinkorswim_statement as statement

CASH = "Cash Balance\nDATE,TIME,TYPE,REF #,DESCRIPTION,Misc Fees,Commissions & Fees,AMOUNT,BALANCE\n"
sample, parse = reader(thinkorswim)


def test_the_account_comes_from_the_statement_title():
    fills = parse(sample("td_ameritrade_statement.csv")).fills
    assert {f.account for f in fills} == {base.AccountRef(number="00*****XX", name="exampleaccount")}
    masked = parse(sample("papermoney_nvda_excerpt.csv")).fills
    assert {f.account for f in masked} == {base.AccountRef(number=None, name="Virtual Account")}


def test_trade_history_lines_are_fills_in_local_time_with_their_position_effect():
    fills = parse(sample("td_ameritrade_statement.csv")).fills
    amzn_open = next(f for f in fills if f.row == 60)
    assert (amzn_open.instrument, amzn_open.side, amzn_open.quantity, amzn_open.price) == (
        "AMZN",
        base.SELL,
        200,
        Decimal("9.65"),
    )
    assert (amzn_open.effect, amzn_open.asset_class, amzn_open.exec_id) == (base.OPEN, base.STOCK, None)
    assert amzn_open.time == datetime(2022, 11, 12, 15, 4, tzinfo=UTC)
    assert {f.effect for f in parse(sample("papermoney_nvda_excerpt.csv")).fills} == {None}  # Pos Effect AUTO


def test_misc_fees_of_a_cash_line_go_to_the_matching_execution():
    fills = {f.row: f for f in parse(sample("td_ameritrade_statement.csv")).fills}
    assert (fills[61].quantity, fills[61].fees, fills[61].commission) == (100, Decimal("0.03"), 0)
    assert (fills[60].quantity, fills[60].fees) == (200, Decimal("0.07"))
    assert (fills[54].quantity, fills[54].fees) == (12, Decimal("0.01"))
    assert sum(f.fees for f in fills.values()) == Decimal("0.51")  # the statement's TOTAL


def test_a_spread_is_a_fill_per_leg_sharing_the_cash_lines_costs_by_quantity():
    fills = {f.row: f for f in parse(sample("papermoney_options_futures.csv")).fills}
    short_leg, long_leg = fills[61], fills[62]
    assert (short_leg.instrument, short_leg.side, short_leg.price) == (
        "SPX 25 MAR 26 6535 PUT",
        base.SELL,
        Decimal("2.65"),
    )
    assert (long_leg.instrument, long_leg.side, long_leg.price) == ("SPX 25 MAR 26 6515 PUT", base.BUY, Decimal("1.60"))
    assert long_leg.time == short_leg.time
    assert (short_leg.commission, short_leg.fees, long_leg.commission, long_leg.fees) == (
        Decimal("13.00"), Decimal("10.52"), Decimal("13.00"), Decimal("10.52"),
    )  # fmt: skip
    assert {short_leg.asset_class, long_leg.asset_class} == {base.OPTION}


def test_futures_and_futures_options_name_their_contract():
    fills = {f.row: f for f in parse(sample("papermoney_options_futures.csv")).fills}
    assert (fills[60].instrument, fills[60].asset_class, fills[60].multiplier) == ("/MESM26", base.FUTURE, None)
    assert (fills[60].commission, fills[60].fees) == (Decimal("2.50"), Decimal("0.70"))  # from Futures Statements
    assert (fills[58].instrument, fills[58].asset_class, fills[58].multiplier) == (
        "/E4CH26 6500 PUT",
        base.FUTURE_OPTION,
        50,
    )


def test_an_expiration_listed_in_trade_history_closes_at_zero():
    expired = next(f for f in parse(sample("papermoney_options_futures.csv")).fills if f.row == 63)
    assert (expired.side, expired.quantity, expired.price, expired.effect) == (base.SELL, 1, 0, base.CLOSE)


def test_orders_are_skipped_saying_why_and_their_continuation_lines_are_part_of_them():
    skipped = {s.row: s.reason for s in parse(sample("papermoney_nvda_excerpt.csv")).skipped}
    assert skipped[19].startswith("rejected order: Your buying power will be below zero ($1,136.00)")
    assert skipped[21] == "cancelled order"
    assert skipped[20].startswith("filled order")
    assert 22 not in skipped  # ",,,,,,,,,,,168.49,STP,STD," is the stop of the order above


def test_cash_lines_that_are_not_trades_are_skipped_with_what_they_are():
    skipped = {s.row: s.reason for s in parse(sample("papermoney_options_futures.csv")).skipped}
    assert skipped[11] == "deposit or withdrawal, not a trade"
    assert skipped[16] == "dividend or interest, not a trade"
    assert 7 not in skipped and 17 not in skipped  # the balance line and TOTAL are statement totals


def test_a_trade_cash_line_with_no_execution_is_skipped_saying_its_fees_are_not_imported():
    text = statement(CASH + "3/2/26,10:00:00,TRD,1,BOT +5 XYZ @1.00,-0.01,-0.65,-5.66,100\n", TRADES)
    summary = parse(text)
    assert [(s.row, "no execution" in s.reason) for s in summary.skipped] == [(5, True)]


def test_a_statement_without_the_title_line_is_still_recognised_by_its_trade_history():
    text = TRADES + ",3/2/26 10:00:00,SINGLE,BUY,+1,TO OPEN,/ESM26,JUN 26,,FUTURE,6000.25,6000.25,MKT\n"
    assert thinkorswim.detect(text)
    assert parse(text).fills[0].instrument == "/ESM26"


def test_the_legs_of_an_unreadable_spread_line_are_errors_too():
    lines = ",3/2/26 99:00:00,VERTICAL,SELL,-1,TO OPEN,SPY,20 MAR 26,580,CALL,2.15,.95,LMT\n,,,BUY,+1,TO OPEN,SPY,20 MAR 26,585,CALL,1.20,CREDIT,\n"
    summary = parse(statement(TRADES + lines))
    assert [e.row for e in summary.errors] == [5, 6]
    assert not summary.fills


def test_a_file_that_is_no_statement_is_a_format_error():
    with pytest.raises(base.FormatError):
        parse("Symbol,Qty,Price\nAAPL,1,200\n")
