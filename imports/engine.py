"""Executions to trades: one (account, instrument) position stream, flat to flat.

A stream may span several instruments where corporate actions join them (imports/actions.py): an
Adjustment carries the position held in one instrument across a split, a reverse split or a symbol
change, its quantity and entry price scaled by the ratio, into the instrument it continues as.

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
- A trade's P&L is the exact sum of its fills' money, price x quantity x multiplier, closing minus
  opening (rounded once, to 8 places): never the difference of its averages, which are rounded for
  display. Fees split across a fill that crosses flat are split exactly, the last part taking the
  remainder, so the trades' commissions add up to the file's.
- An adjustment applies to the position held in its instrument after the fills of its instant (a
  split takes effect after the session). Its quantities scale and are kept to 8 places; the money
  paid stays, so the round trip's P&L is the cash it realized. With no position held it changes
  nothing; a position already held in the instrument it continues as is left alone, and so is
  the one the adjustment would carry there (two positions are never merged).
- A trade's instrument is the one it was last held in: the instrument it closed under.

`Execution` here is the one shape an execution has in memory, new or stored: imports/fills.py makes
it from a file's fill (with a provisional key), imports/streams.py loads it from the Execution model
and writes it there by field name. The engine reads only the fields up to `group`; the rest are what
the import needs around it, so no layer converts one shape into another.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from operator import attrgetter

from imports.formats.base import BUY, CLOSE, OPEN, SELL, AccountRef

# journal.models.Side's values; the engine stays free of Django.
LONG, SHORT = "long", "short"

NOTHING_TO_CLOSE = "closes a position opened before this file's first fill"
CLOSES_TOO_MUCH = "closes more than the open position: the rest was opened before this file's first fill"

EIGHT_PLACES = Decimal("0.00000001")
ZERO = Decimal(0)
# Sums of price x quantity x multiplier (three 20-digit numbers: 60 digits) are exact in 96 digits,
# and a quotient of such sums cannot hold the 30-odd 9s in a row that would let its rounding to 96
# digits change the half-up rounding to 8 places that follows: averages, fee splits and P&L are
# rounded once, exactly.
PRECISION = 96


@dataclass(slots=True)
class Execution:
    """One execution, stored or about to be. Fields named like the Execution model's columns hold
    what those columns hold (numbers at the database's precision, the time in UTC once stored)."""

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
    # Not the engine's: the stream, and what the duplicate rule and the import's report read.
    account_id: int | None = None  # set on a new execution when its account is resolved
    instrument: str = ""
    exec_id: str | None = None
    row: int = 0  # the file's row
    # What the file said, on a new execution only: its account as named there, and a trade-level
    # row's annotations of the trade it opens (checked, on its entry fill).
    account_ref: AccountRef | None = None
    trade: dict | None = None


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A corporate action: from `time` on, every `old_units` of `instrument` held are `new_units` of
    `new_instrument` (the same instrument for a split; a 10-for-1 split is 1 -> 10)."""

    time: datetime  # aware
    instrument: str
    new_instrument: str
    old_units: Decimal  # > 0
    new_units: Decimal  # > 0


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
    fills_pnl: Decimal | None = None  # the fills' money, closing minus opening, x multiplier; None while open
    instrument: str = ""  # the instrument it was last held in
    fills_realized_pnl: Decimal | None = None  # while open: closed_part_pnl of what is closed so far


@dataclass(slots=True)
class Build:
    trades: list[BuiltTrade] = field(default_factory=list)  # by entry_time, then opening_key
    rejected: list[Rejection] = field(default_factory=list)  # in time order


def build_trades(executions: Iterable[Execution], adjustments: Iterable[Adjustment] = ()) -> Build:
    """The trades of one position stream, in one pass over its executions ordered by (time, key),
    with the stream's corporate actions applied in time order.

    ValueError for input the caller should have refused (zero quantity, naive time, a repeated key).
    """
    executions = list(executions)
    _check(executions)
    adjustments = sorted(adjustments, key=attrgetter("time"))
    _check_adjustments(adjustments)
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
        _run(stream, build, adjustments)
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


def _check_adjustments(adjustments: list[Adjustment]) -> None:
    for a in adjustments:
        if a.time.tzinfo is None or not (a.old_units.is_finite() and a.new_units.is_finite()):
            raise ValueError(f"adjustment of {a.instrument} needs an aware time and finite units")
        if a.old_units <= ZERO or a.new_units <= ZERO:
            raise ValueError(f"adjustment of {a.instrument} needs units > 0")


class _Position:
    """The trade being built: running sums, so each fill costs a few additions."""

    __slots__ = (
        "allocations", "cash", "closed", "closed_value", "commission", "entry_time", "instrument", "long",
        "multiplier", "opened", "opened_value", "opening_costs", "opening_key", "size",
    )  # fmt: skip

    def __init__(self, e: Execution, quantity: Decimal, commission: Decimal, fees: Decimal) -> None:
        self.long = e.side == BUY
        self.opened = self.size = quantity
        self.opened_value = e.price * quantity
        self.closed = self.closed_value = ZERO
        self.cash = _money(e, quantity)
        self.commission = self.opening_costs = commission + fees
        self.allocations = [Allocation(e.key, quantity, commission, fees, True)]
        self.entry_time = e.time
        self.opening_key = e.key
        self.multiplier = e.multiplier
        self.instrument = e.instrument

    def add(self, e: Execution, quantity: Decimal, commission: Decimal, fees: Decimal, opening: bool) -> None:
        if opening:
            self.opened += quantity
            self.opened_value += e.price * quantity
            self.opening_costs += commission + fees
            self.size += quantity
        else:
            self.closed += quantity
            self.closed_value += e.price * quantity
            self.size -= quantity
        self.cash += _money(e, quantity)
        self.commission += commission + fees
        self.allocations.append(Allocation(e.key, quantity, commission, fees, opening))

    def adjust(self, adjustment: Adjustment) -> None:
        """Carried across a corporate action: the units scale, the money paid and received stays."""
        for name in ("opened", "closed", "size"):
            units = getattr(self, name) * adjustment.new_units / adjustment.old_units
            setattr(self, name, units.quantize(EIGHT_PLACES, ROUND_HALF_UP))
        self.instrument = adjustment.new_instrument

    def trade(self, exit_time: datetime | None) -> BuiltTrade:
        # The one rounding: quantity-weighted averages, computed exactly, kept at 8 places half-up.
        exit_price = fills_pnl = realized = None
        if exit_time is not None:
            exit_price = (self.closed_value / self.closed).quantize(EIGHT_PLACES, ROUND_HALF_UP)
            fills_pnl = self.cash.quantize(EIGHT_PLACES, ROUND_HALF_UP)
        else:
            realized = closed_part_pnl(
                long=self.long, opened=self.opened, opened_value=self.opened_value, opening_costs=self.opening_costs,
                closed=self.closed, closed_value=self.closed_value, closing_costs=self.commission - self.opening_costs,
                multiplier=self.multiplier,
            )  # fmt: skip
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
            fills_pnl=fills_pnl,
            instrument=self.instrument,
            fills_realized_pnl=realized,
        )


def closed_part_pnl(
    *, long: bool, opened: Decimal, opened_value: Decimal, opening_costs: Decimal, closed: Decimal,
    closed_value: Decimal, closing_costs: Decimal, multiplier: Decimal,
) -> Decimal:  # fmt: skip
    """The net P&L of `closed` of the `opened` quantity, from the sums of the fills' price x quantity
    and costs: closed x (average exit - average entry) x multiplier (reversed for a short), less the
    closing costs and closed/opened of the opening ones. One division, exact, rounded once to 8 places."""
    with localcontext() as context:
        context.prec = 3 * PRECISION  # the numerator multiplies three sums of 20-digit products
        move = closed_value * opened - closed * opened_value
        gross = (move if long else -move) * multiplier
        net = gross - closing_costs * opened - closed * opening_costs
        return (net / opened).quantize(EIGHT_PLACES, ROUND_HALF_UP)


def _money(e: Execution, quantity: Decimal) -> Decimal:
    """What `quantity` of the execution paid (a buy, negative) or received (a sale)."""
    value = e.price * quantity * e.multiplier
    return -value if e.side == BUY else value


def _run(executions: list[Execution], build: Build, adjustments: list[Adjustment] = ()) -> None:
    """Fold one ordered stream into trades and rejections, applying the corporate actions in time."""
    positions: dict[str, _Position] = {}  # by the instrument each is held in
    pending = iter(adjustments)
    adjustment = next(pending, None)
    for e in executions:
        while adjustment is not None and adjustment.time < e.time:
            _adjust(positions, adjustment)
            adjustment = next(pending, None)
        position = _fold(e, positions.get(e.instrument), build)
        if position is None:
            positions.pop(e.instrument, None)
        else:
            positions[e.instrument] = position
    while adjustment is not None:
        _adjust(positions, adjustment)
        adjustment = next(pending, None)
    build.trades.extend(position.trade(None) for position in positions.values())


def _adjust(positions: dict[str, _Position], adjustment: Adjustment) -> None:
    position = positions.get(adjustment.instrument)
    moves = adjustment.new_instrument != adjustment.instrument
    if position is None or (moves and adjustment.new_instrument in positions):
        return
    position.adjust(adjustment)
    if moves:
        positions[adjustment.new_instrument] = positions.pop(adjustment.instrument)


def _fold(e: Execution, position: _Position | None, build: Build) -> _Position | None:
    """The position after `e`: trades it completes and parts of it rejected go into `build`."""
    trades, rejected = build.trades, build.rejected
    if position is None or (e.side == BUY) == position.long:
        if e.effect == CLOSE or not e.price:
            rejected.append(Rejection(e.key, e.quantity, NOTHING_TO_CLOSE, e.commission, e.fees))
        elif position is None:
            position = _Position(e, e.quantity, e.commission, e.fees)
        else:
            position.add(e, e.quantity, e.commission, e.fees, True)
        return position
    if e.quantity < position.size:
        position.add(e, e.quantity, e.commission, e.fees, False)
        return position
    if e.quantity == position.size:
        position.add(e, e.quantity, e.commission, e.fees, False)
        trades.append(position.trade(e.time))
        return None
    # Crosses flat: the part up to flat closes this trade, the rest opens the next (or, for a
    # "close" fill, is rejected); commission and fees are split by quantity.
    closing, rest = position.size, e.quantity - position.size
    commission, rest_commission = _split(e.commission, closing, e.quantity)
    fees, rest_fees = _split(e.fees, closing, e.quantity)
    position.add(e, closing, commission, fees, False)
    trades.append(position.trade(e.time))
    if e.effect == CLOSE or not e.price:
        rejected.append(Rejection(e.key, rest, CLOSES_TOO_MUCH, rest_commission, rest_fees))
        return None
    return _Position(e, rest, rest_commission, rest_fees)


def _split(amount: Decimal, part: Decimal, whole: Decimal) -> tuple[Decimal, Decimal]:
    """`amount` in proportion part : (whole - part); the first share rounded to 8 places half-up,
    the second the remainder, so the two add up to `amount` exactly."""
    first = (amount * part / whole).quantize(EIGHT_PLACES, ROUND_HALF_UP)
    return first, amount - first
