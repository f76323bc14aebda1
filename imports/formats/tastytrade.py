"""tastytrade (tastyworks) transaction history CSV (History > Transactions > CSV): trades and option
expirations, assignments and exercises are fills; a symbol change, forward or reverse split (two
deliveries at one time: the old position closed, the new one opened) carries the position across;
money movements and other deliveries are skipped.

Actions are read as tastytrade writes them (BUY_TO_OPEN) and as spreadsheets and other journals
write them (Buy to Open); times as ISO 8601 with an offset, or `2026/07/20 08:03:06,GMT-04`.
"""

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base
from imports.formats.base import Fill, Skip

NAME = "tastytrade"
BROKER = "tastytrade"

# The 20/21-column layout (2024-) and the older 16/18-column ones without Sub Type share these.
_SIGNATURE = {"date", "type", "action", "symbol", "instrument type", "description", "value", "quantity"}
_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y/%m/%d %H:%M:%S %z", "%m/%d/%Y %I:%M %p", "%m/%d/%Y")
_GMT_OFFSET = re.compile(r",?\s*GMT(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d\d))?$")

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
_CORPORATE = re.compile(r"\b(symbol change|forward split|reverse split)\b", re.IGNORECASE)
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
NEW_POSITION = "the opening half of a {event}: carried into trades with its closing half"
ONE_HALF = "{event} whose other half is not in this file: not carried into trades"
NOT_TASTYTRADE = "not a tastytrade transactions file: no {missing} column"
TABLE = base.Layout(None, required=_SIGNATURE, missing=NOT_TASTYTRADE, empty="the file is empty")


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from _resolve_expirations(_pair_legs(list(TABLE.read(text).read(_item, tz))))


class _Removal:
    """An option leaving the account with no Action stating its side (resolved once all rows are read)."""

    def __init__(self, fill: Fill) -> None:
        self.fill = fill


class _Leg:
    """One of the two deliveries of a corporate action (paired once all rows are read)."""

    def __init__(self, row: int, cells: base.Cells, tz: ZoneInfo, action: str, event: str) -> None:
        self.row, self.event, self.closing = row, event, action.endswith("CLOSE")
        self.time = _time(cells["date"], tz)
        self.instrument = _instrument(cells["symbol"])
        self.quantity = abs(base.require_decimal(cells["quantity"], "quantity"))
        self.account = _account(cells)
        # An option's two legs name one contract: the same expiry, strike and right.
        option = (cells["expiration date"], cells["strike price"], cells["call or put"])
        self.key = (self.time, event, cells["instrument type"].lower(), option)


def _item(row: int, cells: base.Cells, tz: ZoneInfo) -> "Fill | Skip | _Removal | _Leg":
    kind, sub_type, action = cells["type"].lower(), cells["sub type"], cells["action"].upper().replace(" ", "_")
    description = cells["description"]
    if kind == "trade":
        return _fill(row, cells, tz, action)
    if kind == "receive deliver":
        corporate = _CORPORATE.search(f"{sub_type} {description}")
        if corporate and action in _ACTIONS:
            return _Leg(row, cells, tz, action, corporate.group(1).lower())
        removal = _REMOVAL.search(f"{sub_type} {description}")
        if removal and cells["instrument type"].lower().endswith("option"):
            return _removal(row, cells, tz, action, removal.group(1).lower())
        if action in _ACTIONS and _described_price(description):
            return _fill(row, cells, tz, action)  # shares delivered by an assignment or exercise
    if kind not in ("money movement", "receive deliver"):
        raise base.RowProblem(f"unknown transaction type {cells['type']!r}")
    reason = _SKIP_REASONS.get(sub_type.lower())
    return Skip(row, reason or f"{cells['type']} ({sub_type or description}), not a trade")


def _fill(row: int, cells: base.Cells, tz: ZoneInfo, action: str) -> Fill:
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
        time=_time(cells["date"], tz),
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
    cells: base.Cells, asset: str, quantity: Decimal, value: Decimal | None
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


def _removal(row: int, cells: base.Cells, tz: ZoneInfo, action: str, event: str) -> "Fill | _Removal":
    quantity = abs(base.require_decimal(cells["quantity"], "quantity"))
    value = base.parse_decimal(cells["value"])
    multiplier = base.parse_decimal(cells["multiplier"]) or 1
    # A cash-settled index option leaves at its settlement value; any other removal at 0.
    price = _per_unit(value, quantity * multiplier) if value else Decimal(0)
    side = _ACTIONS[action][0] if action in _ACTIONS else _REMOVAL_SIDES.get(event)
    fill = Fill(
        row=row,
        instrument=_instrument(cells["symbol"]),
        time=_time(cells["date"], tz),
        side=side or base.BUY,
        quantity=quantity,
        price=price,
        account=_account(cells),
        asset_class=_ASSET_CLASSES.get(cells["instrument type"].lower(), base.OPTION),
        effect=base.CLOSE,
    )
    return fill if side else _Removal(fill)


def _pair_legs(items: list) -> list:
    """Each corporate action's closing and opening legs as one base.Action (at the closing leg's row;
    the opening leg's row is skipped as its part); a leg without its other half is skipped."""
    legs: dict[tuple, list[_Leg]] = {}
    for item in items:
        if isinstance(item, _Leg):
            legs.setdefault(item.key, []).append(item)
    resolved: dict[int, base.Item] = {}
    for pair in legs.values():
        closing = [leg for leg in pair if leg.closing]
        opening = [leg for leg in pair if not leg.closing]
        if len(closing) != 1 or len(opening) != 1:
            resolved.update((leg.row, Skip(leg.row, ONE_HALF.format(event=leg.event))) for leg in pair)
            continue
        old, new = closing[0], opening[0]
        resolved[old.row] = base.Action(
            old.row, old.instrument, new.instrument, old.time, old.quantity, new.quantity, old.account
        )
        resolved[new.row] = Skip(new.row, NEW_POSITION.format(event=new.event))
    return [resolved[item.row] if isinstance(item, _Leg) else item for item in items]


def _resolve_expirations(items: list) -> Iterator[base.Item]:
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


def _time(text: str, tz: ZoneInfo) -> datetime:
    """A Date cell; `2026/07/20 08:03:06,GMT-04` (as other journals write it) gets its offset read."""
    offset = _GMT_OFFSET.search(text.strip())
    if offset:
        hours, minutes = int(offset["hours"]), offset["minutes"] or "00"
        text = f"{text.strip()[: offset.start()]} {offset['sign']}{hours:02d}{minutes}"
    return base.parse_time(text, _TIME_FORMATS, tz, "date")


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


def _account(cells: base.Cells) -> base.AccountRef | None:
    currency = cells["currency"].upper()
    return base.AccountRef(currency=currency) if currency else None
