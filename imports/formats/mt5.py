"""MetaTrader 5 "Trade History Report" saved as HTML (Toolbox > History > Report): the Deals table's
buys and sells are fills; balance and credit deals, cancelled orders and working orders are skipped.

A row is the report's table row as a spreadsheet opening the file shows it (the n-th <tr>). Volume
is in lots and stays the quantity; the lot's size in money comes from the report's own Profit
column: a symbol's point value is profit / (price move x lots closed) on its largest closing deal,
so P&L in the journal matches the report. Swap is a cost like the fee. Times are the trade
server's, without offset: they are read in the import's `tz`. Reports in other languages, and the
.xlsx "Open XML" report, are not read.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from imports.formats import base
from imports.formats.base import Fill, RowError, Skip

NAME = "mt5"
BROKER = "MetaTrader 5"

_SECTIONS = {"positions", "orders", "deals", "open positions", "working orders", "summary", "results"}
_TIME = re.compile(r"\d{4}\.\d\d\.\d\d \d\d:\d\d(:\d\d)?")
_TIME_FORMATS = ("%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M")
_EFFECTS = {"in": base.OPEN, "out": base.CLOSE, "out by": base.CLOSE, "in/out": None, "inout": None}
_ACCOUNT = re.compile(r"^(?P<number>\d+)\s*(?:\((?P<currency>[A-Z]{3})\b)?")
# The deal types MetaTrader books besides buys and sells: money, not fills.
_NOT_TRADES = {
    "credit", "charge", "correction", "bonus", "commission", "commission daily", "commission monthly",
    "agent commission", "agent commission daily", "agent commission monthly", "interest", "dividend",
    "dividend franked", "tax",
}  # fmt: skip
_UNFILLED = {"canceled": "cancelled order", "cancelled": "cancelled order", "rejected": "rejected order",
             "expired": "expired order"}  # fmt: skip


def detect(head: str) -> bool:
    return "Trade History Report" in head and "<table" in head.lower()


def parse(text: str, *, tz: ZoneInfo) -> Iterator[Fill | Skip | RowError]:
    if text.startswith("PK\x03\x04"):
        raise base.FormatError("an .xlsx report: save the MetaTrader report as HTML instead")
    table = _Table()
    table.feed(text)
    table.close()
    if not any(cells == ["Deals"] for _, cells in table.rows):
        raise base.FormatError("no Deals table: not an English MetaTrader 5 trade history report")
    account = _account(table.rows)
    items: list[Fill | Skip | RowError] = []
    section, columns = "", {}
    for row, cells in table.rows:
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
            time=base.parse_time(record.get("time"), _TIME_FORMATS, tz),
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
    """Fills with each symbol's point value: |profit| / (|price - average entry| x lots closed) on
    the symbol's closing deal with the largest profit, following the position deal by deal."""
    position: dict[str, tuple[Decimal, Decimal]] = {}  # symbol → (signed lots, average price)
    best: dict[str, tuple[Decimal, Decimal]] = {}  # symbol → (|profit|, point value)
    for deal in (item for item in items if isinstance(item, _Deal)):
        fill = deal.fill
        lots, average = position.get(fill.instrument, (Decimal(0), Decimal(0)))
        signed = fill.quantity if fill.side == base.BUY else -fill.quantity
        if lots and (lots > 0) != (signed > 0):
            closed = min(abs(lots), fill.quantity)
            try:
                value = base.implied_multiplier(deal.profit, abs(fill.price - average), closed)
                if value and abs(deal.profit) > best.get(fill.instrument, (Decimal(-1), None))[0]:
                    best[fill.instrument] = (abs(deal.profit), _significant(value))
            except ArithmeticError:
                pass  # an absurd profit tells nothing about the lot size; the table decides
            remaining = lots + signed
            average = average if remaining and (remaining > 0) == (lots > 0) else fill.price
        else:
            remaining = lots + signed
            average = (abs(lots) * average + fill.quantity * fill.price) / abs(remaining)
        position[fill.instrument] = (remaining, average)
    return [
        replace(item.fill, multiplier=best.get(item.fill.instrument, (None, None))[1])
        if isinstance(item, _Deal)
        else item
        for item in items
    ]


def _significant(value: Decimal) -> Decimal:
    """A point value to 4 significant digits: profits are rounded to cents, contract sizes are not."""
    return base.tidy(value.quantize(Decimal(10) ** (value.adjusted() - 3)))


def _account(rows: list[tuple[int, list[str]]]) -> base.AccountRef | None:
    """The header's "Name:" and "Account: 51234567 (USD, Server, demo, Netting)" lines."""
    fields = {cells[0]: cells[1] for _, cells in rows[:12] if len(cells) >= 2 and cells[0].endswith(":")}
    match = _ACCOUNT.match(fields.get("Account:", ""))
    if not match:
        return None
    return base.AccountRef(match.group("number"), fields.get("Name:") or None, match.group("currency"))


class _Table(HTMLParser):
    """Every <tr> as (its 1-based position in the document, the text of its visible cells)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[int, list[str]]] = []
        self._count = 0
        self._cells: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._close_row()
            self._count += 1
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._close_cell()
            hidden = "hidden" in (dict(attrs).get("class") or "").split()
            self._cell = None if hidden else []  # a hidden cell is MetaTrader's filler, not a column

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._close_cell()
        elif tag in ("tr", "table"):
            self._close_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def close(self) -> None:
        super().close()
        self._close_row()

    def _close_cell(self) -> None:
        if self._cell is not None and self._cells is not None:
            self._cells.append(" ".join("".join(self._cell).replace("\xa0", " ").split()))
        self._cell = None

    def _close_row(self) -> None:
        self._close_cell()
        if self._cells is not None:
            cells = self._cells
            while cells and not cells[-1]:
                cells.pop()
            self.rows.append((self._count, cells))
        self._cells = None
