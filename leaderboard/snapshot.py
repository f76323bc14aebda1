"""The leaderboard served from one snapshot shared by every worker and instance.

A snapshot is at most MAX_AGE seconds old. From REFRESH_AFTER seconds on, the first request
to take the lock starts recomputing it in a background thread and, like everyone else, keeps
serving the current one: the ranking query runs once per period and no request waits on it.
Only when there is no snapshot at all (a cold start, or no traffic for a minute) does one
request compute it while the others wait briefly for it: no stampede when it expires. If it is
still not there after WAIT_FOR_OTHER (the process computing it died holding the lock), they answer
a quick 503 with Retry-After rather than tie up a worker; the lock expires after LOCK_TIMEOUT.

With Redis down, each process keeps its own snapshot (at most one computation per process per
MAX_AGE) until Redis answers again.

With Redis, each snapshot is also kept as the answer the API serves (ANSWER_KEY: its time and its
JSON), read in authentication's one Redis round trip like the journal's cached answers
(core/versions.py): a warm read is that body, nothing unpickled or rendered. It is served only
while the snapshot needs no refresh (younger than REFRESH_AFTER); an older one goes the way above,
so the refresh is started as before.
"""

import logging
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connections

from core import outage, redis_client
from core.exceptions import ServiceUnavailable
from core.renderers import dumps
from leaderboard.rankings import compute_rankings

logger = logging.getLogger(__name__)

SNAPSHOT_KEY = "leaderboard:snapshot:v1"
LOCK_KEY = "leaderboard:lock:v1"
ANSWER_KEY = "leaderboard:answer:v1"
MAX_AGE = 60
REFRESH_AFTER = 45
LOCK_TIMEOUT = 10
WAIT_FOR_OTHER = 1.0
BEING_COMPUTED = "The leaderboard is being computed; retry in a moment."


def _in_thread(work: Callable[[], None]) -> None:
    def run() -> None:
        try:
            work()
        finally:
            connections.close_all()  # this thread's own connections

    threading.Thread(target=run, name="leaderboard-refresh", daemon=True).start()


# This process's own snapshot, used only while the shared cache (Redis) is unavailable.
_local_snapshot: dict[str, tuple[list[dict], float]] = {}
_local_lock = threading.Lock()


class Snapshot:
    timer = staticmethod(time.time)
    sleep = staticmethod(time.sleep)
    in_background = staticmethod(_in_thread)

    def get(self) -> tuple[list[dict], float]:
        """(rows, computed_at as a Unix time)."""
        if settings.REDIS_URL and outage.redis.skip():
            return self._local()
        try:
            return self._shared()
        except redis.RedisError as exc:
            outage.redis.failed(exc)
            return self._local()

    def answer(self, prefetched: dict | None) -> tuple[bytes, float] | None:
        """(the JSON body, computed_at) of a snapshot that needs no refresh, from what authentication
        read (`prefetched`, with ANSWER_KEY); None to go through get()."""
        stored = (prefetched or {}).get(ANSWER_KEY)
        if stored is None:
            return None
        computed_at, _, body = bytes(stored).partition(b"\n")
        if self.timer() - float(computed_at) >= REFRESH_AFTER:
            return None
        return body, float(computed_at)

    def _shared(self) -> tuple[list[dict], float]:
        snapshot = cache.get(SNAPSHOT_KEY)
        age = self.timer() - snapshot["computed_at"] if snapshot else None
        if age is not None and age < REFRESH_AFTER:
            return snapshot["rows"], snapshot["computed_at"]
        if age is not None and age < MAX_AGE:
            if cache.add(LOCK_KEY, "1", timeout=LOCK_TIMEOUT):
                self.in_background(self._refresh)
            return snapshot["rows"], snapshot["computed_at"]
        if cache.add(LOCK_KEY, "1", timeout=LOCK_TIMEOUT):
            try:
                return self._compute_and_store()
            finally:
                cache.delete(LOCK_KEY)
        return self._wait_for_other()

    def _refresh(self) -> None:
        try:
            self._compute_and_store()
        except Exception:
            logger.exception("Leaderboard refresh failed; the next request due for one retries")
        finally:
            cache.delete(LOCK_KEY)

    def _compute_and_store(self) -> tuple[list[dict], float]:
        computed_at = self.timer()
        rows = compute_rankings()
        cache.set(SNAPSHOT_KEY, {"rows": rows, "computed_at": computed_at}, timeout=MAX_AGE)
        if settings.REDIS_URL:
            answer = repr(computed_at).encode() + b"\n" + dumps(rows)
            redis_client.on_redis(lambda client: client.set(ANSWER_KEY, answer, ex=REFRESH_AFTER))
        logger.info("Leaderboard snapshot computed: %d rows in %.1f ms", len(rows), (self.timer() - computed_at) * 1000)
        return rows, computed_at

    def _wait_for_other(self) -> tuple[list[dict], float]:
        deadline = self.timer() + WAIT_FOR_OTHER
        while self.timer() < deadline:
            self.sleep(0.05)
            snapshot = cache.get(SNAPSHOT_KEY)
            if snapshot and self.timer() - snapshot["computed_at"] < MAX_AGE:
                return snapshot["rows"], snapshot["computed_at"]
        # The process holding the lock died or is stuck: don't hold this worker, and don't pile a
        # computation per request on the database; the lock expires after LOCK_TIMEOUT.
        raise ServiceUnavailable(BEING_COMPUTED, wait=2)

    def _local(self) -> tuple[list[dict], float]:
        with _local_lock:
            snapshot = _local_snapshot.get("snapshot")
            if snapshot is None or self.timer() - snapshot[1] >= MAX_AGE:
                computed_at = self.timer()
                snapshot = _local_snapshot["snapshot"] = (compute_rankings(), computed_at)
            return snapshot
