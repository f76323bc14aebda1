"""Times for account histories that state only a trade date (Fidelity, E*TRADE, Robinhood, Firstrade,
a journal's date-only export): the rows are read first, then timed once the file's order is known.

A fill's time is the US close, 16:00 in the import's `tz`, on its date; fills of one instrument on
one day follow the order they happened a second apart (base.DayClock). Brokers list their history
newest first or oldest first: a file mostly in descending date order is read as newest first, and
a file that cannot tell (every row on one day) as the broker writes it (`newest_first`). An option
leaving the account (expired, assigned) closes the position the file's own fills built, whatever
side the row guessed.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

from imports.formats import base

UNTIMED = datetime.min  # a Dated fill's time until `timed` sets it


@dataclass(frozen=True, slots=True)
class Dated:
    """A fill whose time waits for the file's order; a `removal`'s side waits for the position too."""

    fill: base.Fill
    day: date
    removal: bool = False


def timed(items: Iterable["Dated | base.Item"], tz: ZoneInfo, *, newest_first: bool) -> Iterator[base.Item]:
    """Every item in row order, each Dated fill with its time."""
    items = list(items)
    fills = [item for item in items if isinstance(item, Dated)]
    days = [item.day for item in fills]
    descending, ascending = sum(a > b for a, b in pairwise(days)), sum(a < b for a, b in pairwise(days))
    if descending > ascending or (descending == ascending and newest_first):
        fills.reverse()
    clock, held = base.DayClock(tz), {}
    out: list[base.Item] = [item for item in items if not isinstance(item, Dated)]
    for item in sorted(fills, key=lambda item: item.day):  # stable: one day's fills keep their order
        fill = replace(item.fill, time=clock.at(item.day, item.fill.instrument))
        position = held.get(fill.instrument, 0)
        if item.removal and position:
            fill = replace(fill, side=base.SELL if position > 0 else base.BUY)
        held[fill.instrument] = position + (fill.quantity if fill.side == base.BUY else -fill.quantity)
        out.append(fill)
    yield from sorted(out, key=lambda item: item.row)


def parse_day(text: str, formats: Iterable[str], what: str = "date") -> date:
    """A date in one of `formats` (strptime), or a RowProblem naming it."""
    raw = text.strip()
    for fmt in formats:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise base.RowProblem(f"the {what} {raw!r} is not a date this format writes" if raw else f"the {what} is missing")
