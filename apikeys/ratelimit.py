"""Fixed-window request counters shared by every worker and instance: Redis when configured,
else one atomic upsert in the database."""

from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
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


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    # One client (and connection pool) per process: building a client per call, as the cache
    # framework does, costs more than the round trip itself on this hot path.
    return redis.Redis.from_url(url)


def hit(bucket: str, *, window_start: int, period: int) -> int:
    """Counts one request in `bucket`'s window starting at `window_start`; returns the count."""
    if settings.REDIS_URL:
        key = f"ratelimit:{bucket}:{window_start}"
        # INCR is atomic; EXPIRE NX gives a new window's key its lifetime. One round trip.
        pipeline = _redis(settings.REDIS_URL).pipeline(transaction=False)
        pipeline.incr(key)
        pipeline.expire(key, period + 1, nx=True)
        return pipeline.execute()[0]
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [bucket, window_start])
        return cursor.fetchone()[0]
