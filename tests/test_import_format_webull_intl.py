"""Webull (international) monthly statement's trade records: what a trader sees after importing one."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import webull_intl
from tests.formats_helpers import HEADERS, fill_at, reader

HEADER = HEADERS["webull_intl"] + "\n"
sample, parse = reader(webull_intl)


def test_the_symbol_leads_the_name_and_the_dates_are_day_first():
    bangkok = ZoneInfo("Asia/Bangkok")
    fill = fill_at(parse(sample("webull_monthly_statement.csv"), bangkok), 7)
    assert (fill.instrument, fill.time) == ("NVDA", datetime(2025, 11, 25, 16, tzinfo=bangkok))
    assert (fill.commission, fill.fees) == (Decimal("0.09"), Decimal("0.01"))


def test_each_currency_part_gives_its_fills_that_currency_and_the_summary_is_not_read():
    text = (
        "Currency: USD\n" + HEADER + "AAPL APPLE INC,20/11/2025,21/11/2025,BUY,1,150.00,150.00,-0.15,-0.02,150.17\n"
        "Currency: HKD\n" + HEADER + "700 TENCENT,21/11/2025,24/11/2025,BUY,100,500,50000,-50,0,50050\n"
        "PORTFOLIO SUMMARY\nSymbol,Quantity\nAAPL,1\n"
    )
    summary = parse(text)
    assert [(fill.instrument, fill.account.currency) for fill in summary.fills] == [("AAPL", "USD"), ("700", "HKD")]
    assert summary.rows_total == 2
