"""Fixed-window request counters shared by every worker and instance: Redis when configured,
else one atomic upsert in the database."""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import connection

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


@lru_cache(maxsize=16)
def parse_rate(text: str) -> Rate:
    """`"120/minute"` → Rate(120, 60). Accepts second, minute, hour, day (or their initials)."""
    count, _, period = text.partition("/")
    try:
        return Rate(int(count), _PERIODS[period.strip().lower()[:1]])
    except (KeyError, ValueError) as exc:
        raise ValueError(f"Bad rate {text!r}: expected N/second, N/minute, N/hour or N/day") from exc


# The CASE keeps the row of the current window counting up and restarts it for a new window,
# in one statement, so two workers hitting the same key at once can't both read the old count.
_UPSERT = """
INSERT INTO apikeys_ratelimitcounter (bucket, window_start, hits) VALUES (%s, %s, 1)
ON CONFLICT (bucket) DO UPDATE SET
    hits = CASE WHEN apikeys_ratelimitcounter.window_start = excluded.window_start
                THEN apikeys_ratelimitcounter.hits + 1 ELSE 1 END,
    window_start = excluded.window_start
RETURNING hits
"""


def hit(bucket: str, *, window_start: int, period: int) -> int:
    """Counts one request in `bucket`'s window starting at `window_start`; returns the count."""
    if settings.REDIS_URL:
        key = f"ratelimit:{bucket}:{window_start}"
        # add() is SET NX, incr() is INCR: atomic on Redis; the key dies with its window.
        cache.add(key, 0, timeout=period + 1)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=period + 1)
            return 1
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [bucket, window_start])
        return cursor.fetchone()[0]
