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
unreachable just after a commit), the process that made the write keeps the move and makes it
within RETRY_EVERY of Redis answering again: a thread of its own retries until every move is made,
whether or not the process serves another request, and every request it serves retries first.
Every result expires after RESULT_TTL in any case: the bound on how stale anything could get (a
process that ends, or is killed, with moves still to make).

The API and the web journal share these results, under the same keys: a result's name and the
query the API is sent for it. A result is stored as the JSON the API answers with. The API serves
it as stored (`cached_json`): a warm read is that body, fetched in authentication's one Redis round
trip (CachedResults), with no database and nothing parsed. A page asks the same selectors through
`cached_figures`: on a miss it keeps the selector's values and stores their JSON for both readers;
on a hit it reads the stored answer back as any client of the API does (numbers exact, a Decimal or
an int where whole; dates and times as the API writes them), and draws the same figures either
way. Entries of the page's own, holding its Python values, would keep every result twice and let
neither reader profit from the other's work.
"""

import hashlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase

from core import metrics, redis_client, replicas
from core.renderers import dumps

RESULT_TTL = 300
RETRY_EVERY = 0.5  # seconds between a process's retries of the moves Redis refused

# Owner → the number of their latest move still to make; an entry goes only once Redis has made a
# move at least that recent (another thread may add one while a flush is under way).
_pending: dict[int, int] = {}
_moves = itertools.count()
_lock = threading.Lock()
_retrier: threading.Thread | None = None
_deferring = threading.local()  # .owners: the owners whose moves wait for the end of `deferred()`


def version_key(user_id: int) -> str:
    return f"journal:version:{user_id}"


def result_key(user_id: int, name: str, query: str) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return f"journal:result:{user_id}:{name}:{digest}"


def normalised_query(params: QueryDict) -> str:
    """The query as a result depends on it: every parameter, in order. Empty ones are kept: an
    empty filter is no filter, but an empty `per_page` or `by` is a 422, and a cached answer is
    served without validating the query again, so only the same query may find it."""
    return "&".join(f"{name}={value}" for name in sorted(params) for value in params.getlist(name))


def changed(user_id: int) -> None:
    """Call inside the transaction that writes to `user_id`'s journal (or right after an
    autocommitted write: then once is enough)."""
    owners = getattr(_deferring, "owners", None)
    if owners is not None:
        owners.add(user_id)
        return
    if transaction.get_connection().in_atomic_block:
        _bump(user_id)
    transaction.on_commit(lambda: _committed(user_id))


@contextmanager
def deferred() -> Iterator[None]:
    """The moves asked for inside are made once each, when it ends (and again after the commit).

    For a long transaction (an import): without Redis a move updates the owner's row of the cache
    table, and that row stays locked until the commit; moved at the start, it would keep every
    other writer of that row, and the cache's culling of old rows for any trader, waiting for the
    whole transaction. PostgreSQL checks the foreign keys of the rows written (deferred constraints)
    at the commit, for a big import seconds: they are checked first, before the row is locked."""
    owners: set[int] = set()
    _deferring.owners = owners
    try:
        yield
    finally:
        _deferring.owners = None
    if owners and connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for user_id in sorted(owners):
        changed(user_id)


def _committed(user_id: int) -> None:
    _bump(user_id)
    # Where the owner's reads may go now (core/replicas.py): only where this commit is replayed.
    replicas.written(user_id)


def _bump(user_id: int) -> None:
    if not settings.REDIS_URL:
        try:
            cache.incr(version_key(user_id))
        except ValueError:  # no version yet: nothing cached under one either
            cache.add(version_key(user_id), _fresh_version())
        return
    with _lock:
        _pending[user_id] = next(_moves)
    _flush_pending()


def _flush_pending(*, in_background: bool = False) -> None:
    with _lock:
        pending = dict(_pending)
    if not pending:
        return

    def bump_all(client):
        pipeline = client.pipeline(transaction=False)
        for user_id in pending:
            pipeline.incr(version_key(user_id))
        return pipeline.execute()

    if redis_client.on_redis(bump_all, in_background=in_background) is None:
        _retry_in_background()
        return
    with _lock:
        for user_id, move in pending.items():
            if _pending.get(user_id) == move:
                del _pending[user_id]


def _retry_in_background() -> None:
    """Starts this process's retrying thread unless it runs. A thread does not survive a fork: it is
    started by the process that has a move to make (a gunicorn worker, never the master), when it has one."""
    global _retrier
    with _lock:
        if _retrier is None or not _retrier.is_alive():
            _retrier = threading.Thread(target=_retry_until_made, name="journal-version-retry", daemon=True)
            _retrier.start()


def _retry_until_made() -> None:
    global _retrier
    while True:
        time.sleep(RETRY_EVERY)
        _flush_pending(in_background=True)
        with _lock:
            if not _pending:
                _retrier = None
                return


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
            values = redis_client.on_redis(lambda client: client.mget([vkey, rkey]))
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
        created = redis_client.on_redis(lambda client: client.set(vkey, fresh, nx=True))
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
        redis_client.on_redis(lambda client: client.set(key, value, ex=RESULT_TTL))
    else:
        cache.set(key, value, timeout=RESULT_TTL)


def cached_json(request, name: str, compute: Callable[[], object]) -> HttpResponseBase:
    """An API view's answer: `compute()`'s result as a JSON response, from the cache while the owner's
    journal is unchanged.

    Only successful results are cached, so a hit means this very query was valid before: a hit
    skips validating it again. A result that is a response of its own (a streamed body too large
    to hold, core.renderers.spooled) is answered as it is, not cached.
    """
    user_id, query = request.user.pk, normalised_query(request.GET)
    version, body = read(user_id, name, query, getattr(request, "prefetched", None))
    metrics.cache_lookups.labels(result="miss" if body is None else "hit").inc()
    if body is None:
        result = compute()
        if isinstance(result, HttpResponseBase):
            return result
        body = _computed(user_id, name, query, version, result)
    return HttpResponse(body, content_type="application/json")


def cached_figures(user_id: int, name: str, query: QueryDict, compute: Callable[[], dict]) -> dict:
    """A page's figures: `compute()`'s result, or the cached answer of the API's `name` to `query`
    read back. The question must be valid: a hit skips validating it, as the API's does."""
    query_text = normalised_query(query)
    version, body = read(user_id, name, query_text)
    if body is not None:
        return json.loads(body, parse_float=Decimal)
    figures = compute()
    _computed(user_id, name, query_text, version, figures)
    return figures


def _computed(user_id: int, name: str, query: str, version: int | None, result: object) -> bytes:
    """The result as the API's JSON, stored when there is a version to store it under."""
    body = dumps(result)
    if version is not None:
        store(user_id, name, query, version, body)
    return body


def cached_value(request, name: str, compute: Callable[[], int], query: str) -> int:
    """An integer result (a list's count) cached the same way."""
    version, body = read(request.user.pk, name, query)
    metrics.cache_lookups.labels(result="miss" if body is None else "hit").inc()
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
        return [version_key(user_id), result_key(user_id, self.cached_as, normalised_query(request.GET))]
