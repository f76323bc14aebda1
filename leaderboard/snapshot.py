"""The leaderboard served from one snapshot shared by every worker and instance.

A snapshot is at most MAX_AGE seconds old. From REFRESH_AFTER seconds on, the first request
to take the lock starts recomputing it in a background thread and, like everyone else, keeps
serving the current one: the ranking query runs once per period and no request waits on it.
Only when there is no snapshot at all (a cold start, or no traffic for a minute) does one
request compute it while the others wait briefly for it: no stampede when it expires.
"""

import logging
import threading
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import connections

from leaderboard.rankings import compute_rankings

logger = logging.getLogger(__name__)

SNAPSHOT_KEY = "leaderboard:snapshot:v1"
LOCK_KEY = "leaderboard:lock:v1"
MAX_AGE = 60
REFRESH_AFTER = 45
LOCK_TIMEOUT = 30
WAIT_FOR_OTHER = 10.0


def _in_thread(work: Callable[[], None]) -> None:
    def run() -> None:
        try:
            work()
        finally:
            connections.close_all()  # this thread's own connections

    threading.Thread(target=run, name="leaderboard-refresh", daemon=True).start()


class Snapshot:
    timer = staticmethod(time.time)
    sleep = staticmethod(time.sleep)
    in_background = staticmethod(_in_thread)

    def get(self) -> tuple[list[dict], float]:
        """(rows, computed_at as a Unix time)."""
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
        logger.info("Leaderboard snapshot computed: %d rows in %.1f ms", len(rows), (self.timer() - computed_at) * 1000)
        return rows, computed_at

    def _wait_for_other(self) -> tuple[list[dict], float]:
        deadline = self.timer() + WAIT_FOR_OTHER
        while self.timer() < deadline:
            self.sleep(0.05)
            snapshot = cache.get(SNAPSHOT_KEY)
            if snapshot and self.timer() - snapshot["computed_at"] < MAX_AGE:
                return snapshot["rows"], snapshot["computed_at"]
        # The process holding the lock died or is stuck: answer anyway, from the database.
        logger.warning("Leaderboard snapshot not ready after %.0f s; computing it here", WAIT_FOR_OTHER)
        return self._compute_and_store()
