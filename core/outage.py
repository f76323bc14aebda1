"""A dependency that went away (the database, Redis): a fast 503 with Retry-After instead of a 500,
and one log line per outage instead of a traceback per request."""

import logging
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger("tradejournal.outage")

# What a client is told, and how long to wait before trying again.
DATABASE_UNAVAILABLE = "The database is unavailable; retry shortly."
RETRY_AFTER_SECONDS = 5
# While a dependency stays down, its outage is logged again at most this often.
LOG_EVERY = 60.0
# After a failure a dependency is not asked again for this long (one request then probes it):
# with Redis frozen, requests would otherwise each wait out the timeout.
PROBE_EVERY = 2.0

DEPENDENCY_UNAVAILABLE = "A service the journal depends on is unavailable; retry shortly."


class DependencyUnavailable(Exception):
    """A change that needs a dependency (Redis) to take effect safely, refused while it is down."""


# Connection failures, timeouts (statement_timeout, lock_timeout) and a server that restarts
# under a request: nothing the request did wrong, so a 503 worth retrying, not a 500.
DATABASE_ERRORS = (OperationalError, InterfaceError)
# A write refused by a server that is no longer the primary (a failover happened under this
# process's persistent connection, which libpq's target_session_attrs checked only when it opened).
READ_ONLY_TRANSACTION = "25006"


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` means the database can't serve the request now (a 503 worth retrying)."""
    return isinstance(exc, DATABASE_ERRORS) or read_only(exc)


def read_only(exc: BaseException) -> bool:
    return isinstance(exc, DatabaseError) and getattr(exc.__cause__, "sqlstate", None) == READ_ONLY_TRANSACTION


def database_failed(exc: BaseException) -> None:
    """Notes the outage; after a read-only refusal, this process's connections close when the
    request ends, so the next one opens where the primary is now."""
    database.failed(exc)
    if read_only(exc):
        for connection in connections.all(initialized_only=True):
            connection.close_at = 0


class Outage:
    """Per process: whether a dependency is failing, so its failures are logged once, not per request."""

    timer = staticmethod(time.monotonic)

    def __init__(self, name: str):
        self.name = name
        self.failing_since: float | None = None
        self.failed_at = float("-inf")
        self.logged_at = float("-inf")
        self.suppressed = 0

    def skip(self) -> bool:
        """Whether to treat the dependency as down without asking it (it failed moments ago)."""
        return self.failing_since is not None and self.timer() - self.failed_at < PROBE_EVERY

    def failed(self, exc: BaseException) -> None:
        now = self.timer()
        self.failed_at = now
        if self.failing_since is None:
            self.failing_since = now
        if now - self.logged_at >= LOG_EVERY:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            extra = f" ({self.suppressed} more failures since the last report)" if self.suppressed else ""
            logger.warning("%s unavailable: %s%s", self.name, first_line, extra)
            self.logged_at, self.suppressed = now, 0
        else:
            self.suppressed += 1

    def recovered(self) -> None:
        if self.failing_since is not None:
            logger.warning("%s available again after %.1f s", self.name, self.timer() - self.failing_since)
            self.failing_since, self.logged_at, self.suppressed = None, float("-inf"), 0


database = Outage("Database")
redis = Outage("Redis")
