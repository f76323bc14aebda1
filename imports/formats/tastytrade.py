"""tastytrade (tastyworks) transaction history CSV: trades and option expirations, assignments and
exercises are fills; money movements and other deliveries are skipped."""

import csv
import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base
from imports.formats.base import Fill, RowError, Skip

NAME = "tastytrade"
BROKER = "tastytrade"

# The 20/21-column layout (2024-) and the older 16/18-column ones without Sub Type share these.
_SIGNATURE = {"date", "type", "action", "symbol", "instrument type", "description", "value", "quantity"}
_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%m/%d/%Y %I:%M %p", "%m/%d/%Y")

_ASSET_CLASSES = {
    "equity": base.STOCK,
    "equity option": base.OPTION,
    "future": base.FUTURE,
    "future option": base.FUTURE_OPTION,
    "cryptocurrency": base.CRYPTO,
}
_ACTIONS = {  # Action column → side, position effect
    "BUY_TO_OPEN": (base.BUY, base.OPEN),
    "BUY_TO_CLOSE": (base.BUY, base.CLOSE),
    "SELL_TO_OPEN": (base.SELL, base.OPEN),
    "SELL_TO_CLOSE": (base.SELL, base.CLOSE),
    "BUY": (base.BUY, None),
    "SELL": (base.SELL, None),
}
# Only a short option is assigned and only a long one exercised, so those removals close with
# a buy and a sell; an expiration's side comes from the position the file built (_resolve_expirations).
_REMOVAL_SIDES = {"assignment": base.BUY, "exercise": base.SELL}
_REMOVAL = re.compile(r"\b(expiration|assignment|exercise)\b", re.IGNORECASE)
_FILL_PRICE = re.compile(r"@\s*([\d,]*\.?\d+)\s*$")

_SKIP_REASONS = {
    "deposit": "deposit, not a trade",
    "withdrawal": "withdrawal, not a trade",
    "dividend": "dividend, not a trade",
    "credit interest": "interest, not a trade",
    "debit interest": "interest, not a trade",
    "fee": "fee, not a trade",
    "balance adjustment": "balance adjustment, not a trade",
    "fully paid stock lending income": "stock lending income, not a trade",
}
UNKNOWN_SIDE = "expiration of an option opened before this file: whether it was long or short is unknown"


def detect(head: str) -> bool:
    first = next(csv.reader(head.splitlines()[:1]), [])
    return set(base.header_index(first)) >= _SIGNATURE


def parse(text: str, *, tz: ZoneInfo) -> Iterator[Fill | Skip | RowError]:
    try:
        rows = list(base.csv_rows(text))
    except csv.Error as exc:
        raise base.FormatError(f"not a readable CSV file ({exc})") from None
    if not rows:
        raise base.FormatError("the file is empty")
    columns = base.header_index(rows[0][1])
    missing = sorted(_SIGNATURE - set(columns))
    if missing:
        raise base.FormatError(f"not a tastytrade transactions file: no {', '.join(missing)} column")
    items: list[Fill | Skip | RowError | _Removal] = []
    for row, cells in rows[1:]:
        if base.header_index(cells) == columns:
            continue  # a repeated header
        try:
            items.append(_item(row, _Row(cells, columns), tz))
        except (base.RowProblem, ArithmeticError) as exc:
            items.append(RowError(row, str(exc)))
    yield from _resolve_expirations(items)


class _Row:
    """One record's cells by column name ('' for a missing column or cell)."""

    def __init__(self, cells: list[str], columns: dict[str, int]) -> None:
        self.cells, self.columns = cells, columns

    def __getitem__(self, name: str) -> str:
        position = self.columns.get(name)
        return self.cells[position] if position is not None and position < len(self.cells) else ""


class _Removal:
    """An option leaving the account with no Action stating its side (resolved once all rows are read)."""

    def __init__(self, fill: Fill) -> None:
        self.fill = fill


def _item(row: int, cells: _Row, tz: ZoneInfo) -> "Fill | Skip | _Removal":
    kind, sub_type, action = cells["type"].lower(), cells["sub type"], cells["action"].upper()
    description = cells["description"]
    if kind == "trade":
        return _fill(row, cells, tz, action)
    if kind == "receive deliver":
        removal = _REMOVAL.search(f"{sub_type} {description}")
        if removal and cells["instrument type"].lower().endswith("option"):
            return _removal(row, cells, tz, action, removal.group(1).lower())
        if action in _ACTIONS and _described_price(description):
            return _fill(row, cells, tz, action)  # shares delivered by an assignment or exercise
    if kind not in ("money movement", "receive deliver"):
        raise base.RowProblem(f"unknown transaction type {cells['type']!r}")
    reason = _SKIP_REASONS.get(sub_type.lower())
    return Skip(row, reason or f"{cells['type']} ({sub_type or description}), not a trade")


