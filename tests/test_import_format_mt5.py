"""MetaTrader 5 history report (HTML): what a trader sees after importing one."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from imports.formats import base, mt5
from tests.formats_helpers import NEW_YORK, fill_at, reader
from tests.formats_helpers import mt5_report as report

sample, parse = reader(mt5)
REPORT = sample("ReportHistory-51234567.html")


def test_a_deal_is_a_fill_with_its_deal_number_lots_costs_and_the_reports_account():
    fill = fill_at(parse(REPORT), 33)  # XAUUSD buy out 0.1 @ 2 921.15, commission -0.60, swap -1.84
    assert (fill.instrument, fill.side, fill.effect) == ("XAUUSD", base.BUY, base.CLOSE)
    assert (fill.quantity, fill.price) == (Decimal("0.1"), Decimal("2921.15"))
    assert (fill.commission, fill.fees) == (Decimal("0.60"), Decimal("1.84"))
    assert fill.exec_id == "1000006"  # the deal, not order 2000006
    assert fill.account == base.AccountRef("51234567", "Demo Trader", "USD")


def test_server_times_are_read_in_the_import_tz():
    assert fill_at(parse(REPORT), 29).time == datetime(2025, 3, 3, 10, 15, 30, tzinfo=NEW_YORK)
    cyprus = ZoneInfo("Asia/Nicosia")
    assert fill_at(parse(REPORT, cyprus), 29).time == datetime(2025, 3, 3, 10, 15, 30, tzinfo=cyprus)


def test_direction_gives_the_effect_and_a_reversal_states_none():
    summary = parse(REPORT)
    assert [fill_at(summary, row).effect for row in (34, 35, 36)] == [base.OPEN, None, base.CLOSE]


def test_the_lot_size_comes_from_the_profit_the_report_books():
    summary = parse(REPORT)
    assert {fill.instrument: fill.multiplier for fill in summary.fills} == {
        "EURUSD": 100000, "XAUUSD": 100, "GBPUSD": 100000,
    }  # fmt: skip
    opened_only = parse(report("2025.03.03 10:15:30|5|EURUSD|buy|in|0.10|1.04850|6|-0.70|0.00|0.00|0.00|999.30|"))
    assert opened_only.fills[0].multiplier is None  # no closing deal: the table decides
    assert opened_only.fills[0].account == base.AccountRef("7001", None, "EUR")


def test_money_deals_are_skipped_and_an_unknown_deal_type_is_an_error():
    summary = parse(report(
        "2025.03.03 09:00:00|1||balance||||||0.00|0.00|1 000.00|1 000.00|Deposit",
        "2025.03.03 09:01:00|2||credit||||||0.00|0.00|50.00|1 000.00|Bonus",
        "2025.03.03 09:02:00|3||commission||||||0.00|0.00|-3.00|997.00|",
        "2025.03.03 09:03:00|4|EURUSD|swap it|in|0.1|1.1|5|0.00|0.00|0.00|997.00|",
    ))  # fmt: skip
    assert [skip.reason for skip in summary.skipped] == [
        "deposit, not a trade", "credit deal, not a trade", "commission deal, not a trade",
    ]  # fmt: skip
    assert [error.row for error in summary.errors] == [8]


def test_a_report_in_another_language_is_refused_with_a_reason():
    with pytest.raises(base.FormatError, match="English"):
        parse("<html><table><tr><td>Trade History Report</td></tr><tr><th>Transakcje</th></tr></table></html>")


def test_a_strategy_tester_report_is_not_a_trade_history():
    assert not mt5.detect("<html><table><tr><td>Strategy Tester Report</td></tr></table></html>")


def test_the_excel_report_reads_as_the_html_one_does():
    summary = parse(sample("ReportHistory-57174315.xlsx"))
    fill = fill_at(summary, 45)  # EURAUD.Z buy in 0.1 @ 1.78126, deal 25523093 of order 35539894
    assert (fill.instrument, fill.side, fill.effect, fill.quantity, fill.price) == (
        "EURAUD.Z", base.BUY, base.OPEN, Decimal("0.1"), Decimal("1.78126"),
    )  # fmt: skip
    assert fill.exec_id == "25523093"
    assert fill.time == datetime(2025, 4, 16, 11, 41, 8, tzinfo=NEW_YORK)
    assert fill.account == base.AccountRef("57174315", "Aron Ngeno", "USD")
    assert 63 not in {item.row for item in (*summary.fills, *summary.skipped, *summary.errors)}  # the totals


def test_on_a_hedging_account_positions_closed_one_by_one_still_give_the_lot_size():
    # NZDUSD.Z: two 0.01 buys (0.59539, 0.59526) closed separately at 0.59496 for -0.43 and -0.30.
    fills = parse(sample("ReportHistory-57174315.xlsx")).fills
    assert {fill.multiplier for fill in fills if fill.instrument == "NZDUSD.Z"} == {Decimal(100000)}
