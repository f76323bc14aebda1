"""The breakdowns: closed trades grouped by instrument, setup, side, account, tag, weekday, hour,
month or hold time, each bucket with /stats' outcome figures and its average R — one grouped
aggregate query.

Buckets of a clock or a scale (weekday, hour, hold_time) are all listed, in order, empty ones with
zeros, so a chart's axis is complete; the others are listed when they have trades, sorted by key,
trades without one (no setup type, account or tag) last under the key null.
"""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db.models import Count, F, QuerySet, Sum, Value
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, Lower, NullIf, TruncMonth

from analytics.measures import MINUTE, R_MULTIPLE, HoldBucket
from core import zones
from journal.models import Trade, TradeTag
from journal.stats import OUTCOME_AGGREGATES, outcome_figures, ratio

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS = tuple(range(24))
# (name, upper bound of the hold, exclusive); the last bucket has none.
HOLD_TIMES = (
    ("<1m", MINUTE), ("1-5m", 5 * MINUTE), ("5-15m", 15 * MINUTE), ("15-60m", 60 * MINUTE),
    ("1-4h", 240 * MINUTE), ("4-24h", 1440 * MINUTE), ("1d+", None),
)  # fmt: skip
EMPTY = dict.fromkeys(OUTCOME_AGGREGATES, 0) | {"sum_r": None, "n_r": 0}


def _hold_time():
    """The bucket's number: 0 for the first of HOLD_TIMES."""
    return HoldBucket(tuple(limit for _, limit in HOLD_TIMES if limit is not None))


def _bucket_key(by: str, zone: ZoneInfo):
    """The database expression a breakdown groups by; weekday and hour of the entry, month of the
    exit, each in `zone` (as the trader's calendar shows them)."""
    zone = zones.in_database(zone)
    return {
        "instrument": F("instrument"),
        # Grouped as the setup_type filter matches: in any case (shown in lower case).
        "setup_type": NullIf(Lower("setup_type"), Value("")),
        "side": F("side"),
        "account": F("account"),
        "tag": F("tags__name"),
        "weekday": ExtractIsoWeekDay("entry_time", tzinfo=zone),
        "hour": ExtractHour("entry_time", tzinfo=zone),
        "month": TruncMonth("exit_time", tzinfo=zone),
        "hold_time": _hold_time(),
    }[by]


# How a grouped key is shown, and the full list of keys of the fixed scales.
_SHOW: dict[str, Callable] = {
    "weekday": lambda day: WEEKDAYS[day - 1], "month": lambda at: f"{at:%Y-%m}",
    "hold_time": lambda number: HOLD_TIMES[number][0],
}  # fmt: skip
_ALL_KEYS = {"weekday": WEEKDAYS, "hour": HOURS, "hold_time": tuple(name for name, _ in HOLD_TIMES)}


def breakdown(trades: QuerySet, *, by: str, zone: ZoneInfo) -> list[dict]:
    """One bucket {key, total_trades, wins, ..., expectancy, avg_r} per key of `by` over the
    closed `trades`. A trade with several tags counts under each of them."""
    if by == "tag" and _joins_tags(trades):
        # Grouped through a join of its own: one the query made (tags__name=...) would keep only the
        # tags it matched, not every tag of the matching trades. (The API's tag filter selects trades
        # by id, so its trades are grouped as they are, from the analytics' index alone.)
        trades = Trade.objects.filter(pk__in=trades.values("pk"))
    rows = (
        trades.order_by()
        .values(key=_bucket_key(by, zone))
        .annotate(**OUTCOME_AGGREGATES, sum_r=Sum(R_MULTIPLE), n_r=Count(R_MULTIPLE))
    )
    show = _SHOW.get(by, lambda key: key)
    grouped = {None if row["key"] is None else show(row["key"]): row for row in rows}
    keys = _ALL_KEYS.get(by) or sorted(grouped, key=_sort_key)
    return [_bucket(key, grouped.get(key, EMPTY)) for key in keys]


def _joins_tags(trades: QuerySet) -> bool:
    return any(join.table_name == TradeTag._meta.db_table for join in trades.query.alias_map.values())


def _sort_key(key: str | int | None) -> tuple:
    if key is None:
        return (1,)
    return (0, key.casefold(), key) if isinstance(key, str) else (0, key)


def _bucket(key: str | int | None, row: dict) -> dict:
    return {"key": key, **outcome_figures(row), "avg_r": ratio(row["sum_r"] or 0, row["n_r"])}