def _fill(row: int, cells: _Row, tz: ZoneInfo, action: str) -> Fill:
    if action not in _ACTIONS:
        raise base.RowProblem(f"unknown action {action!r}" if action else "the action is missing")
    side, effect = _ACTIONS[action]
    asset = _ASSET_CLASSES.get(cells["instrument type"].lower(), "")
    quantity = abs(base.require_decimal(cells["quantity"], "quantity"))
    value = base.parse_decimal(cells["value"])
    price, multiplier = _price_and_multiplier(cells, asset, quantity, value)
    return Fill(
        row=row,
        instrument=_instrument(cells["symbol"]),
        time=base.parse_time(cells["date"], _TIME_FORMATS, tz, "date"),
        side=side,
        quantity=quantity,
        price=price,
        commission=-(base.parse_decimal(cells["commissions"]) or 0),
        fees=-(base.parse_decimal(cells["fees"]) or 0),
        account=_account(cells),
        multiplier=multiplier,
        asset_class=asset,
        effect=effect,
    )


def _price_and_multiplier(
    cells: _Row, asset: str, quantity: Decimal, value: Decimal | None
) -> tuple[Decimal, Decimal | None]:
    """The fill price and, where the money shows it, the point value.

    Value is the money of the fill and wins: a stock's price is Value / Quantity (the description
    rounds it to cents) and an option's point value is Value / (price * Quantity) — the Multiplier
    column says 1 for futures options whose money is 5 or 50 a point. A future's Value is the day's
    settlement, not its notional, so its price is the one the description states.
    """
    stated = _described_price(cells["description"])
    if asset in (base.STOCK, base.CRYPTO) and value:
        return _per_unit(value, quantity), None
    if stated is None:
        average, multiplier = base.parse_decimal(cells["average price"]), base.parse_decimal(cells["multiplier"])
        if not average:
            raise base.RowProblem("the price is missing (no 'Value' and no '@ price' in the description)")
        stated = abs(average) / (multiplier or 1)
    if stated <= 0:
        raise base.RowProblem(f"the price {stated} is not positive")
    if asset in (base.OPTION, base.FUTURE_OPTION):
        return stated, base.implied_multiplier(value, stated, quantity)
    return stated, None


def _removal(row: int, cells: _Row, tz: ZoneInfo, action: str, event: str) -> "Fill | _Removal":
    quantity = abs(base.require_decimal(cells["quantity"], "quantity"))
    value = base.parse_decimal(cells["value"])
    multiplier = base.parse_decimal(cells["multiplier"]) or 1
    # A cash-settled index option leaves at its settlement value; any other removal at 0.
    price = _per_unit(value, quantity * multiplier) if value else Decimal(0)
    side = _ACTIONS[action][0] if action in _ACTIONS else _REMOVAL_SIDES.get(event)
    fill = Fill(
        row=row,
        instrument=_instrument(cells["symbol"]),
        time=base.parse_time(cells["date"], _TIME_FORMATS, tz, "date"),
        side=side or base.BUY,
        quantity=quantity,
        price=price,
        account=_account(cells),
        asset_class=_ASSET_CLASSES.get(cells["instrument type"].lower(), base.OPTION),
        effect=base.CLOSE,
    )
    return fill if side else _Removal(fill)


def _resolve_expirations(items: list) -> Iterator[Fill | Skip | RowError]:
    """Give an expiration without an Action the side that closes the position the file's own fills
    built before it; with no such position it is skipped, never guessed."""
    fills = sorted((item for item in items if isinstance(item, Fill)), key=lambda fill: fill.time)
    for item in items:
        if not isinstance(item, _Removal):
            yield item
            continue
        removal = item.fill
        held = sum(
            (fill.quantity if fill.side == base.BUY else -fill.quantity)
            for fill in fills
            if fill.instrument == removal.instrument and fill.time < removal.time
        )
        if held > 0:
            yield _with_side(removal, base.SELL)
        elif held < 0:
            yield _with_side(removal, base.BUY)
        else:
            yield Skip(removal.row, UNKNOWN_SIDE)


def _with_side(fill: Fill, side: str) -> Fill:
    return replace(fill, side=side)


def _described_price(description: str) -> Decimal | None:
    match = _FILL_PRICE.search(description)
    return base.parse_decimal(match.group(1)) if match else None


def _per_unit(money: Decimal, units: Decimal) -> Decimal:
    return base.tidy((abs(money) / units).quantize(Decimal("1e-8")))


def _instrument(symbol: str) -> str:
    instrument = " ".join(symbol.upper().split())
    if not instrument:
        raise base.RowProblem("the symbol is missing")
    return instrument


def _account(cells: _Row) -> base.AccountRef | None:
    currency = cells["currency"].upper()
    return base.AccountRef(currency=currency) if currency else None
