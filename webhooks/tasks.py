"""The webhooks' background work: each delivery attempt a task of its own (on the imports' queue,
settings.TASKS), and the sweep that `manage.py purge` runs: lost queue entries queued again, old
log rows deleted."""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from webhooks import delivery as sending
from webhooks.models import Delivery, Event

logger = logging.getLogger("tradejournal.webhooks")

# A pending delivery this long past due has lost its queue entry (or waits behind a long queue:
# queuing it twice is harmless, the first worker to claim it sends it).
OVERDUE = timedelta(minutes=1)


@task()
def deliver(delivery_id: int) -> None:
    claimed = sending.claim(delivery_id)
    follow = None if claimed is None else sending.attempt(claimed)
    if follow is not None:
        enqueue(follow.pk, run_after=follow.due_at)


def enqueue_on_commit(deliveries: Iterable[Delivery]) -> None:
    """Queues the deliveries recorded in the caller's transaction. The database queue is a table: its
    entries go in that transaction (atomic with the change, and no second commit per write, which
    halved a burst's writes per second: bench/webhooks_bench.py), all in one INSERT, as the queue's
    own enqueue would write each. Another queue (RQ) is asked once the transaction has committed."""
    ids = [delivery.pk for delivery in deliveries]
    backend = deliver.get_backend()
    if not isinstance(backend, DatabaseBackend):
        transaction.on_commit(partial(enqueue_all, ids))
        return
    # The rows its enqueue writes, one by one; `run_after` the date it reads as "at once".
    entry = {"priority": deliver.priority, "task_path": deliver.module_path, "queue_name": deliver.queue_name,
             "run_after": get_date_max(), "backend_name": backend.alias}  # fmt: skip
    DBTaskResult.objects.bulk_create(DBTaskResult(args_kwargs={"args": [pk], "kwargs": {}}, **entry) for pk in ids)


def enqueue_all(delivery_ids: list[int]) -> None:
    for pk in delivery_ids:
        enqueue(pk)


def enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    """Asks a worker for the delivery. A queue that is down loses nothing: the change has committed
    and the delivery is a pending row, which the sweep queues again."""
    try:
        (deliver.using(run_after=run_after) if run_after else deliver).enqueue(delivery_id)
    except Exception:
        logger.warning("Webhook delivery %s not queued; the sweep will queue it", delivery_id, exc_info=True)


def sweep(now=None) -> tuple[int, int]:
    """(deliveries queued again, events deleted): pending deliveries overdue and not held by a live
    worker are queued again; events older than WEBHOOK_LOG_DAYS go, with their delivery rows."""
    now = now or timezone.now()
    overdue = Delivery.objects.filter(status=Delivery.Status.PENDING, due_at__lt=now - OVERDUE).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - sending.LEASE)
    )
    ids = list(overdue.values_list("pk", flat=True)[:10_000])
    for pk in ids:
        enqueue(pk)
    old = Event.objects.filter(created_at__lt=now - timedelta(days=settings.WEBHOOK_LOG_DAYS))
    deleted = old.delete()[1].get(Event._meta.label, 0)
    return len(ids), deleted
