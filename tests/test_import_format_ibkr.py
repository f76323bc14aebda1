"""Interactive Brokers Flex reports and Activity Statements: what a trader sees after importing them."""

import time
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from imports.formats import base, ibkr
from imports.formats.ibkr import flex
from tests.formats_helpers import NEW_YORK, fill_at, reader

sample, parse = reader(ibkr)


def flex_xml(*elements: str, section: str = "Trades") -> str:
    return (
        '<FlexQueryResponse queryName="q" type="AF"><FlexStatements count="1">'
        f'<FlexStatement accountId="U7"><{section}>{"".join(elements)}</{section}></FlexStatement>'
        "</FlexStatements></FlexQueryResponse>"
    )


def trade(**attributes: str) -> str:
    fields = {
        "accountId": "U7", "currency": "USD", "assetCategory": "STK", "symbol": "AAPL", "multiplier": "1",
        "dateTime": "20250403;153000", "buySell": "BUY", "quantity": "10", "tradePrice": "200",
        "proceeds": "-2000", "ibCommission": "-1", "ibExecID": "e1", "levelOfDetail": "EXECUTION",
    } | attributes  # fmt: skip
    return "<Trade " + " ".join(f'{name}="{value}"' for name, value in fields.items() if value is not None) + " />"


def test_flex_xml_fills_carry_their_account_currency_execution_id_and_stated_multiplier():
    summary = parse(sample("ibkr_flex.xml"))
    future = fill_at(summary, 4)  # FDAX, sub-account U1234567F, EUR
    assert future.account == base.AccountRef("U1234567F", None, "EUR")
    assert (future.instrument, future.side, future.quantity, future.price) == ("FDAX DEC 18", base.BUY, 1, 11463)
    assert (future.multiplier, future.asset_class, future.commission) == (25, base.FUTURE, 2)
    assert future.exec_id == "00011d8a.5be53d8e.01.01"  # ibExecID, not the order id
    assert fill_at(summary, 1).account == base.AccountRef("U1234567", None, "USD")


def test_a_time_without_zone_is_read_in_the_import_tz_and_a_stated_zone_wins():
    assert fill_at(parse(sample("ibkr_flex.xml")), 1).time == datetime(2018, 11, 9, 9, 31, tzinfo=NEW_YORK)
    in_utc = fill_at(parse(sample("ibkr_flex.xml"), ZoneInfo("UTC")), 1)
    assert in_utc.time == datetime(2018, 11, 9, 9, 31, tzinfo=ZoneInfo("UTC"))
    stated = parse(flex_xml(trade(dateTime="20261231;233000 EST")), ZoneInfo("UTC")).fills[0]
    assert stated.time == datetime(2026, 12, 31, 23, 30, tzinfo=NEW_YORK)


def test_a_trade_confirmation_uses_exec_id_commission_and_the_open_code():
    fill = fill_at(parse(sample("ibkr_trade_confirm.xml")), 3)
    assert (fill.exec_id, fill.side, fill.effect, fill.price) == ("z.a.b.01", base.SELL, base.OPEN, 4)
    assert (fill.commission, fill.multiplier) == (Decimal("1.65"), 100)


def test_orders_are_skipped_where_the_account_lists_executions_and_used_where_it_does_not():
    order = '<Order accountId="U7" symbol="AAPL" dateTime="20250403;153000" buySell="BUY" quantity="10" tradePrice="200" levelOfDetail="ORDER" ibOrderID="9" />'
    both = parse(flex_xml(order, trade()))
    assert [(skip.row, skip.reason) for skip in both.skipped] == [(1, flex.ORDER_WITH_EXECUTIONS)]
    alone = parse(flex_xml(order))
    assert [(fill.row, fill.exec_id, fill.quantity) for fill in alone.fills] == [(1, None, 10)]


def test_closed_lots_are_skipped_and_summary_lines_are_not_rows():
    lot = trade(levelOfDetail="CLOSED_LOT", ibExecID="")
    summary_line = trade(levelOfDetail="SYMBOL_SUMMARY", ibExecID="")
    summary = parse(flex_xml(trade(), lot, summary_line))
    assert [(skip.row, skip.reason) for skip in summary.skipped] == [(2, flex.CLOSED_LOT)]
    assert summary.rows_total == 2


def test_cash_transactions_are_skipped_with_their_kind():
    deposit = '<CashTransaction accountId="U7" currency="USD" type="Deposits/Withdrawals" amount="1000" />'
    dividend = '<CashTransaction accountId="U7" currency="USD" type="Dividends" amount="3.1" />'
    summary = parse(flex_xml(deposit, dividend, section="CashTransactions"))
    assert [skip.reason for skip in summary.skipped] == ["deposit or withdrawal, not a trade", "dividend, not a trade"]


