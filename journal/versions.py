"""A version per trader's journal, moved by every write to it, and results cached under it.

Every write to an owner's journal (a trade created, changed or deleted, an import applied or
undone, an account or tag changed) calls `changed(user_id)` inside its transaction; the version
moves then, and again right after the commit (a reader between the two may have stored what it
read before the commit under the first move). A result (a list's count, /stats, each /stats/... endpoint) is
cached with the version it was computed under and served only while the version is still that
one. A reader reads the version before the data, so what it computes is at least as new as the
version it stores it under: a read that follows a write, on any worker, always misses the old
result and sees the write.

The version lives in Redis when REDIS_URL is set, else in the database cache, shared by every
worker and instance. A version key that has gone (Redis restarted or evicted it) comes back as a
new, time-based number, never one an old result could carry. If moving a version fails (Redis
unreachable just after a commit), this process retries it as soon as Redis answers again, and
every result expires after RESULT_TTL in any case: the bound on how stale anything could get.
"""

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

from apikeys import ratelimit
from tradejournal.renderers import dumps

RESULT_TTL = 300
_pending: set[int] = set()


def version_key(user_id: int) -> str:
    return f"journal:version:{user_id}"


def result_key(user_id: int, name: str, query: str) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return f"journal:result:{user_id}:{name}:{digest}"


def normalised_query(request) -> str:
    """The query as a result depends on it: every parameter, in order. Empty ones are kept: an
    empty filter is no filter, but an empty `per_page` or `by` is a 422, and a cached answer is
    served without validating the query again, so only the same query may find it."""
    params = request.GET
    return "&".join(f"{name}={value}" for name in sorted(params) for value in params.getlist(name))


def changed(user_id: int) -> None:
    """Call inside the transaction that writes to `user_id`'s journal (or right after an
    autocommitted write: then once is enough)."""
    if transaction.get_connection().in_atomic_block:
        _bump(user_id)
    transaction.on_commit(lambda: _bump(user_id))


def _bump(user_id: int) -> None:
    if not settings.REDIS_URL:
        try:
            cache.incr(version_key(user_id))
        except ValueError:  # no version yet: nothing cached under one either
            cache.add(version_key(user_id), _fresh_version())
        return
    _pending.add(user_id)
    _flush_pending()


def _flush_pending() -> None:
    if not _pending:
        return
    pending = list(_pending)

    def bump_all(client):
        pipeline = client.pipeline(transaction=False)
        for user_id in pending:
            pipeline.incr(version_key(user_id))
        return pipeline.execute()

    if ratelimit.on_redis(bump_all) is not None:
        _pending.difference_update(pending)


def _fresh_version() -> int:
    return int(time.time() * 1000)


def read(user_id: int, name: str, query: str, prefetched: dict | None = None) -> tuple[int | None, bytes | None]:
    """(the owner's version, the body cached for this result if it was computed under it).
    `prefetched`: both read already, in authentication's round trip (CachedResults)."""
    vkey, rkey = version_key(user_id), result_key(user_id, name, query)
    if settings.REDIS_URL:
        _flush_pending()
        if prefetched and vkey in prefetched and rkey in prefetched and not _pending:
            values = [prefetched[vkey], prefetched[rkey]]
        else:
            values = ratelimit.on_redis(lambda client: client.mget([vkey, rkey]))
        if values is None:
            return None, None  # Redis down: compute, and cache nothing
        version, stored = values
        if version is None:
            return _initial_version(vkey), None
        return _matching(int(version), stored)
    values = cache.get_many([vkey, rkey])
    version = values.get(vkey)
    if version is None:
        return _initial_version(vkey), None
    return _matching(int(version), values.get(rkey))


def _initial_version(vkey: str) -> int | None:
    """A new version for an owner without one (None if another request set one meanwhile)."""
    fresh = _fresh_version()
    if settings.REDIS_URL:
        created = ratelimit.on_redis(lambda client: client.set(vkey, fresh, nx=True))
    else:
        created = cache.add(vkey, fresh)
    return fresh if created else None


def _matching(version: int, stored: bytes | None) -> tuple[int, bytes | None]:
    if stored is None:
        return version, None
    stored_version, _, body = bytes(stored).partition(b"\n")
    return version, (body if stored_version == str(version).encode() else None)


def store(user_id: int, name: str, query: str, version: int, body: bytes) -> None:
    value = str(version).encode() + b"\n" + body
    key = result_key(user_id, name, query)
    if settings.REDIS_URL:
        ratelimit.on_redis(lambda client: client.set(key, value, ex=RESULT_TTL))
    else:
        cache.set(key, value, timeout=RESULT_TTL)


def cached_json(request, name: str, compute: Callable[[], object]) -> HttpResponse:
    """`compute()`'s result as a JSON response, from the cache while the owner's journal is unchanged.

    Only successful results are cached, so a hit means this very query was valid before: a hit
    skips validating it again.
    """
    user_id, query = request.user.pk, normalised_query(request)
    version, body = read(user_id, name, query, getattr(request, "prefetched", None))
    if body is None:
        body = dumps(compute())
        if version is not None:
            store(user_id, name, query, version, body)
    return HttpResponse(body, content_type="application/json")


def cached_value(request, name: str, compute: Callable[[], int], query: str) -> int:
    """An integer result (a list's count) cached the same way."""
    version, body = read(request.user.pk, name, query)
    if body is not None:
        return int(body)
    value = compute()
    if version is not None:
        store(request.user.pk, name, query, version, str(value).encode())
    return value


class CachedResults:
    """A view whose GET answer is cached under its owner's journal version, named `cached_as`:
    authentication reads the version and the cached answer in its own Redis round trip."""

    cached_as: str | None = None

    def prefetch_keys(self, request, user_id: int) -> list[str]:
        if self.cached_as is None or request.method != "GET":
            return []
        return [version_key(user_id), result_key(user_id, self.cached_as, normalised_query(request))]
