"""DAS Trader Pro's Trades window: a day's executions with times alone, read on the import's day."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from imports.formats import base, das, generic
from tests.formats_helpers import NEW_YORK, reader

sample, parse = reader(das)
HEADER = "Time,Symbol,Side,Price,Qty,P / L,Account,Type,Route,Broker,Cloid,"


@pytest.fixture(autouse=True)
def on_the_8th_of_may(monkeypatch):
    monkeypatch.setattr(das, "today", lambda tz: date(2024, 5, 8))


def test_a_short_sale_opens_on_the_day_of_the_import_in_its_zone():
    summary = parse(sample("trades.csv"))
    fill = summary.fills[1]  # 13:35:52,TQQQ,SS,58.15,222,0.00,TRTEST1027,Short,SMAT,,AUTO,
    assert (fill.row, fill.instrument, fill.side) == (3, "TQQQ", base.SELL)
    assert (fill.quantity, fill.price) == (222, Decimal("58.15"))
    assert (fill.effect, fill.account, fill.exec_id) == (base.OPEN, base.AccountRef(number="TRTEST1027"), None)
    assert fill.time == datetime(2024, 5, 8, 13, 35, 52, tzinfo=NEW_YORK)
    assert [f.effect for f in summary.fills if f.side == base.BUY] == [None] * 5  # a buy may open or cover


def test_a_row_without_a_time_or_with_an_unknown_side_is_an_error_and_never_midnight():
    text = f"{HEADER}\n,AAPL,B,181.9,83,0,A1,Margin,SMAT,,AUTO,\n10:00:00,AAPL,X,181.9,83,0,A1,Margin,SMAT,,AUTO,\n"
    summary = parse(text)
    assert [(e.row, e.message) for e in summary.errors] == [
        (2, "the execution time is missing"),
        (3, "Side 'X' is not B, S or SS"),
    ]
    assert summary.fills == []


def test_the_sample_is_not_taken_for_the_generic_csv_of_fills():
    head = sample("trades.csv").decode()
    assert das.detect(head) and not generic.detect(head)
