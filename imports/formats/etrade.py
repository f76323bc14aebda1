"""E*TRADE transaction history CSV (Accounts > Transactions > Download): the classic download
(`TransactionDate,TransactionType,SecurityType,...`, a "For Account:" line above it) and the 2025
"All Transactions" download (`Activity/Trade Date,...,Activity Type,...,Quantity #,Price $,...`).

Buys and sells are fills, an expired, assigned or exercised option closes at 0 (the position the
file built tells its side); dividends, interest, transfers, fees and corporate actions are skipped.
Dates only: times as dated.py sets them, newest first as E*TRADE lists. An option ("PUT MDB
07/17/26 312.500" in the description) is named by its OCC symbol with 100 shares a contract. A
plain "Sold" closes (E*TRADE writes a short sale as "Sold Short"); a plain "Bought" states no
effect, since the net position decides.
"""

import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base, dated, us_options

NAME = "etrade"
BROKER = "E*TRADE"

COLUMNS = {
    "date": ("activity/trade date", "transactiondate"), "type": ("activity type", "transactiontype"),
    "symbol": ("symbol",), "quantity": ("quantity #", "quantity"), "price": ("price $", "price"),
    "amount": ("amount $", "amount"), "commission": ("commission",), "fees": ("fees",),
    "description": ("description",),
}  # fmt: skip
REQUIRED = ("date", "type", "symbol", "quantity", "price", "amount")
NOT_ETRADE = "not an E*TRADE transaction history: no TransactionDate/Activity Type, Symbol, Quantity, Price header"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_ETRADE, within=None)
DATE_FORMATS = ("%m/%d/%y", "%m/%d/%Y")
TRADES = {  # activity → side, position effect
    "bought": (base.BUY, None), "buy": (base.BUY, None), "bought to open": (base.BUY, base.OPEN),
    "bought to cover": (base.BUY, base.CLOSE), "bought to close": (base.BUY, base.CLOSE),
    "sold": (base.SELL, base.CLOSE), "sell": (base.SELL, base.CLOSE), "sold short": (base.SELL, base.OPEN),
    "sold to open": (base.SELL, base.OPEN), "sold to close": (base.SELL, base.CLOSE),
}  # fmt: skip
REMOVALS = ("option expired", "expired", "option assigned", "assigned", "option exercised", "exercised")
NOT_TRADES = (  # first matching word in the activity → reason
    (("split", "merger", "reorganization", "name change", "spin"), "corporate action"),
    (("dividend", "div ", "capital gain"), "dividend"),
    (("interest",), "interest"),
    (("tax",), "tax"),
    (("fee", "adjustment"), "fee"),
    (("transfer", "deposit", "withdrawal", "wire", "journal"), "money movement"),
)
_OPTION = re.compile(
    r"^(?P<right>PUT|CALL)\s+(?P<root>[A-Z.]+)\s+(?P<expiry>\d{1,2}/\d{1,2}/\d{2,4})\s+(?P<strike>[\d.]+)"
)


def detect(head: str) -> bool:
    return replace(TABLE, within=5).find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    table = TABLE.read(text)
    account = _account(table.preamble)
    items = []
    for row, cells in table.records():
        items.extend(base.read_row(row, _read, row, table.cells(cells), account))
    yield from dated.timed(items, tz, newest_first=True)


def _read(row: int, cells: base.Cells, account: base.AccountRef | None) -> "dated.Dated | base.Skip":
    activity = " ".join(cells["type"].lower().split())
    day = dated.parse_day(cells["date"], DATE_FORMATS)
    if activity in TRADES:
        side, effect = TRADES[activity]
        return dated.Dated(_fill(row, cells, account, side, effect, removal=False), day)
    if activity in REMOVALS:
        side = base.SELL if base.require_decimal(cells["quantity"], "quantity") < 0 else base.BUY
        return dated.Dated(_fill(row, cells, account, side, base.CLOSE, removal=True), day, removal=True)
    for words, reason in NOT_TRADES:
        if any(word in f"{activity} " for word in words):
            return base.Skip(row, f"{reason}, not a trade")
    if base.parse_decimal(cells["price"]):
        raise base.RowProblem(f"unknown activity {cells['type']!r} with a price: is it a trade?")
    return base.Skip(row, f"{cells['type'] or 'a row without an activity'}, not a trade")


def _fill(
    row: int, cells: base.Cells, account: base.AccountRef | None, side: str, effect: str | None, *, removal: bool
) -> base.Fill:
    quantity = abs(base.require_decimal(cells["quantity"], "quantity"))
    price = Decimal(0) if removal else base.require_decimal(cells["price"], "price")
    if quantity == 0 or (price <= 0 and not removal):
        raise base.RowProblem("quantity and price must be above 0")
    option = _OPTION.match(" ".join(cells["description"].upper().split()))
    instrument = us_options.named(option, DATE_FORMATS) if option else cells["symbol"].upper().replace(" ", "")
    base.require_text(instrument.strip("-"), "symbol")
    return us_options.fill(
        row, instrument, side, quantity, price, option=bool(option), commission=base.charge(cells["commission"]),
        fees=base.charge(cells["fees"]), account=account, effect=effect,
    )  # fmt: skip


def _account(preamble: list[list[str]]) -> base.AccountRef | None:
    """The account the "For Account:,####3525" line above the header names."""
    for cells in preamble:
        if cells[0].lower().startswith("for account") and len(cells) > 1 and cells[1]:
            return base.AccountRef(number=cells[1], currency="USD")
    return None
