"""Robinhood account activity report: what a trader sees after importing a Robinhood report."""

from decimal import Decimal

from imports.formats import base, robinhood
from tests.formats_helpers import HEADERS, fill_at, reader

HEADER = HEADERS["robinhood"] + "\n"
sample, parse = reader(robinhood)


def test_an_option_is_named_by_its_occ_symbol_and_its_fee_is_what_the_amount_took_beyond_the_premium():
    summary = parse(sample("robinhood_activity.csv"))
    opened, closed = fill_at(summary, 5), fill_at(summary, 3)
    assert (opened.instrument, opened.multiplier, opened.side, opened.effect) == (
        "IREN260102P00039000", 100, base.SELL, base.OPEN,
    )  # fmt: skip
    assert (opened.fees, closed.fees, closed.effect) == (Decimal("0.03"), Decimal("0.02"), base.CLOSE)


def test_a_stock_with_a_description_over_several_lines_is_one_row_and_its_sale_closes():
    rows = (
        '"3/2/2026","3/2/2026","3/4/2026","AAPL","Apple\nCUSIP: 037833100","Sell","100","$189.10","$18,910.00"\n'
        '"3/2/2026","3/2/2026","3/4/2026","AAPL","Apple\nCUSIP: 037833100","Buy","100","$187.40","($18,740.00)"\n'
        '"3/2/2026","3/2/2026","3/2/2026","MSFT","Cash Div: R/D 2026-02-15","CDIV","","","$7.50"\n'
    )
    summary = parse(HEADER + rows)
    assert [(fill.row, fill.side, fill.effect, fill.fees) for fill in summary.fills] == [
        (2, base.SELL, base.CLOSE, 0), (3, base.BUY, base.OPEN, 0),
    ]  # fmt: skip
    assert summary.fills[1].time < summary.fills[0].time  # newest first: the buy came before
    assert [(skip.row, skip.reason) for skip in summary.skipped] == [(4, "dividend, not a trade")]


def test_an_expired_option_closes_the_position_the_file_built_at_zero():
    rows = (
        '"1/16/2026","1/16/2026","1/20/2026","IREN","Option Expiration for IREN 1/16/2026 Call $58.00","OEXP","1","",""\n'
        '"1/5/2026","1/5/2026","1/6/2026","IREN","IREN 1/16/2026 Call $58.00","BTO","1","$0.50","($50.02)"\n'
    )
    expired = parse(HEADER + rows).fills[0]
    assert (expired.instrument, expired.side, expired.price, expired.effect) == (
        "IREN260116C00058000", base.SELL, 0, base.CLOSE,
    )  # fmt: skip
