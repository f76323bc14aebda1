"""The one Redis client of a process, and how a call to it fails: quickly, noted once, as None."""

from functools import lru_cache

import redis
from django.conf import settings

from core import outage


@lru_cache(maxsize=4)
def _redis(url: str, timeout: float) -> redis.Redis:
    # One client (and connection pool) per process: building a client per call, as the cache
    # framework does, costs more than the round trip itself on this hot path.
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def shared_redis() -> redis.Redis:
    return _redis(settings.REDIS_URL, settings.REDIS_TIMEOUT)


def on_redis(command, *, in_background: bool = False):
    """`command(client)`'s result, or None when Redis is unavailable (the outage is noted once).

    A Redis that failed moments ago is not asked (outage.PROBE_EVERY), so that requests don't each
    wait out its timeout; a thread `in_background` holds up no request, and asks all the same.
    """
    if outage.redis.skip() and not in_background:
        return None
    try:
        result = command(shared_redis())
    except redis.RedisError as exc:
        outage.redis.failed(exc)
        return None
    outage.redis.recovered()
    return result
