"""What an API request needs to know before its key is checked, in one Redis round trip: the
key-set version (apikeys/keycache.py), the failed authentications of its client's address, and
its key's rate-limit count (counted here, released again if the key turns out to be wrong).
A view may ask for more keys in the same trip (`prefetch_keys(request, user_id)`, e.g. its
cached answer): they are read when this worker already knows the key's owner, and left on the
request as `prefetched`.

Without Redis, or with Redis down, the failures come from the database, the version is unknown
(keys are then read from the database) and the throttle counts the request itself.
"""

from dataclasses import dataclass

from django.conf import settings

from apikeys import keycache, ratelimit
from apikeys.clients import client_address
from apikeys.throttling import FixedWindowLimit, key_limit
from core import redis_client


@dataclass
class Admission:
    failures_exceeded: bool
    version: int | None = None  # None: the key-set version is unknown
    key_count: int | None = None  # this request's count in its key's window, if counted here
    key_bucket: tuple[str, int] | None = None  # (Redis key, period) of that count


def failure_limit(request) -> FixedWindowLimit:
    # Guards against guessing keys at speed: failures are counted per client address.
    return FixedWindowLimit(f"authfail:{client_address(request)}", settings.API_AUTH_FAILURE_RATE_LIMIT)


def admit(request, prefix: str, prefetch=None) -> Admission:
    failures = failure_limit(request)
    if not settings.REDIS_URL:
        return Admission(failures_exceeded=failures.exceeded())
    limit = key_limit(prefix)
    failures_key = ratelimit.redis_key(failures.bucket, failures.window_start())
    counter_key = ratelimit.redis_key(limit.bucket, limit.window_start())
    # A key's owner never changes, so a remembered key names it even before the version is read.
    owner = keycache.owner_of(prefix)
    extra = prefetch(request, owner) if prefetch is not None and owner is not None else []

    def read(r):
        pipeline = r.pipeline(transaction=False).get(keycache.VERSION_KEY).get(failures_key).incr(counter_key)
        pipeline.expire(counter_key, limit.rate.period + 1, nx=True)
        if extra:
            pipeline.mget(extra)
        return pipeline.execute()

    replies = redis_client.on_redis(read)
    if replies is None:  # Redis down: the database path, uncounted (fail open)
        return Admission(failures_exceeded=failures.exceeded())
    version, failed, count, _ = replies[:4]
    if extra:
        getattr(request, "_request", request).prefetched = dict(zip(extra, replies[4], strict=True))
    return Admission(
        failures_exceeded=int(failed or 0) >= failures.rate.limit,
        version=int(version or 0),
        key_count=count,
        key_bucket=(counter_key, limit.rate.period),
    )


def release(admission: Admission) -> None:
    """Uncounts a request whose key was wrong: a stranger's guesses don't spend a key's quota."""
    if admission.key_bucket is not None:
        redis_client.on_redis(lambda r: r.decr(admission.key_bucket[0]))
