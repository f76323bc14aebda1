"""Tradovate "Orders" report (Reports > Orders > CSV): one row per order, cancelled ones included.

An order's filled quantity at its average fill price is one fill; the order number is not an
execution id, so exec_id stays empty. Orders that never filled are skipped with their status.
Notional Value is the money column: it states the point value (notional / (price * quantity)).
Cells carry a leading space (" Buy", " Filled"); times are local with no zone (`tz`).
"""

from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "tradovate_orders"
BROKER = "Tradovate"

COLUMNS = {
    "order_id": ("orderid", "order id"), "account": ("account",), "side": ("b/s",), "contract": ("contract",),
    "avg_price": ("avgprice", "avg fill price"), "filled_qty": ("filledqty", "filled qty"),
    "fill_time": ("fill time",), "status": ("status",), "notional": ("notional value",), "currency": ("currency",),
}  # fmt: skip
REQUIRED = ("side", "contract", "avg_price", "filled_qty", "fill_time", "status")
MISSING_COLUMNS = (
    "a Tradovate Orders report needs the columns orderId, B/S, Contract, avgPrice, filledQty, Fill Time, Status"
)
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS)
SIDES = {"buy": base.BUY, "sell": base.SELL}
NOT_FILLED = {
    "canceled": "cancelled order",
    "cancelled": "cancelled order",
    "rejected": "rejected order",
    "working": "working order, not filled",
    "expired": "expired order, never filled",
    "suspended": "suspended order, not filled",
    "pendingnew": "pending order, not filled",
}
TIME_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M:%S")


def detect(head: str) -> bool:
    return TABLE.find(head, "order_id") is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_outcome, tz)


def _outcome(row: int, cells: base.Cells, tz: ZoneInfo) -> base.Fill | base.Skip:
    status = "".join(cells["status"].lower().split())
    filled = base.parse_decimal(cells["filled_qty"]) or Decimal(0)
    # A partly filled order that was then cancelled still filled what it filled.
    if filled <= 0:
        if status == "filled":
            raise base.RowProblem("a filled order with no filled quantity")
        reason = NOT_FILLED.get(status, f"order {cells['status'].lower() or 'without a status'}, not filled")
        return base.Skip(row, reason)
    side = base.one_of(SIDES, cells["side"], "B/S {!r} is not Buy or Sell")
    contract = cells["contract"].upper()
    if not contract:
        raise base.RowProblem("the contract is missing")
    price = base.require_decimal(cells["avg_price"], "average fill price")
    if price <= 0:
        raise base.RowProblem("the average fill price must be above 0")
    notional = base.parse_decimal(cells["notional"])
    account = cells["account"]
    return base.Fill(
        row=row,
        instrument=contract,
        time=base.parse_time(cells["fill_time"], TIME_FORMATS, tz, "fill time"),
        side=side,
        quantity=filled,
        price=price,
        account=base.AccountRef(number=account, currency=cells["currency"] or None) if account else None,
        multiplier=base.implied_multiplier(notional, price, filled) if notional else None,
        asset_class=base.FUTURE,
    )
