"""MetaTrader 4 account history report (Terminal > Account History, right-click > Save as Report /
Save as Detailed Report): the Closed Transactions table's buys and sells are closed positions, each
read as an entry fill and an exit fill; the Open Trades table's are open positions, an entry fill
each. Balance rows, cancelled and expired orders and working orders are skipped.

A row is the report's table row as a spreadsheet opening the file shows it (the n-th <tr>). Size is
in lots and stays the quantity; Profit, in the account's currency, states each position's lot size
(the point value: profit / (price move x lots)), so P&L in the journal matches the report. Commission
is the commission, Taxes and Swap are fees. Times are the trade server's, without offset: they are
read in the import's `tz`. Reports in other languages are not read.
"""

from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base, html
from imports.formats.mt5 import TIME_FORMATS

NAME = "mt4"
BROKER = "MetaTrader 4"
TRADE_LEVEL = True

CLOSED, OPEN, WORKING = "closed transactions:", "open trades:", "working orders:"
SIDES = {"buy": (base.BUY, base.SELL), "sell": (base.SELL, base.BUY)}
PENDING = {"buy limit", "sell limit", "buy stop", "sell stop"}
# The tables' columns by position: the header names two of them Price.
COLUMNS = {"opened": 1, "size": 3, "item": 4, "price": 5, "closed": 8, "close_price": 9, "commission": 10, "taxes": 11,
           "swap": 12, "profit": 13}  # fmt: skip


def detect(head: str) -> bool:
    return "<title>Statement:" in head and "Closed Transactions:" in head


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    rows = html.rows(text)
    if not any(cells[:1] == ["Closed Transactions:"] for _, cells in rows):
        raise base.FormatError("no Closed Transactions table: not an English MetaTrader 4 account history report")
    account = _account(rows)
    section, header = "", False
    for row, cells in rows:
        if len(cells) == 1 and cells[0].endswith(":"):
            section, header = cells[0].lower(), False
        elif cells[:2] == ["Ticket", "Open Time"]:
            header = True
        elif header and section in (CLOSED, OPEN, WORKING) and cells and cells[0].isdigit():
            yield from base.read_row(row, _position, row, section, cells, account, tz)


def _position(row: int, section: str, cells: list[str], account: base.AccountRef | None, tz: ZoneInfo) -> list:
    kind = base.cell(cells, 2).lower()
    if section == WORKING:
        return [base.Skip(row, "working order, not filled")]
    if kind == "balance":
        amount = base.parse_decimal(cells[-1]) or 0
        return [base.Skip(row, "withdrawal, not a trade" if amount < 0 else "deposit, not a trade")]
    if kind in PENDING:
        return [base.Skip(row, f"{kind} order {cells[-1].lower()}, never filled")]
    sides = SIDES.get(kind)
    if sides is None:
        raise base.RowProblem(f"unknown type {kind!r}")
    record = base.Cells({field: base.cell(cells, at) for field, at in COLUMNS.items()})
    symbol = base.require_text(record["item"].upper(), "item")
    size, opened = base.size_and_price(record["size"], record["price"], ("size", "open price"), signed=False)
    entry = {
        "row": row, "instrument": symbol, "quantity": size, "account": account, "effect": base.OPEN,
        "time": base.parse_time(record["opened"], TIME_FORMATS, tz, "open time"), "side": sides[0], "price": opened,
        "commission": -(base.parse_decimal(record["commission"]) or Decimal(0)),
        "fees": -sum((base.parse_decimal(record[name]) or Decimal(0) for name in ("taxes", "swap")), Decimal(0)),
    }  # fmt: skip
    if section == OPEN:
        return [base.Fill(**entry)]
    closed = base.require_decimal(record["close_price"], "close price")
    if closed <= 0:
        raise base.RowProblem("the close price must be above 0")
    profit = base.parse_decimal(record["profit"])
    multiplier = base.implied_multiplier(profit, closed - opened, size) if profit is not None else None
    exit_ = entry | {"time": base.parse_time(record["closed"], TIME_FORMATS, tz, "close time"), "side": sides[1],
                     "price": closed, "commission": Decimal(0), "fees": Decimal(0), "effect": base.CLOSE}  # fmt: skip
    return [base.Fill(**entry, multiplier=multiplier), base.Fill(**exit_, multiplier=multiplier)]


def _account(rows: list[tuple[int, list[str]]]) -> base.AccountRef | None:
    """The report's first row: "Account: 2088913717", "Name: DEMO-39361", "Currency: EUR"."""
    found = {}
    for _, cells in rows[:5]:
        for text in cells:
            label, _, value = text.partition(":")
            if label in ("Account", "Name", "Currency") and value.strip():
                found[label] = value.strip()
    if not found.get("Account", "").isdigit():
        return None
    return base.AccountRef(found["Account"], found.get("Name"), found.get("Currency"))
