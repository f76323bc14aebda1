"""Charles Schwab brokerage "Transactions" CSV (Accounts > History > Transactions > Export): buys,
sells and option expirations/assignments are fills; dividends, interest, transfers, fees and
corporate actions are skipped.

The file gives dates only. A fill's time is the US close, 16:00 in the import's `tz`, on the date
the event happened (the "as of" date when there is one); fills of one instrument on one day follow
the file's order a second apart (base.DayClock). Schwab lists newest first; a file mostly in
ascending date order is read as oldest first.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

from imports.formats import base
from imports.formats.base import Fill, RowError, Skip

NAME = "schwab"
BROKER = "Charles Schwab"

_SIGNATURE = {"date", "action", "symbol", "description", "quantity", "price", "fees & comm", "amount"}
_TITLE = re.compile(r"for account\s+(?P<label>.+?)\s+as of\b", re.IGNORECASE)
_MASKED = re.compile(r"^(?P<name>.*?)\s*(?P<number>(?:X{2,}|\.{2,})[-\w]*\d+)$")
_DATE = re.compile(r"(\d\d/\d\d/\d{4})(?:\s+as of\s+(\d\d/\d\d/\d{4}))?$", re.IGNORECASE)
_OPTION = re.compile(r"^\S+ \d\d/\d\d/\d{4} [\d.]+ [CP]$")

_TRADES = {  # action → side, position effect. A plain "Buy" may cover a short, so it states none.
    "buy": (base.BUY, None),
    "reinvest shares": (base.BUY, base.OPEN),
    "buy to open": (base.BUY, base.OPEN),
    "buy to close": (base.BUY, base.CLOSE),
    "buy to cover": (base.BUY, base.CLOSE),
    "sell": (base.SELL, base.CLOSE),
    "sell short": (base.SELL, base.OPEN),
    "sell to open": (base.SELL, base.OPEN),
    "sell to close": (base.SELL, base.CLOSE),
}
# Options leaving the account close at 0: only a short option is assigned, only a long one exercised.
_REMOVALS = {"expired": None, "assigned": base.BUY, "exchange or exercise": base.SELL, "exercise": base.SELL}
_NOT_TRADES = (  # first matching word in the action → reason; corporate actions before dividends
    (("split", "merger", "spin-off", "name change", "conversion", "stock div", "cash in lieu"), "corporate action"),
    (("journaled shares",), "shares journaled between accounts"),
    (("div", "cap gain"), "dividend"),
    (("interest",), "interest"),
    (("fee", "tax"), "fee or tax"),
)
_MONEY_MOVES = ("wire", "moneylink", "transfer", "journal", "deposit", "funds")
NOT_SCHWAB = "not a Schwab transactions file: no Date/Action/.../Amount header"
# The header comes after a title, if any: detection looks for it in the first five records.
TABLE = base.Layout(None, required=_SIGNATURE, missing=NOT_SCHWAB, within=None)


def detect(head: str) -> bool:
    return replace(TABLE, within=5).find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[Fill | Skip | RowError]:
    table = TABLE.read(text)
    account = _account(table.preamble)
    parsed: list[_Parsed | Skip | RowError] = []
    for row, cells in table.records():
        if not cells[0].lower().startswith("transactions total"):  # the statement's total line
            parsed.extend(base.read_row(row, _parse_row, row, table.cells(cells), account))
    yield from sorted(_timed(parsed, tz), key=lambda item: item.row)


@dataclass
class _Parsed:
    """A fill whose time waits for the file's order; a `removal` side waits for the position too."""

    fill: Fill
    day: date
    removal: str | None = None


