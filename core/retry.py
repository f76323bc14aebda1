"""A bounded retry of the transactions PostgreSQL gives up on to let others through: deadlocks and
serialization failures. Everything the transaction did was rolled back, so running it again is safe.

Only a whole transaction is retried: inside a caller's transaction (an outer `atomic`) the work runs
once and the error goes up to whoever opened it. SQLite's one writer can't deadlock, and its
"database is locked" comes only after the writer has waited out its timeout (settings): not retried.
"""

import logging
import random
import time
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.db import DatabaseError, connection

logger = logging.getLogger("tradejournal.retry")

T = TypeVar("T")
ATTEMPTS = 4  # in all; beyond them the error goes to the caller (a 503 for a request)
BACKOFF = 0.05  # seconds before the second attempt, doubled each time, with jitter
# SQLSTATEs of a transaction PostgreSQL rolled back so that another could go on.
RETRIED = {"40P01": "deadlock", "40001": "serialization failure"}

sleep = time.sleep  # a seam for tests


def transient(error: BaseException) -> str | None:
    """What kind of retryable failure `error` is, or None."""
    if not isinstance(error, DatabaseError):
        return None
    return RETRIED.get(getattr(error.__cause__, "sqlstate", None))


def retried(work: Callable[[], T], *, attempts: int = ATTEMPTS) -> T:
    """`work()`, run again (up to `attempts` in all, after a jittered pause) when the database
    aborted it as a deadlock victim or for a serialization failure."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DatabaseError as error:
            kind = transient(error)
            if kind is None or attempt == attempts or connection.in_atomic_block:
                raise
            # Two transactions that met once would meet again in step: a random pause parts them.
            pause = BACKOFF * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)  # noqa: S311
            logger.info("Retrying after a %s (attempt %s of %s)", kind, attempt + 1, attempts)
            sleep(pause)
    raise AssertionError("unreachable")


def retrying(function: Callable[..., T]) -> Callable[..., T]:
    """`function` as a whole transaction `retried` (a decorator)."""

    @wraps(function)
    def wrapper(*args, **kwargs) -> T:
        return retried(lambda: function(*args, **kwargs))

    return wrapper
