"""Lightspeed blotter: an execution per row, its costs split into commission and fees."""

from datetime import datetime
from decimal import Decimal

from imports.formats import base, lightspeed
from tests.formats_helpers import NEW_YORK, reader

sample, parse = reader(lightspeed)
HEADER = "Trade Number,Trade Date,Execution Time,Symbol,Side,Qty,Price,Commission Amount,FeeSEC,FeeTAF,Buy/Sell,Account"


def test_an_execution_with_its_number_costs_and_effect():
    fill = parse(sample("blotter.csv")).fills[1]  # 1002: AAPL S 100 @ 155.00 at 10:00, Long Sell
    assert (fill.instrument, fill.side, fill.quantity, fill.price) == ("AAPL", base.SELL, 100, Decimal("155.00"))
    assert (fill.commission, fill.fees, fill.exec_id, fill.effect) == (
        Decimal("1.00"),
        Decimal("0.01"),
        "1002",
        base.CLOSE,
    )
    assert fill.time == datetime(2025, 7, 4, 10, 0, tzinfo=NEW_YORK)


def test_a_title_above_the_header_a_short_sale_and_every_fee_column():
    text = (
        f"Lightspeed Export Report\n{HEADER}\n7,01/15/2025,16:33:05,TSLA,S,-20,410.5,0.5,0.02,0.01,Short Sell,LS123\n"
    )
    (fill,) = parse(text).fills
    assert (fill.row, fill.side, fill.quantity, fill.effect) == (3, base.SELL, 20, base.OPEN)
    assert (fill.fees, fill.account) == (Decimal("0.03"), base.AccountRef(number="LS123"))
