"""Queued work that survives a queue outage: a task is enqueued from a row committed with the work.

`enqueue(task, *args)` writes an outbox row in the caller's transaction and, once it commits, puts
the task on the queue and deletes the row. When the queue can't be reached (Redis down or stalled)
the row stays, and the request that made the work still answers: the work is stored, not lost.
`flush()` sends the rows left behind, oldest first, and stops at the first failure (the queue is
still away); `manage.py purge` runs it, and so do readers of queued work (`flush_due`, at most
every RECHECK seconds per process), so a polled import starts as soon as the queue is back.

A row may be sent twice (a flush racing the commit hook past GRACE, or a worker's enqueue that
succeeded but whose answer was lost): every task sent through here must be idempotent, as an
import's claim of its queued row is.
"""

import logging
import time
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import OutboxEntry

logger = logging.getLogger("tradejournal.outbox")

GRACE = timedelta(seconds=10)  # a row younger than this is still its commit hook's to send
RECHECK = 5.0  # seconds between a process's flushes on behalf of readers
BATCH = 100
_last_flush = 0.0


def enqueue(task, *args) -> None:
    """`task.enqueue(*args)` once the caller's transaction commits, and later if the queue is away then."""
    entry = OutboxEntry.objects.create(task=task.module_path, args=list(args))
    transaction.on_commit(partial(_send, entry))


def _send(entry: OutboxEntry) -> bool:
    try:
        import_string(entry.task).enqueue(*entry.args)
    except Exception as error:  # the queue is away: the row stays for flush()
        logger.warning("Could not queue %s (%r); it stays in the outbox", entry, error)
        OutboxEntry.objects.filter(pk=entry.pk).update(attempts=entry.attempts + 1)
        return False
    OutboxEntry.objects.filter(pk=entry.pk).delete()
    return True


def flush(now: datetime | None = None) -> int:
    """Sends the rows whose enqueue failed (up to BATCH, oldest first): the number sent."""
    due = OutboxEntry.objects.filter(created_at__lte=(now or timezone.now()) - GRACE).order_by("id")[:BATCH]
    sent = 0
    for entry in due:
        if not _send(entry):
            break
        sent += 1
    return sent


def flush_due() -> None:
    """flush(), at most every RECHECK seconds in this process: for readers of queued work."""
    global _last_flush
    if time.monotonic() - _last_flush < RECHECK:
        return
    _last_flush = time.monotonic()
    try:
        flush()
    except Exception:  # the reader's answer matters more
        logger.warning("Could not flush the outbox", exc_info=True)
