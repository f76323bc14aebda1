"""One lock order for everything that writes to a trader's journal, so no two of its writers can
deadlock: the owner's row, then the owner's writers' lock, then trades by ascending id, then
anything else.

Imports and undos lock the owner's row (FOR NO KEY UPDATE: it excludes the owner's other imports
and undos, not the foreign-key checks of rows that refer to the user) for their whole transaction,
seconds for a big file: one at a time per owner, so they dedupe and rebuild against each other
exactly. The API's and the web journal's writes of trades, accounts and tags take the owner's
writers' lock instead (a transaction-level advisory lock): they run one after another, as before,
but not behind an import. Where they meet one, they meet it on a row: a trade the import rebuilds
is locked by it (imports/streams.py `load_trades`), so an edit or a delete of that very trade
waits for the import (up to the request's lock timeout, then a 503 with Retry-After) and never
lands between the import's read and its write; an account or tag the import uses is held against
deletion only (FOR KEY SHARE); a name both create at once is settled by the unique constraint
(the import takes the next free name, or the tag that is there). Everything else a trader writes
(a trade of their own, a tag, an account, a note on a trade the import leaves alone) goes through
at once. A bulk edit, which may touch any trade, still takes the owner's row (journal/writes.py).
Within one transaction, rows of one table are locked in ascending id order. What can still be
aborted (two owners' cache rows, a serialization failure) is retried (core/retry.py).

On SQLite all of this is a no-op: its writers take turns, a request waiting for the single writer
up to its busy timeout (settings).
"""

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Model

from core.retry import retried

T = TypeVar("T")
WRITERS = 0x54_4A_57  # the advisory locks' first key: an owner's writers ("TJW"); the second is the owner
KEYS = 2**31  # the second key is a 32-bit int: owners beyond share a lock with another, which only orders them


def lock_owner(user_id: int, *, nowait: bool = False) -> None:
    """Locks the owner's row for this transaction: what imports and undos hold (a no-op on SQLite)."""
    owner = get_user_model().objects.select_for_update(nowait=nowait, no_key=True).filter(pk=user_id)
    list(owner.values_list("pk", flat=True))


def lock_writers(user_id: int) -> None:
    """Takes the owner's writers' lock for this transaction (a no-op on SQLite)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [WRITERS, user_id % KEYS])


def keep_from_deletion(model: type[Model], ids: Collection[int]) -> set[int]:
    """Of these rows of `model`, those there are, held until the commit against deletion only (FOR
    KEY SHARE: updates of them and references to them go on). On SQLite, those there are."""
    ids = sorted(set(ids))
    if connection.vendor != "postgresql":
        return set(model._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{pk}" FROM "{table}" WHERE "{pk}" = ANY(%s) ORDER BY 1 FOR KEY SHARE', [ids])  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def as_owner(user_id: int, work: Callable[[], T]) -> T:
    """`work()` in a transaction that holds the owner's writers' lock first; retried as a whole when
    the database aborts it (a deadlock, a serialization failure)."""

    def attempt() -> T:
        with transaction.atomic():
            lock_writers(user_id)
            return work()

    return retried(attempt)


@contextmanager
def owners_worker(user_id: int) -> Iterator[None]:
    """A worker's transaction over one owner's journal (an import, an undo: they rebuild the same
    streams, so one at a time per owner: the owner's row). On a row a request holds (a trade being
    edited) it waits rather than fails (requests keep their short lock timeout), under the worker's
    own statement limit (none, as for every command; through PgBouncer the role's request limit
    would apply). (Moves of the owner's version made in versions.deferred() lock its row only at
    their end.)"""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = 0")
                cursor.execute(f"SET LOCAL statement_timeout = {int(settings.DB_STATEMENT_TIMEOUT)}")
        lock_owner(user_id)
        yield
