"""Fixed-window request counters shared by every worker and instance: Redis when configured,
else one atomic upsert in the database.

With Redis down the limits fail open: requests are served uncounted (and the outage is logged
once), since refusing every request would turn a cache outage into a full one.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import connection

from apikeys.models import RateLimitCounter
from core import redis_client

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
_TABLE = RateLimitCounter._meta.db_table
_UPSERT = f"""
INSERT INTO {_TABLE} (bucket, window_start, hits) VALUES (%s, %s, 1)
ON CONFLICT (bucket) DO UPDATE SET
    hits = CASE WHEN {_TABLE}.window_start = excluded.window_start THEN {_TABLE}.hits + 1 ELSE 1 END,
    window_start = excluded.window_start
RETURNING hits
"""  # noqa: S608 (the table's name, no value)


def redis_key(bucket: str, window_start: int) -> str:
    return f"ratelimit:{bucket}:{window_start}"


def hit(bucket: str, *, window_start: int, period: int) -> int | None:
    """Counts one request in `bucket`'s window starting at `window_start`; returns the count, or
    None when Redis is unavailable (nothing was counted)."""
    if settings.REDIS_URL:
        key = redis_key(bucket, window_start)
        # INCR is atomic; EXPIRE NX gives a new window's key its lifetime. One round trip.
        return redis_client.on_redis(
            lambda r: r.pipeline(transaction=False).incr(key).expire(key, period + 1, nx=True).execute()[0]
        )
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [bucket, window_start])
        return cursor.fetchone()[0]


def count(bucket: str, *, window_start: int) -> int | None:
    """The requests counted so far in `bucket`'s window, without counting one (None: unknown)."""
    if settings.REDIS_URL:
        return redis_client.on_redis(lambda r: int(r.get(redis_key(bucket, window_start)) or 0))
    counted = RateLimitCounter.objects.filter(bucket=bucket, window_start=window_start).values_list("hits", flat=True)
    return counted.first() or 0


# No rate is counted over more than a day, so a row whose window started earlier is spent.
LONGEST_PERIOD = max(_PERIODS.values())


def purge_expired(now: float) -> int:
    """Deletes the database's spent counters (run by `manage.py purge`); Redis expires its own."""
    deleted, _ = RateLimitCounter.objects.filter(window_start__lt=int(now) - LONGEST_PERIOD).delete()
    return deleted
