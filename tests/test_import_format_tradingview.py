"""TradingView trading panel order history: a filled order is a fill at its Closing Time."""

from datetime import datetime
from decimal import Decimal

from imports.formats import base, tradingview
from tests.formats_helpers import NEW_YORK, fill_at, reader

sample, parse = reader(tradingview)


def test_a_filled_order_is_a_fill_at_its_closing_time_without_the_feeds_prefix():
    fill = fill_at(parse(sample("order_history_fx.csv")), 2)  # the limit buy placed 05:05:34, filled 11:13:05
    assert (fill.instrument, fill.side, fill.quantity, fill.price) == ("GBPCAD", base.BUY, 19841, Decimal("1.85325"))
    assert fill.time == datetime(2025, 8, 29, 11, 13, 5, tzinfo=NEW_YORK)
    assert (fill.exec_id, fill.account, fill.commission) == (None, None, 0)


def test_commissions_are_read_and_unfilled_orders_skipped():
    assert [fill.commission for fill in parse(sample("order_history_crypto.csv")).fills] == [
        Decimal("42.4727"), Decimal("42.6094"),
    ]  # fmt: skip
    assert parse(sample("order_history_fx.csv")).skipped == [base.Skip(3, "order cancelled, not filled")]
