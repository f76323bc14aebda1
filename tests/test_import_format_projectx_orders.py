"""ProjectX (TopstepX) Orders export: a filled order is a fill whose disposition is its effect."""

from datetime import UTC, datetime
from decimal import Decimal

from imports.formats import base, projectx_orders
from tests.formats_helpers import fill_at, reader

sample, parse = reader(projectx_orders)


def test_bid_and_ask_are_buy_and_sell_and_the_disposition_is_the_effect():
    summary = parse(sample("topstepx_orders.csv"))
    opening, closing = fill_at(summary, 2), fill_at(summary, 4)
    assert (opening.side, opening.effect, opening.price) == (base.BUY, base.OPEN, Decimal("7300.5"))
    assert (closing.side, closing.effect, closing.price) == (base.SELL, base.CLOSE, Decimal("7303.25"))
    assert opening.time == datetime(2026, 6, 11, 13, 45, 21, tzinfo=UTC)
    assert opening.account == base.AccountRef(number="TSB17847")
    assert opening.exec_id is None


def test_orders_that_did_not_fill_are_skipped_with_their_status():
    assert [(skip.row, skip.reason) for skip in parse(sample("topstepx_orders.csv")).skipped] == [
        (3, "order cancelled, not filled"), (5, "order rejected, not filled"),
    ]  # fmt: skip
