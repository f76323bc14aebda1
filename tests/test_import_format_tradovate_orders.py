"""Tradovate Orders report: a filled order is one fill, every other order a skip with its status."""

from datetime import UTC, datetime
from decimal import Decimal

from imports.formats import base, tradovate_orders
from tests.formats_helpers import HEADERS, reader

HEADER = HEADERS["tradovate_orders"]
sample, parse = reader(tradovate_orders)


def test_a_filled_order_is_one_fill_at_its_average_price_with_no_execution_id():
    fill = parse(sample("orders.csv")).fills[0]
    assert (fill.instrument, fill.side, fill.quantity, fill.price) == (
        "MNQM6",
        base.BUY,
        Decimal(5),
        Decimal("28531.75"),
    )
    assert fill.exec_id is None
    assert fill.time == datetime(2026, 6, 10, 20, 0, 5, tzinfo=UTC)
    assert fill.account == base.AccountRef(number="ACCT0000000000000", currency="USD")
    assert fill.asset_class == base.FUTURE


def test_notional_value_states_the_point_value():
    assert {f.multiplier for f in parse(sample("orders.csv")).fills} == {Decimal(2)}


def test_without_notional_value_the_table_decides():
    assert {f.multiplier for f in parse(sample("orders_older_layout.csv")).fills} == {None}


def test_cancelled_rejected_working_and_expired_orders_are_skipped_with_their_status():
    reasons = {s.row: s.reason for s in parse(sample("orders_older_layout.csv")).skipped}
    assert reasons == {
        3: "cancelled order",
        4: "cancelled order",
        8: "rejected order",
        9: "working order, not filled",
        10: "expired order, never filled",
    }


def test_a_partly_filled_order_then_cancelled_counts_what_filled():
    fill = next(f for f in parse(sample("orders_older_layout.csv")).fills if f.row == 6)
    assert (fill.side, fill.quantity, fill.price) == (base.BUY, Decimal(1), Decimal("6850.25"))


def test_an_unknown_status_without_a_fill_is_skipped_saying_so():
    text = f"{HEADER}\n1,A1,1, Buy,ESM6,ES,,,,PendingReplace,1, Limit,,USD\n"
    assert parse(text).skipped == [base.Skip(2, "order pendingreplace, not filled")]
