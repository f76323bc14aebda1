"""Undoing an import (the worker's part; the request's is imports/services.py `import_undo`): its
executions and corporate actions go, the streams they were in are rebuilt without them (trades that
existed before it keep their ids), and the accounts and tags it created go when nothing uses them.
The trader's journaling on the trades it opened (annotations, attachments) is kept for a re-import
(imports/kept.py).

All in one transaction, so an undo is whole or not at all, at any size: a worker killed half-way
leaves the journal as it was and the heartbeat rule gives the undo to another worker
(imports/abandoned.py); a run it was taken from finds it no longer its own and rolls back. The
progress is an import's (imports/progress.py): rebuilding the streams, then removing the
executions, counted. The import stays, `undone`, as the record of what was there.
"""

import logging
from collections.abc import Callable

from django.db.models import F
from django.utils import timezone

from core import locks, versions
from core.retry import retried
from imports import accounts, actions, announce, kept, progress, streams
from imports.models import CorporateAction, Execution, Import
from journal.models import Tag, TradeTag

logger = logging.getLogger("tradejournal.imports")

REMOVE_BATCH = 5000  # executions deleted a statement, so that progress moves


class Superseded(Exception):
    """The undo stopped being this run's (given to another worker meanwhile): roll everything back."""


def undo_run(*, import_id: int, listener: Callable[[progress.Progress], None] | None = None) -> Import | None:
    """Runs an undo waiting for a worker to its end; None if there was none (a retry of a task
    that already ran)."""
    started = timezone.now()
    claimed = Import.objects.filter(pk=import_id, status=Import.Status.UNDOING, undo_started_at=None).update(
        undo_started_at=started, undo_attempts=F("undo_attempts") + 1
    )
    if not claimed:
        return None
    imp = Import.objects.defer("data").get(pk=import_id)
    with progress.Progress(imp, listener) as tracker:
        try:
            retried(lambda: _undo_once(imp, tracker))
        except Superseded:
            pass
        except Exception:
            # Nothing was undone (the transaction rolled back): the import is as it was, to undo again.
            logger.exception("Undo of import %s failed", import_id)
            Import.objects.filter(pk=import_id, status=Import.Status.UNDOING, undo_started_at=started).update(
                status=Import.Status.SUCCEEDED, undo_started_at=None
            )
    imp.refresh_from_db()
    return imp


def _undo_once(imp: Import, tracker: progress.Progress) -> None:
    with locks.owners_worker(imp.user_id), versions.deferred():  # the version row locked at the end only
        undo(imp, tracker)
        done = Import.objects.filter(pk=imp.pk, status=Import.Status.UNDOING, undo_started_at=imp.undo_started_at)
        if not done.update(status=Import.Status.UNDONE):
            raise Superseded
        announce.undone(Import.objects.defer("data").get(pk=imp.pk))  # import.undone, in this transaction
        versions.changed(imp.user_id)


def undo(imp: Import, tracker: progress.Progress) -> None:
    """Everything an undo does to the journal, in the caller's transaction."""
    own_executions = Execution.objects.filter(source=imp)
    tracker.update(stage=progress.REBUILDING, rows_processed=0, rows_total=own_executions.count())
    touched = set(own_executions.values_list("account_id", "instrument").distinct())
    own_actions = CorporateAction.objects.filter(source=imp)
    touched |= set(own_actions.values_list("account_id", "instrument"))
    if touched:
        # The streams as the import's actions joined them, rebuilt without its actions.
        account_ids = {account_id for account_id, _ in touched}
        undone = actions.load(imp.user, account_ids, source=imp.pk)
        lineage = actions.Lineage(actions.load(imp.user, account_ids, excluding=imp.pk), joining=undone)
        units = {lineage.stream(*pair) for pair in touched}
        remaining = streams.load_executions(imp.user, lineage.members(units), excluding=imp.pk)
        builds = {unit: lineage.build(unit, remaining) for unit in units}
        stored = streams.load_trades(imp.user, lineage.members(units), lineage.stream)
        ids = list(own_executions.order_by("id").values_list("id", flat=True))
        own = set(ids)
        opened_by = {trade.id: key for trades in stored.values() for key, trade in trades.items() if key in own}
        # The trades it opened go: the trader's journaling on them (attachments too) is kept for a re-import.
        streams.apply_builds(
            user=imp.user, builds=builds, stored=stored,
            removing=lambda gone: kept.keep(imp.user, {t: opened_by[t] for t in gone if t in opened_by}),
        )  # fmt: skip
        tracker.update(stage=progress.REMOVING)
        # No trade holds them any more.
        for start in range(0, len(ids), REMOVE_BATCH):
            batch = ids[start : start + REMOVE_BATCH]
            own_executions.filter(pk__gte=batch[0], pk__lte=batch[-1]).delete()
            tracker.update(rows_processed=start + len(batch))
        own_actions.delete()
    remove_unused(imp)


def remove_unused(imp: Import) -> None:
    """The accounts and tags the import created, when nothing uses them any more."""
    if imp.created_accounts:
        accounts.remove_unused(user=imp.user, account_ids=imp.created_accounts)
    if imp.created_tags:
        # Locked first: a trade its trader tags with one meanwhile waits, and then the tag is in use.
        candidates = Tag.objects.filter(pk__in=imp.created_tags, user=imp.user).order_by("pk")
        list(candidates.select_for_update().values_list("pk"))
        used = set(TradeTag.objects.filter(tag_id__in=imp.created_tags).values_list("tag_id", flat=True))
        Tag.objects.filter(pk__in=set(imp.created_tags) - used, user=imp.user).delete()
