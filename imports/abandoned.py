"""An import whose worker was lost (killed, out of memory, machine gone): its transaction rolled
back, so nothing was applied. When it is next read (and by `manage.py purge`) it is queued again
for another worker, up to MAX_ATTEMPTS workers in all (a file that kills every worker must not go
round for ever); then it is marked failed. A worker is lost when its heartbeat
(imports/progress.py) is older than IMPORT_HEARTBEAT_TIMEOUT.

An undo whose worker was lost likewise undid nothing and goes to another worker, up to
MAX_ATTEMPTS; then the import is back to succeeded, as it was, for the trader to undo again.
Reading queued work also sends what the queue missed (core/outbox.py).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import outbox
from imports import announce, progress
from imports.models import Import
from imports.tasks import apply_import, undo_import

logger = logging.getLogger("tradejournal.imports")

ABANDONED = "The worker stopped before the import finished, so nothing was applied; import the file again."
MAX_ATTEMPTS = 3


def settle(imp: Import, report: dict | object | None, now: datetime | None = None) -> bool:
    """Queues again (or, after MAX_ATTEMPTS, marks failed) a processing import whose worker stopped
    beating; True if it did either."""
    if imp.status == Import.Status.UNDOING:
        return _settle_undo(imp, report, now)
    if imp.status != Import.Status.PROCESSING or not _lost(imp.started_at, report, now):
        return False
    now = now or timezone.now()
    # Guarded on this run's start: a reader racing another reader, or a new run, changes nothing.
    this_run = Import.objects.filter(pk=imp.pk, status=Import.Status.PROCESSING, started_at=imp.started_at)
    if imp.attempts < MAX_ATTEMPTS:
        if this_run.update(status=Import.Status.QUEUED, started_at=None):
            logger.warning("Import %s lost its worker; queued again (attempt %s)", imp.pk, imp.attempts + 1)
            outbox.enqueue(apply_import, imp.pk)
            imp.status, imp.started_at = Import.Status.QUEUED, None
            return True
        return False
    errors = [{"row": None, "message": ABANDONED}]
    with transaction.atomic():  # with its event
        changed = this_run.update(status=Import.Status.FAILED, finished_at=now, errors=errors, data=None)
        if changed:
            imp.status, imp.finished_at, imp.errors = Import.Status.FAILED, now, errors
            announce.finished(imp)
    return bool(changed)


def _lost(started: datetime | None, report: dict | object | None, now: datetime | None) -> bool:
    """Whether the worker of a run started at `started` stopped beating."""
    if report is progress.UNKNOWN:
        return False
    now = now or timezone.now()
    last = datetime.fromtimestamp(report["at"], tz=now.tzinfo) if report else started
    return last is not None and now - last >= timedelta(seconds=settings.IMPORT_HEARTBEAT_TIMEOUT)


def _settle_undo(imp: Import, report: dict | object | None, now: datetime | None) -> bool:
    if imp.undo_started_at is None or not _lost(imp.undo_started_at, report, now):
        return False
    this_run = Import.objects.filter(pk=imp.pk, status=Import.Status.UNDOING, undo_started_at=imp.undo_started_at)
    if imp.undo_attempts < MAX_ATTEMPTS:
        if not this_run.update(undo_started_at=None):
            return False
        logger.warning("Undo of import %s lost its worker; queued again (attempt %s)", imp.pk, imp.undo_attempts + 1)
        outbox.enqueue(undo_import, imp.pk)
        imp.undo_started_at = None
        return True
    if not this_run.update(status=Import.Status.SUCCEEDED, undo_started_at=None, undo_attempts=0):
        return False
    logger.error("Undo of import %s lost %s workers; the import is left as it was", imp.pk, MAX_ATTEMPTS)
    imp.status, imp.undo_started_at = Import.Status.SUCCEEDED, None
    return True


def settle_all(now: datetime | None = None) -> tuple[int, int]:
    """Every processing import or undo whose worker stopped, queued again or marked failed (run by
    `manage.py purge`): (queued again, failed or given up)."""
    requeued = failed = 0
    running = Import.objects.filter(status__in=[Import.Status.PROCESSING, Import.Status.UNDOING]).defer("data")
    for imp in running:
        if settle(imp, progress.read(imp), now):
            requeued += imp.status in (Import.Status.QUEUED, Import.Status.UNDOING)
            failed += imp.status in (Import.Status.FAILED, Import.Status.SUCCEEDED)
    return requeued, failed


def merge_live(imp: Import) -> None:
    """Gives a processing import the progress its worker last reported (`stage` too), or settles
    it when the worker is gone; an undo likewise. Other imports get `stage` None."""
    imp.stage = None
    if imp.status == Import.Status.QUEUED or (imp.status == Import.Status.UNDOING and imp.undo_started_at is None):
        outbox.flush_due()  # waiting for a worker: perhaps for the queue to come back
    if imp.status == Import.Status.PROCESSING:
        imp.stage = progress.READING
    elif imp.status == Import.Status.UNDOING and imp.undo_started_at is not None:
        imp.stage = progress.REBUILDING
    else:
        return
    report = progress.read(imp)
    if settle(imp, report):
        imp.stage = None
        if imp.status == Import.Status.QUEUED:
            imp.rows_processed = 0
        return
    if isinstance(report, dict):
        imp.stage = report["stage"]
        imp.rows_processed = report["rows_processed"]
        imp.rows_total = report["rows_total"] or 0
