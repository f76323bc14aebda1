"""What an API request needs to know before its key is checked, in one Redis round trip: the
key-set version (apikeys/keycache.py), the failed authentications of its client's address, and
its key's rate-limit count (counted here, released again if the key turns out to be wrong).

Without Redis, or with Redis down, the failures come from the database, the version is unknown
(keys are then read from the database) and the throttle counts the request itself.
"""

from dataclasses import dataclass

from django.conf import settings

from apikeys import keycache, ratelimit
from apikeys.clients import client_address
from apikeys.throttling import FixedWindowLimit, key_limit


@dataclass
class Admission:
    failures_exceeded: bool
    version: int | None = None  # None: the key-set version is unknown
    key_count: int | None = None  # this request's count in its key's window, if counted here
    key_bucket: tuple[str, int] | None = None  # (Redis key, period) of that count


def failure_limit(request) -> FixedWindowLimit:
    # Guards against guessing keys at speed: failures are counted per client address.
    return FixedWindowLimit(f"authfail:{client_address(request)}", settings.API_AUTH_FAILURE_RATE_LIMIT)


def admit(request, prefix: str) -> Admission:
    failures = failure_limit(request)
    if not settings.REDIS_URL:
        return Admission(failures_exceeded=failures.exceeded())
    limit = key_limit(prefix)
    failures_key = ratelimit.redis_key(failures.bucket, failures.window_start())
    counter_key = ratelimit.redis_key(limit.bucket, limit.window_start())
    replies = ratelimit.on_redis(
        lambda r: (
            r.pipeline(transaction=False)
            .get(keycache.VERSION_KEY)
            .get(failures_key)
            .incr(counter_key)
            .expire(counter_key, limit.rate.period + 1, nx=True)
            .execute()
        )
    )
    if replies is None:  # Redis down: the database path, uncounted (fail open)
        return Admission(failures_exceeded=failures.exceeded())
    version, failed, count, _ = replies
    return Admission(
        failures_exceeded=int(failed or 0) >= failures.rate.limit,
        version=int(version or 0),
        key_count=count,
        key_bucket=(counter_key, limit.rate.period),
    )


def release(admission: Admission) -> None:
    """Uncounts a request whose key was wrong: a stranger's guesses don't spend a key's quota."""
    if admission.key_bucket is not None:
        ratelimit.on_redis(lambda r: r.decr(admission.key_bucket[0]))
