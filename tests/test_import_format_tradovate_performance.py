"""Tradovate Performance report: each pair of a buy and a sell fill is a round trip, entered by the
fill that came first."""

from datetime import datetime
from decimal import Decimal

from imports.formats import base, tradovate_performance
from tests.formats_helpers import NEW_YORK, reader

sample, parse = reader(tradovate_performance)
HEADER = "symbol,_priceFormat,_priceFormatType,_tickSize,buyFillId,sellFillId,qty,buyPrice,sellPrice,pnl,boughtTimestamp,soldTimestamp,duration"


def test_a_pair_whose_sell_came_first_is_a_short_entered_by_the_sell():
    entry, exit_ = parse(sample("performance.csv")).fills[:2]  # sold 15:31:56, bought back 15:32:03
    assert (entry.side, entry.price, entry.effect) == (base.SELL, Decimal("29529.25"), base.OPEN)
    assert (exit_.side, exit_.price, exit_.effect) == (base.BUY, Decimal("29514.00"), base.CLOSE)
    assert entry.time == datetime(2026, 7, 16, 15, 31, 56, tzinfo=NEW_YORK)
    assert (entry.account, entry.exec_id, entry.asset_class) == (None, None, base.FUTURE)


def test_a_loss_in_accounting_parentheses_states_the_point_value():
    assert {fill.multiplier for fill in parse(sample("performance.csv")).fills} == {Decimal(2)}


def test_a_pair_without_a_price_is_an_error_on_its_row():
    text = f"{HEADER}\nMESU6,-2,0,0.25,1,2,1,,6000.25,$5.00,07/16/2026 15:32:03,07/16/2026 15:40:00,8min\n"
    assert [(error.row, "buy price" in error.message) for error in parse(text).errors] == [(2, True)]
