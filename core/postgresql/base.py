"""Django's PostgreSQL backend with a deadline, kept by the client, on every wait for the server.

The server's statement and lock timeouts end a slow statement, but only a server that runs and
can be reached sends that error: a stuck backend, a storage stall or a network that stops
forwarding leaves the client waiting for good, and gunicorn kills the worker at its timeout with
no answer for anyone. So where DB_REQUEST_DEADLINE is set (web processes; manage.py commands run
without one), every wait for the server's answer — a statement, a commit, the connection's
health check, a fetch from a server-side cursor — ends after that many seconds: the query is
cancelled (a backend that is alive but stuck then stops and lets go of its locks), the connection
is closed and discarded, and the caller gets an OperationalError, which every path answers as a
503 with Retry-After (core/outage.py). Connecting has its own bound, DB_CONNECT_TIMEOUT.

The deadline sits above the statement timeout, so an ordinary slow statement still ends with the
server's own error on a connection that stays usable. It needs nothing from the server or from
the libpq `options` startup parameter (which PgBouncer refuses).
"""

import contextlib

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import errors

DEADLINE_PASSED = "PostgreSQL did not answer within {:g} s; the connection was abandoned."
# A cancellation goes over a new connection, which a stalled network stalls too: it gets this long.
CANCEL_TIMEOUT = 1.0


class BoundedConnection(psycopg.Connection):
    """psycopg's connection, whose every wait for the server ends at DB_REQUEST_DEADLINE."""

    def wait(self, gen, *args, timeout: float | None = None, **kwargs):
        deadline = settings.DB_REQUEST_DEADLINE
        if not deadline or timeout is not None:  # a caller's own bound stands
            return super().wait(gen, *args, timeout=timeout, **kwargs)
        try:
            return super().wait(gen, *args, timeout=deadline, **kwargs)
        except errors._WaitTimeout:  # psycopg's own "timeout passed" (private: the version is pinned)
            self._abandon()
            raise psycopg.OperationalError(DEADLINE_PASSED.format(deadline)) from None

    def _abandon(self) -> None:
        # Not sent in time, or refused: closing is what counts. Half-way through the protocol, the
        # connection can't be used again.
        with contextlib.suppress(psycopg.Error):
            self.cancel_safe(timeout=CANCEL_TIMEOUT)
        self.close()


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict) -> BoundedConnection:
        connection = super().get_new_connection(conn_params)
        # psycopg.connect() builds its own class and Django offers no other; the subclass adds
        # behaviour only, no state, so the connection can become one.
        connection.__class__ = BoundedConnection
        return connection
