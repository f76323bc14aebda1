"""A time zone's UTC offset as SQL: the SQLite date modifier that takes a stored UTC timestamp to
its local time, chosen per row by the instant, as Python's zoneinfo would.

The offsets come from zoneinfo itself (the zone Django's own functions convert with), sampled once
a day over the years a trade may be in (core/wire.py: 1970 to 2099) and each change of offset found
to the second. The closest changes in those years are a week apart (tzdata 2026: Noronha's summer
time of 2000, Gaza's around Ramadan), so a day's step sees every one. Outside them, which no stored
trade is, a zone keeps its offset of the first or the last day.

Per row, the offset is a balanced tree of CASE WHEN comparing the timestamp's text with the
instants of change as 'YYYY-MM-DD HH:MM:SS' (such texts sort as the instants do, and a fraction
of a second past a change sorts after it): about log2(changes) comparisons, nine for New York's
260. The expression is made once per zone name.
"""

import functools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.backends.utils import split_tzname_delta

from core import wire

FIRST = int(datetime(wire.FIRST_YEAR, 1, 1, tzinfo=UTC).timestamp())
LAST = int(datetime(wire.LAST_YEAR + 1, 1, 1, tzinfo=UTC).timestamp())
STEP = 24 * 3600
# Where the tree puts the timestamp's SQL: str.format's, as the caller fills it in.
TIMESTAMP = "{0}"


@functools.lru_cache
def modifier(tzname: str) -> str | None:
    """The SQL of the modifier taking a UTC timestamp (`TIMESTAMP`) to its local time in Django's
    `tzname`, or None for a name zoneinfo does not know.

    Django reads a name ending in a sign and an offset ("UTC+05:30", what a fixed offset is named)
    as that zone's time of the instant moved by the offset (backends/sqlite3/_functions.py): so
    here, to give the same answer whatever the name."""
    name, sign, offset = split_tzname_delta(tzname)
    try:
        hours, minutes = offset.split(":") if offset else (0, 0)
        shift = (int(hours) * 3600 + int(minutes) * 60) * (-1 if sign == "-" else 1)
        changes, offsets = _changes(ZoneInfo(name or "UTC"))  # no name: the connection's, UTC (base.py)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        return None
    instants = [_text(change - shift) for change in changes]
    return _tree(instants, [f"'{seconds + shift:+d} seconds'" for seconds in offsets])


def _changes(zone: ZoneInfo) -> tuple[list[int], list[int]]:
    """The instants (Unix seconds) at which `zone`'s offset changes from FIRST to LAST, and the
    offsets (seconds): the first before the first change, then one after each change."""
    changes, offsets = [], [_offset(zone, FIRST)]
    for day in range(FIRST, LAST, STEP):
        if (following := _offset(zone, day + STEP)) != offsets[-1]:
            changes.append(_first_second(zone, day, day + STEP, offsets[-1]))
            offsets.append(following)
    return changes, offsets


def _first_second(zone: ZoneInfo, before: int, after: int, offset: int) -> int:
    """The first second of (`before`, `after`] at which `zone` no longer has `offset`, which it has
    at `before` and not at `after`."""
    while after - before > 1:
        middle = (before + after) // 2
        if _offset(zone, middle) == offset:
            before = middle
        else:
            after = middle
    return after


def _offset(zone: ZoneInfo, instant: int) -> int:
    return int(datetime.fromtimestamp(instant, zone).utcoffset().total_seconds())


def _text(instant: int) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _tree(instants: list[str], modifiers: list[str]) -> str:
    """The modifier in force at the timestamp: `modifiers[i]` from `instants[i - 1]` on."""
    if len(modifiers) == 1:
        return modifiers[0]
    middle = len(modifiers) // 2
    earlier = _tree(instants[: middle - 1], modifiers[:middle])
    later = _tree(instants[middle:], modifiers[middle:])
    return f"CASE WHEN {TIMESTAMP} < '{instants[middle - 1]}' THEN {earlier} ELSE {later} END"