def test_the_money_wins_over_a_stated_multiplier_that_disagrees():
    fill = parse(
        flex_xml(trade(assetCategory="OPT", symbol="X 250620C00100000", tradePrice="2", quantity="1", proceeds="-200"))
    ).fills[0]
    assert fill.multiplier == 100


def test_an_expired_option_closes_at_zero_and_any_other_zero_price_is_an_error():
    expired = trade(assetCategory="OPT", symbol="X 250620C00100000", buySell="SELL", quantity="-1", tradePrice="0",
                    proceeds="0", notes="Ep", openCloseIndicator="C", transactionType="BookTrade")  # fmt: skip
    summary = parse(flex_xml(expired, trade(tradePrice="0")))
    assert [(fill.price, fill.effect) for fill in summary.fills] == [(0, base.CLOSE)]
    assert [error.row for error in summary.errors] == [2]


def test_a_cancelled_trade_is_skipped():
    summary = parse(flex_xml(trade(buySell="SELL (Ca.)", transactionType="TradeCancel")))
    assert [skip.reason for skip in summary.skipped] == ["cancelled trade"]


def test_a_flex_csv_with_dates_only_places_fills_at_the_close_and_falls_back_to_the_isin():
    summary = parse(sample("ibkr_flex_trades.csv"))
    fill = fill_at(summary, 2)
    assert (fill.instrument, fill.time) == ("CH0111762537", datetime(2023, 5, 22, 16, tzinfo=NEW_YORK))
    assert fill.account == base.AccountRef(currency="CHF")


def test_a_sectioned_flex_csv_keeps_each_accounts_rows_apart():
    summary = parse(sample("ibkr_flex_sections.csv"))
    assert {fill.account.number for fill in summary.fills} == {"U1111111", "U2222222"}
    assert fill_at(summary, 16).effect == base.OPEN


def test_a_data_line_without_its_header_is_an_error_on_its_row():
    text = (
        sample("ibkr_flex_sections.csv")
        .decode()
        .replace(
            '"BOS","CTRN","Cash Transactions"\n"HEADER","CTRN"', '"BOS","CTRN","Cash Transactions"\n"HEADER","POST"'
        )
    )
    assert [error.row for error in parse(text).errors] == [9]


def test_an_activity_statement_gives_effects_from_the_code_and_the_point_value_from_the_proceeds():
    summary = parse(sample("ibkr_activity.csv"))
    bought, sold = fill_at(summary, 19), fill_at(summary, 20)
    assert (bought.effect, sold.effect) == (base.OPEN, base.CLOSE)
    assert (bought.multiplier, bought.commission, sold.commission) == (100, Decimal("1.05665"), Decimal("1.0656394"))
    assert bought.time == datetime(2025, 3, 27, 10, 30, 15, tzinfo=NEW_YORK)
    assert bought.account == base.AccountRef("U1234567", None, "USD")
    assert bought.exec_id is None  # the statement has no execution ids


def test_an_activity_statement_with_executions_imports_them_and_skips_orders_and_lots():
    summary = parse(sample("ibkr_activity_executions.csv"))
    assert [fill.row for fill in summary.fills] == [10, 12]
    assert fill_at(summary, 10).account == base.AccountRef("U1234567", None, "USD")


def test_a_bad_number_is_an_error_on_its_row():
    bad = sample("ibkr_flex.xml").decode().replace('tradePrice="26000"', 'tradePrice="26 000x"')
    assert [error.row for error in parse(bad).errors] == [10]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<FlexQueryResponse><FlexStatements><FlexStatement><Trades><Trade symbol="&lol9;" /></Trades></FlexStatement></FlexStatements></FlexQueryResponse>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<FlexQueryResponse><FlexStatements><FlexStatement><Trades><Trade symbol="&e;" /></Trades></FlexStatement></FlexStatements></FlexQueryResponse>"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion laughs", "external entity"])
def test_xml_with_entities_is_refused_quickly(text):
    started = time.process_time()
    with pytest.raises(base.FormatError):
        parse(text)
    assert time.process_time() - started < 1


def test_a_file_that_is_no_ibkr_report_is_refused():
    with pytest.raises(base.FormatError):
        parse("<FlexStatementResponse><Status>Fail</Status></FlexStatementResponse>")
    with pytest.raises(base.FormatError):
        parse("Date,Price\n2025-01-01,1\n")