def _parse_row(row: int, cells: base.Cells, account: base.AccountRef) -> "_Parsed | Skip":
    action = " ".join(cells["action"].split()).lower()
    day = _day(cells["date"])
    if action in _REMOVALS:
        side = _REMOVALS[action] or (base.SELL if _number(cells["quantity"], "quantity") < 0 else base.BUY)
        fill = _fill(row, cells, account, side, base.CLOSE, price=Decimal(0))
        return _Parsed(fill, day, removal=action)
    if action in _TRADES:
        side, effect = _TRADES[action]
        return _Parsed(_fill(row, cells, account, side, effect, price=None), day)
    for words, what in _NOT_TRADES:
        if any(word in action for word in words):
            return Skip(row, f"{what}, not a trade")
    if any(word in action for word in _MONEY_MOVES):
        amount = base.parse_decimal(cells["amount"]) or 0
        return Skip(row, "withdrawal, not a trade" if amount < 0 else "deposit, not a trade")
    if cells["price"]:
        raise base.RowProblem(f"unknown action {cells['action']!r} with a price: is it a trade?")
    return Skip(row, f"{cells['action']}, not a trade")


def _fill(
    row: int, cells: base.Cells, account: base.AccountRef, side: str, effect: str | None, price: Decimal | None
) -> Fill:
    instrument = " ".join(cells["symbol"].upper().split())
    if not instrument:
        raise base.RowProblem("the symbol is missing")
    quantity = abs(_number(cells["quantity"], "quantity"))
    if quantity == 0:
        raise base.RowProblem("the quantity is 0")
    option = bool(_OPTION.match(instrument))
    multiplier = None
    commission = base.parse_decimal(cells["fees & comm"]) or Decimal(0)
    if price is None:
        price = _number(cells["price"], "price")
        if price <= 0:
            raise base.RowProblem(f"the price {price} is not positive")
        if option:  # Amount is the money: price * quantity * point value, net of fees
            amount = base.parse_decimal(cells["amount"])
            gross = None if amount is None else (-amount - commission if side == base.BUY else amount + commission)
            multiplier = base.implied_multiplier(gross, price, quantity)
    return Fill(
        row=row,
        instrument=instrument,
        time=datetime.min,  # set by _timed once the file's order is known
        side=side,
        quantity=quantity,
        price=price,
        commission=commission,
        account=account,
        multiplier=multiplier,
        asset_class=base.OPTION if option else base.STOCK,
        effect=effect,
    )


def _timed(parsed: list, tz: ZoneInfo) -> Iterator[Fill | Skip | RowError]:
    """Times from the dates in the order the fills happened; an expiration's side from the
    position the file's own fills built (the quantity's sign only when the file has none)."""
    fills = [item for item in parsed if isinstance(item, _Parsed)]
    days = [item.day for item in fills]
    if sum(a > b for a, b in pairwise(days)) >= sum(a < b for a, b in pairwise(days)):
        fills.reverse()  # newest first, as Schwab writes it
    clock, held = base.DayClock(tz), {}
    for item in sorted(fills, key=lambda item: item.day):  # stable: same-day fills keep their order
        fill = replace(item.fill, time=clock.at(item.day, item.fill.instrument))
        position = held.get(fill.instrument, Decimal(0))
        if item.removal == "expired" and position:
            fill = replace(fill, side=base.SELL if position > 0 else base.BUY)
        held[fill.instrument] = position + (fill.quantity if fill.side == base.BUY else -fill.quantity)
        yield fill
    yield from (item for item in parsed if not isinstance(item, _Parsed))


def _day(text: str) -> date:
    match = _DATE.match(text.strip())
    if not match:
        raise base.RowProblem(f"the date {text!r} is not MM/DD/YYYY")
    try:
        return datetime.strptime(match.group(2) or match.group(1), "%m/%d/%Y").date()
    except ValueError:
        raise base.RowProblem(f"the date {text!r} is not a calendar date") from None


def _number(text: str, what: str) -> Decimal:
    return base.require_decimal(text, what)


def _account(title_rows: list[list[str]]) -> base.AccountRef:
    """The account the title line above the header names ("...for account XXXX-1234 as of ...")."""
    for cells in title_rows:
        match = _TITLE.search(" ".join(cells))
        if match:
            label = match.group("label")
            masked = _MASKED.match(label)
            if masked:
                return base.AccountRef(masked.group("number"), masked.group("name") or None, "USD")
            return base.AccountRef(label, None, "USD")
    return base.AccountRef(currency="USD")
