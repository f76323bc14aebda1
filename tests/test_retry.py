"""The bounded retry (core/retry.py): deadlocks and serialization failures are tried again, a few
times, after growing jittered pauses; every other error is the caller's at once."""

import sqlite3

import psycopg
import pytest
from django.db import DatabaseError, IntegrityError, OperationalError, transaction

from core import retry


def failure(kind: type[DatabaseError], cause: BaseException) -> DatabaseError:
    """The error Django raises for `cause` (its driver's), as its wrapper chains them."""
    error = kind(str(cause))
    error.__cause__ = cause
    return error


DEADLOCK = failure(OperationalError, psycopg.errors.DeadlockDetected("deadlock detected"))
SERIALIZATION = failure(OperationalError, psycopg.errors.SerializationFailure("could not serialize access"))
NOT_RETRIED = {
    "lock timeout": failure(
        OperationalError, psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")
    ),
    "statement timeout": failure(OperationalError, psycopg.errors.QueryCanceled("canceling statement")),
    "unique violation": failure(IntegrityError, psycopg.errors.UniqueViolation("duplicate key value")),
    "connection lost": failure(OperationalError, psycopg.OperationalError("server closed the connection")),
    "SQLite locked": failure(OperationalError, sqlite3.OperationalError("database is locked")),
}


class Flaky:
    """Fails with `error` the first `failures` times it is called, then answers."""

    def __init__(self, error: BaseException, failures: int):
        self.error, self.failures, self.calls = error, failures, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "done"


@pytest.fixture
def pauses(monkeypatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    return slept


@pytest.mark.parametrize("error", [DEADLOCK, SERIALIZATION], ids=["deadlock", "serialization failure"])
def test_a_deadlock_or_serialization_failure_is_tried_again_until_it_succeeds(error, pauses):
    work = Flaky(error, failures=retry.ATTEMPTS - 1)
    assert retry.retried(work) == "done"
    assert work.calls == retry.ATTEMPTS
    assert len(pauses) == retry.ATTEMPTS - 1
    # Growing, and each within its jitter's bounds.
    for attempt, pause in enumerate(pauses):
        assert retry.BACKOFF * 2**attempt * 0.5 <= pause <= retry.BACKOFF * 2**attempt * 1.5


def test_the_retry_is_bounded_and_the_last_error_goes_to_the_caller(pauses):
    work = Flaky(DEADLOCK, failures=100)
    with pytest.raises(OperationalError, match="deadlock"):
        retry.retried(work)
    assert work.calls == retry.ATTEMPTS


@pytest.mark.parametrize("name", NOT_RETRIED)
def test_other_errors_are_not_retried(name, pauses):
    work = Flaky(NOT_RETRIED[name], failures=1)
    with pytest.raises(DatabaseError):
        retry.retried(work)
    assert (work.calls, pauses) == (1, [])


def test_an_error_of_the_work_itself_is_not_retried(pauses):
    work = Flaky(ValueError("bad input"), failures=1)
    with pytest.raises(ValueError):
        retry.retried(work)
    assert work.calls == 1


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_the_work_runs_once(pauses):
    # The caller's transaction is aborted: only whoever opened it can run it again.
    work = Flaky(DEADLOCK, failures=1)
    with pytest.raises(OperationalError), transaction.atomic():
        retry.retried(work)
    assert work.calls == 1


def test_a_decorated_function_is_retried_with_its_arguments(pauses):
    work = Flaky(DEADLOCK, failures=2)

    @retry.retrying
    def undo(*, times: int) -> str:
        return work() * times

    assert undo(times=2) == "donedone"
    assert work.calls == 3
