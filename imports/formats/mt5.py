"""MetaTrader 5 "Trade History Report" (Toolbox > History > Report), saved as HTML or as "Open XML"
(.xlsx, read as its first sheet's CSV text, imports/formats/spreadsheet.py): the Deals table's buys
and sells are fills; balance and credit deals, cancelled orders and working orders are skipped.

A row is the report's table row as a spreadsheet opening the file shows it (the n-th <tr>, or the
sheet's row). Volume is in lots and stays the quantity; the lot's size in money comes from the
report's own Profit column: a symbol's point value is the profit over the price moved on its most
profitable round trip (_with_point_values), so P&L in the journal matches the report. Swap is a cost
like the fee. Times are the trade server's, without offset: they are read in the import's `tz`.
Reports in other languages are not read.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import islice
from zoneinfo import ZoneInfo

from core import wire
from imports.formats import base, html
from imports.formats.base import Fill, RowError, Skip

NAME = "mt5"
BROKER = "MetaTrader 5"

_SECTIONS = {"positions", "orders", "deals", "open positions", "working orders", "summary", "results"}
_TIME = re.compile(r"\d{4}\.\d\d\.\d\d \d\d:\d\d(:\d\d)?")
TIME_FORMATS = ("%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M")
_EFFECTS = {"in": base.OPEN, "out": base.CLOSE, "out by": base.CLOSE, "in/out": None, "inout": None}
_ACCOUNT = re.compile(rf"^(?P<number>\d+)\s*(?:\((?P<currency>{wire.CURRENCY_CODE})\b)?")
# The deal types MetaTrader books besides buys and sells: money, not fills.
_NOT_TRADES = {
    "credit", "charge", "correction", "bonus", "commission", "commission daily", "commission monthly",
    "agent commission", "agent commission daily", "agent commission monthly", "interest", "dividend",
    "dividend franked", "tax",
}  # fmt: skip
_UNFILLED = {"canceled": "cancelled order", "cancelled": "cancelled order", "rejected": "rejected order",
             "expired": "expired order"}  # fmt: skip


def detect(head: str) -> bool:
    if _is_html(head):
        return "Trade History Report" in head and "<table" in head.lower()
    # The workbook's sheet: the title alone on the first row, the account a few rows below.
    first = [cells for _, cells in islice(base.csv_rows(head, delimiter=_delimiter(head)), 8)]
    return bool(first) and first[0] == ["Trade History Report"] and any(c[:1] == ["Account:"] for c in first)


def parse(text: str, *, tz: ZoneInfo) -> Iterator[Fill | Skip | RowError]:
    rows = html.rows(text) if _is_html(text) else list(base.csv_rows(text, delimiter=_delimiter(text)))
    if not any(cells == ["Deals"] for _, cells in rows):
        raise base.FormatError("no Deals table: not an English MetaTrader 5 trade history report")
    account = _account(rows)
    items: list[Fill | Skip | RowError] = []
    section, columns = "", {}
    for row, cells in rows:
        if len(cells) == 1 and cells[0].lower() in _SECTIONS:
            section, columns = cells[0].lower(), {}
        elif not columns and section and cells and cells[0] in ("Time", "Open Time"):
            columns = base.header_index(cells)
        elif columns and cells and _TIME.fullmatch(cells[0]):
            record = {name: cells[at] if at < len(cells) else "" for name, at in columns.items()}
            try:
                item = _item(row, section, record, account, tz)
            except (base.RowProblem, ArithmeticError) as exc:
                item = RowError(row, str(exc))
            if item is not None:
                items.append(item)
    return iter(_with_point_values(items))


def _item(row: int, section: str, record: dict[str, str], account: base.AccountRef | None, tz: ZoneInfo):
    if section == "working orders":
        return Skip(row, "working order, not filled")
    if section == "orders":
        reason = _UNFILLED.get(record.get("state", "").lower())
        return Skip(row, reason) if reason else None  # a filled order is restated by its deals
    if section != "deals":
        return None  # positions restate the deals
    kind = record.get("type", "").lower()
    if kind == "balance":
        profit = base.parse_decimal(record.get("profit")) or 0
        return Skip(row, "withdrawal, not a trade" if profit < 0 else "deposit, not a trade")
    if kind.endswith("canceled") or kind.endswith("cancelled"):
        return Skip(row, "cancelled deal")
    if kind in _NOT_TRADES:
        return Skip(row, f"{kind} deal, not a trade")
    if kind not in ("buy", "sell"):
        raise base.RowProblem(f"unknown deal type {record.get('type')!r}")
    direction = record.get("direction", "").lower()
    if direction not in _EFFECTS:
        raise base.RowProblem(f"unknown direction {record.get('direction')!r}")
    quantity = base.require_decimal(record.get("volume"), "volume")
    price = base.require_decimal(record.get("price"), "price")
    if quantity <= 0 or price <= 0:
        raise base.RowProblem(f"the volume {quantity} and price {price} must both be positive")
    instrument = record.get("symbol", "").strip().upper()
    if not instrument:
        raise base.RowProblem("the symbol is missing")
    costs = [-(base.parse_decimal(record.get(name)) or Decimal(0)) for name in ("fee", "swap")]
    return _Deal(
        Fill(
            row=row,
            instrument=instrument,
            time=base.parse_time(record.get("time"), TIME_FORMATS, tz),
            side=base.BUY if kind == "buy" else base.SELL,
            quantity=quantity,
            price=price,
            commission=-(base.parse_decimal(record.get("commission")) or Decimal(0)),
            fees=sum(costs, Decimal(0)),
            exec_id=record.get("deal") or None,
            account=account,
            effect=_EFFECTS[direction],
        ),
        profit=base.parse_decimal(record.get("profit")) or Decimal(0),
    )


@dataclass
class _Deal:
    fill: Fill
    profit: Decimal
    row: int = field(init=False)

    def __post_init__(self) -> None:
        self.row = self.fill.row


def _with_point_values(items: list) -> list[Fill | Skip | RowError]:
    """Fills with each symbol's point value: on the symbol's round trip (flat to flat) with the
    largest profit, |profit booked| / |price x lots sold - price x lots bought|. A hedging account
    closes its positions one by one, at profits no average entry explains; a round trip's totals
    hold for netting and hedging accounts alike. A deal that reverses the position ends the trip
    with the part that closes it."""
    trips: dict[str, tuple[Decimal, Decimal, Decimal]] = {}  # symbol → (signed lots, profit, cash flow)
    best: dict[str, tuple[Decimal, Decimal]] = {}  # symbol → (|profit|, point value)
    for deal in (item for item in items if isinstance(item, _Deal)):
        fill = deal.fill
        lots, profit, flow = trips.get(fill.instrument, (Decimal(0), Decimal(0), Decimal(0)))
        signed = fill.quantity if fill.side == base.BUY else -fill.quantity
        if lots and (lots > 0) != (signed > 0) and abs(signed) >= abs(lots):
            profit, flow = profit + deal.profit, flow + lots * fill.price
            try:
                value = base.implied_multiplier(profit, flow, Decimal(1))
                if value and abs(profit) > best.get(fill.instrument, (Decimal(-1), None))[0]:
                    best[fill.instrument] = (abs(profit), _significant(value))
            except ArithmeticError:
                pass  # an absurd profit tells nothing about the lot size; the table decides
            remaining = signed + lots
            trips[fill.instrument] = (remaining, Decimal(0), -remaining * fill.price)
        else:
            trips[fill.instrument] = (lots + signed, profit + deal.profit, flow - signed * fill.price)
    return [
        replace(item.fill, multiplier=best.get(item.fill.instrument, (None, None))[1])
        if isinstance(item, _Deal)
        else item
        for item in items
    ]


def _significant(value: Decimal) -> Decimal:
    """A point value to 4 significant digits: profits are rounded to cents, contract sizes are not."""
    return base.tidy(value.quantize(Decimal(10) ** (value.adjusted() - 3)))


def _is_html(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:1] == "<"


def _delimiter(text: str) -> str:
    """`,` as the workbook's text has it, `;` where Excel saved the sheet as CSV in a decimal-comma locale."""
    return base.sniff_delimiter(text[:4096])


def _account(rows: list[tuple[int, list[str]]]) -> base.AccountRef | None:
    """The header's "Name:" and "Account: 51234567 (USD, Server, demo, Netting)" lines (in the
    workbook, the value stands a few empty cells to the right)."""
    fields = {
        cells[0]: next((value for value in cells[1:] if value), "")
        for _, cells in rows[:12]
        if len(cells) >= 2 and cells[0].endswith(":")
    }
    match = _ACCOUNT.match(fields.get("Account:", ""))
    if not match:
        return None
    return base.AccountRef(match.group("number"), fields.get("Name:") or None, match.group("currency"))
