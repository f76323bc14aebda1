"""Executions to trades: one (account, instrument) position stream, flat to flat.

The rules are API-CONTRACT.md's ("Executions, imports, export"); where it is silent:
- A fill whose effect is "close" closes only a position open in the direction it would close (a
  sell closes a long, a buy a short). With nothing to close it is rejected whole; beyond the open
  position the excess is rejected. Rejected parts carry their share of commission and fees, so
  every execution's money is accounted for either in a trade or in a rejection.
- A fill whose effect is "open" but which faces an opposite position is taken as the net position
  says: it reduces that position and, past flat, opens a new one. The broker's statement follows
  the net position, and so does the journal.
- A fill at price 0 (an expiration) only closes, as if its effect were "close": nothing opens at 0.
- A trade's multiplier is its opening fill's (a stream normally shares one).
- Grouped executions (a trade-level row's entry and exit) make trades of their own; within a
  group, at one timestamp, a "close" fill comes after the others whatever the keys, since a row's
  exit may carry its entry's time.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from operator import attrgetter

from imports.formats.base import BUY, CLOSE, OPEN, SELL

# journal.models.Side's values; the engine stays free of Django.
LONG, SHORT = "long", "short"

NOTHING_TO_CLOSE = "closes a position opened before this file's first fill"
CLOSES_TOO_MUCH = "closes more than the open position: the rest was opened before this file's first fill"

EIGHT_PLACES = Decimal("0.00000001")
ZERO = Decimal(0)
# Sums of price x quantity (20-digit numbers) are exact in 64 digits, and a quotient of such sums
# cannot hold the 40-odd 9s in a row that would let its rounding to 64 digits change the half-up
# rounding to 8 places that follows: the averages and fee splits are rounded once, exactly.
PRECISION = 64


@dataclass(frozen=True, slots=True)
class Execution:
    key: int  # stable identity (the database id); also the tie-break after time
    time: datetime  # aware
    side: str  # BUY | SELL
    quantity: Decimal  # > 0
    price: Decimal  # >= 0 (an expiration closes at 0)
    commission: Decimal
    fees: Decimal
    multiplier: Decimal
    effect: str | None = None  # OPEN | CLOSE when the file stated the position effect
    group: str | None = None  # the fills of one trade-level row: a trade of their own


@dataclass(frozen=True, slots=True)
class Allocation:
    """The part of one execution that belongs to one trade."""

    key: int
    quantity: Decimal
    commission: Decimal
    fees: Decimal
    opening: bool


@dataclass(frozen=True, slots=True)
class Rejection:
    """The part of an execution that belongs to no trade, with its share of commission and fees."""

    key: int
    quantity: Decimal
    reason: str
    commission: Decimal = ZERO
    fees: Decimal = ZERO


@dataclass(slots=True)
class BuiltTrade:
    side: str  # LONG when a buy opened it
    quantity: Decimal  # total opened
    entry_time: datetime
    entry_price: Decimal
    exit_time: datetime | None
    exit_price: Decimal | None
    commission: Decimal  # every allocation's commission and fees
    multiplier: Decimal
    allocations: list[Allocation]  # in time order
    opening_key: int  # the execution that opened it: its identity across rebuilds


@dataclass(slots=True)
class Build:
    trades: list[BuiltTrade] = field(default_factory=list)  # by entry_time, then opening_key
    rejected: list[Rejection] = field(default_factory=list)  # in time order


def build_trades(executions: Iterable[Execution]) -> Build:
    """The trades of one position stream, in one pass over its executions ordered by (time, key).

    ValueError for input the caller should have refused (zero quantity, naive time, a repeated key).
    """
    executions = list(executions)
    _check(executions)
    # Two stable sorts order by (time, key) several times faster than one on (time, key) tuples.
    executions.sort(key=attrgetter("key"))
    executions.sort(key=attrgetter("time"))
    stream: list[Execution] = []
    groups: dict[str, list[Execution]] = {}
    for execution in executions:
        if execution.group is None:
            stream.append(execution)
        else:
            groups.setdefault(execution.group, []).append(execution)

    build = Build()
    with localcontext() as context:
        context.prec = PRECISION
        _run(stream, build)
        for fills in groups.values():
            fills.sort(key=_entry_before_exit)  # stable: keys stay in order otherwise
            _run(fills, build)
    build.trades.sort(key=attrgetter("entry_time", "opening_key"))
    if groups and build.rejected:
        rank = {e.key: i for i, e in enumerate(executions)}
        build.rejected.sort(key=lambda rejection: rank[rejection.key])
    return build


def _entry_before_exit(execution: Execution) -> tuple[datetime, bool]:
    return execution.time, execution.effect == CLOSE


def _check(executions: list[Execution]) -> None:
    keys = set()
    for e in executions:
        problem = None
        if e.key in keys:
            problem = "appears twice"
        elif e.time.tzinfo is None:
            problem = "has a naive time"
        elif e.side not in (BUY, SELL):
            problem = f"has side {e.side!r}"
        elif e.effect not in (None, OPEN, CLOSE):
            problem = f"has effect {e.effect!r}"
        elif not (
            e.quantity.is_finite()
            and e.price.is_finite()
            and e.commission.is_finite()
            and e.fees.is_finite()
            and e.multiplier.is_finite()
        ):
            problem = "has a number that is not finite"
        elif e.quantity <= ZERO or e.price < ZERO or e.multiplier <= ZERO:
            problem = "needs quantity > 0, price >= 0 and multiplier > 0"
        if problem:
            raise ValueError(f"execution {e.key} {problem}")
        keys.add(e.key)


class _Position:
    """The trade being built: running sums, so each fill costs a few additions."""

    __slots__ = (
        "allocations", "closed", "closed_value", "commission", "entry_time", "long", "multiplier",
        "opened", "opened_value", "opening_key", "size",
    )  # fmt: skip

    def __init__(self, e: Execution, quantity: Decimal, commission: Decimal, fees: Decimal) -> None:
        self.long = e.side == BUY
        self.opened = self.size = quantity
        self.opened_value = e.price * quantity
        self.closed = self.closed_value = ZERO
        self.commission = commission + fees
        self.allocations = [Allocation(e.key, quantity, commission, fees, True)]
        self.entry_time = e.time
        self.opening_key = e.key
        self.multiplier = e.multiplier

    def add(self, e: Execution, quantity: Decimal, commission: Decimal, fees: Decimal, opening: bool) -> None:
        if opening:
            self.opened += quantity
            self.opened_value += e.price * quantity
            self.size += quantity
        else:
            self.closed += quantity
            self.closed_value += e.price * quantity
            self.size -= quantity
        self.commission += commission + fees
        self.allocations.append(Allocation(e.key, quantity, commission, fees, opening))

    def trade(self, exit_time: datetime | None) -> BuiltTrade:
        # The one rounding: quantity-weighted averages, computed exactly, kept at 8 places half-up.
        exit_price = None
        if exit_time is not None:
            exit_price = (self.closed_value / self.closed).quantize(EIGHT_PLACES, ROUND_HALF_UP)
        return BuiltTrade(
            side=LONG if self.long else SHORT,
            quantity=self.opened,
            entry_time=self.entry_time,
            entry_price=(self.opened_value / self.opened).quantize(EIGHT_PLACES, ROUND_HALF_UP),
            exit_time=exit_time,
            exit_price=exit_price,
            commission=self.commission,
            multiplier=self.multiplier,
            allocations=self.allocations,
            opening_key=self.opening_key,
        )


def _run(executions: list[Execution], build: Build) -> None:
    """Fold one ordered stream into trades and rejections."""
    trades, rejected = build.trades, build.rejected
    position = None
    for e in executions:
        if position is None or (e.side == BUY) == position.long:
            if e.effect == CLOSE or not e.price:
                rejected.append(Rejection(e.key, e.quantity, NOTHING_TO_CLOSE, e.commission, e.fees))
            elif position is None:
                position = _Position(e, e.quantity, e.commission, e.fees)
            else:
                position.add(e, e.quantity, e.commission, e.fees, True)
            continue
        if e.quantity < position.size:
            position.add(e, e.quantity, e.commission, e.fees, False)
            continue
        if e.quantity == position.size:
            position.add(e, e.quantity, e.commission, e.fees, False)
            trades.append(position.trade(e.time))
            position = None
            continue
        # Crosses flat: the part up to flat closes this trade, the rest opens the next (or, for a
        # "close" fill, is rejected); commission and fees are split by quantity.
        closing, rest = position.size, e.quantity - position.size
        commission, rest_commission = _split(e.commission, closing, e.quantity)
        fees, rest_fees = _split(e.fees, closing, e.quantity)
        position.add(e, closing, commission, fees, False)
        trades.append(position.trade(e.time))
        position = None
        if e.effect == CLOSE or not e.price:
            rejected.append(Rejection(e.key, rest, CLOSES_TOO_MUCH, rest_commission, rest_fees))
        else:
            position = _Position(e, rest, rest_commission, rest_fees)
    if position is not None:
        trades.append(position.trade(None))


def _split(amount: Decimal, part: Decimal, whole: Decimal) -> tuple[Decimal, Decimal]:
    """`amount` in proportion part : (whole - part); the first share rounded to 8 places half-up,
    the second the remainder, so the two add up to `amount` exactly."""
    first = (amount * part / whole).quantize(EIGHT_PLACES, ROUND_HALF_UP)
    return first, amount - first
