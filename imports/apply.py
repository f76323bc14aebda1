"""Applying an import (the worker's part): the file's fills become executions and the affected
position streams are rebuilt into trades, all in one transaction.

Read the file (every row a fill, a corporate action, a skip with its reason, or an error with its
row; the fills and actions made storable), then, in the transaction: accounts → the actions not
stored yet → duplicates → for each stream with new fills or actions (an (account, instrument), or
the instruments actions join), the engine over all its executions and actions → executions written,
trades updated, created and deleted to match → the import's report. A worker killed half-way leaves
nothing applied (the transaction rolls back) and the heartbeat rule gives the import to another
worker (imports/progress.py); a run it was taken from finds it no longer its own and applies nothing.
A dry run does everything, reports the same counts and rolls back.

No shape of a fill lives here: the file's fills become the engine's executions (imports/fills.py),
which go through duplicates, engine and database as they are; only the report is this module's.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import locks, metrics, versions
from core.renderers import plain_decimal
from core.retry import retried
from imports import accounts, actions, announce, engine, formats, progress, sandbox, streams
from imports.actions import NewAction
from imports.duplicates import split_duplicates
from imports.fills import PROVISIONAL, storable
from imports.formats.base import Action, Fill, RowError, Skip
from imports.kept import reattach as reattach_kept
from imports.kept import restore as restore_kept
from imports.models import Import

logger = logging.getLogger("tradejournal.imports")

LISTED = 1000  # skipped rows and errors listed per import; the rest are counted in a last entry
INTERNAL = "The import failed on our side; it has been logged. Nothing was applied."


class Failed(Exception):
    """The file as a whole can't be imported; the message is for the trader."""


class Superseded(Exception):
    """The import stopped being this run's (failed, or given to another worker meanwhile): roll everything back."""


@dataclass
class Parsed:
    fills: list[engine.Execution]  # storable, with provisional keys
    skipped: list[Skip]
    errors: list[RowError]
    rows: int
    actions: list[NewAction] = field(default_factory=list)  # storable


@dataclass
class Report:
    rows_total: int = 0
    executions_created: int = 0
    duplicates: int = 0
    trades_created: int = 0
    trades_updated: int = 0
    skipped: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    created_accounts: list[int] = field(default_factory=list)
    created_tags: list[int] = field(default_factory=list)


def import_run(*, import_id: int, listener: Callable[[progress.Progress], None] | None = None) -> Import | None:
    """Runs a queued import to its end (succeeded or failed); None if it was not queued (a retry of
    a task that already ran, or an import undone meanwhile)."""
    started = timezone.now()
    claimed = Import.objects.filter(pk=import_id, status=Import.Status.QUEUED).update(
        status=Import.Status.PROCESSING, started_at=started, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    imp = Import.objects.get(pk=import_id)
    with progress.Progress(imp, listener) as tracker:
        try:
            # A deadlock or serialization failure rolled everything back: applied again from the
            # file (the first attempt's fills were changed on the way: accounts, keys).
            report = retried(lambda: _apply_once(imp, read_file(imp, tracker), tracker))
        except Failed as failure:
            _finish(imp, Report(rows_total=tracker.rows_processed, errors=[{"row": None, "message": str(failure)}]),
                    status=Import.Status.FAILED)  # fmt: skip
        except Superseded:
            pass
        except Exception:
            logger.exception("Import %s failed", import_id)
            _finish(imp, Report(errors=[{"row": None, "message": INTERNAL}]), status=Import.Status.FAILED)
        else:
            if imp.dry_run:
                report.created_accounts, report.created_tags = [], []  # rolled back with the rest
                _finish(imp, report, status=Import.Status.SUCCEEDED)
    imp.refresh_from_db()
    if imp.started_at == started:  # this run finished it (not a run it was taken from)
        metrics.import_duration.labels(status=imp.status).observe((timezone.now() - started).total_seconds())
    return imp


def _apply_once(imp: Import, parsed: Parsed, tracker: progress.Progress) -> Report:
    with locks.owners_worker(imp.user_id):
        with versions.deferred():  # the owner's version row locked at the end only
            report = apply(imp, parsed, tracker)
        if imp.dry_run:
            transaction.set_rollback(True)
        else:
            _finish(imp, report, status=Import.Status.SUCCEEDED)
            # Trades were written by COPY, past the models: the owner's cached results go stale.
            versions.changed(imp.user_id)
    return report


def _finish(imp: Import, report: Report, *, status: str) -> None:
    values = {
        "status": status, "finished_at": timezone.now(), "data": None, "rows_total": report.rows_total,
        "rows_processed": report.rows_total, "executions_created": report.executions_created,
        "duplicates": report.duplicates, "trades_created": report.trades_created,
        "trades_updated": report.trades_updated, "skipped": _listed(report.skipped, "reason", "skipped"),
        "errors": _listed(report.errors, "message", "with errors"), "created_accounts": report.created_accounts,
        "created_tags": report.created_tags,
    }  # fmt: skip
    # This run's own start: a run the import was taken from (queued again, claimed anew) is not it.
    with transaction.atomic():  # with its event
        if not Import.objects.filter(pk=imp.pk, status=Import.Status.PROCESSING, started_at=imp.started_at).update(
            **values
        ):
            raise Superseded
        imp.status = status
        announce.finished(imp)


def _listed(entries: list[dict], text: str, what: str) -> list[dict]:
    if len(entries) <= LISTED:
        return entries
    more = len(entries) - LISTED
    return [*entries[:LISTED], {"row": None, text: f"and {more:,} more rows {what}, not listed"}]


def read_file(imp: Import, tracker: progress.Progress) -> Parsed:
    """The file's fills as they will be stored, its skipped rows and its errors: no database work,
    so it runs before the transaction (which, on SQLite, holds the one write lock)."""
    module = formats.get(imp.format, imp.mapping)
    fills, found, skipped, errors = _parse(imp, module, tracker)
    new_fills, unstorable = storable(fills, rename_futures=not formats.keeps_names(module))
    new_actions, unstorable_actions = actions.storable(found)
    errors = errors + unstorable + unstorable_actions
    return Parsed(new_fills, skipped, errors, tracker.rows_processed, new_actions)


def apply(imp: Import, parsed: Parsed, tracker: progress.Progress) -> Report:
    """Everything an import does to the journal, in the caller's transaction."""
    module = formats.get(imp.format, imp.mapping)
    report = Report(rows_total=parsed.rows)
    new_fills, skipped, errors = parsed.fills, list(parsed.skipped), parsed.errors
    tracker.update(stage=progress.MATCHING)
    report.created_accounts = accounts.resolve_accounts(
        user=imp.user, fills=[*new_fills, *parsed.actions], account=imp.account, broker=module.BROKER,
        default=module.NAME != "tradejournal",  # our export's trades without an account stay without
    )  # fmt: skip
    stored_actions = actions.load(imp.user, {f.account_id for f in [*new_fills, *parsed.actions]})
    new_actions = actions.store(imp, parsed.actions, stored_actions)
    lineage = actions.Lineage([*stored_actions, *new_actions])
    touched = {lineage.stream(f.account_id, f.instrument) for f in new_fills}
    stored = streams.load_executions(imp.user, lineage.members(touched))
    with_ids = {f.account_id for f in new_fills if f.exec_id is not None}
    exec_ids = streams.load_exec_ids(imp.user, with_ids) if with_ids else set()
    split = split_duplicates(new_fills, stored, exec_ids)
    report.duplicates = split.count
    if formats.trade_level(module):
        for fill in split.new:
            fill.group = split.matched_groups.get(fill.row) or f"{imp.pk}:{fill.row}"

    tracker.update(stage=progress.BUILDING)
    # The streams with new fills or new actions, in file order (trades are created in that order).
    by_stream: dict[streams.Stream, list[engine.Execution]] = defaultdict(list)
    for fill in split.new:
        by_stream[lineage.stream(fill.account_id, fill.instrument)].append(fill)
    for action in new_actions:
        by_stream.setdefault(lineage.stream(action.account_id, action.instrument), [])
    stored |= streams.load_executions(imp.user, lineage.members(by_stream.keys() - touched))
    builds, rejected = {}, {}
    for stream, added in by_stream.items():
        builds[stream] = lineage.build(stream, stored, added)
        rejected.update((r.key, r) for r in builds[stream].rejected if r.key >= PROVISIONAL)

    tracker.update(stage=progress.WRITING)
    kept = [f for f in split.new if _stored(f, rejected.get(f.key))]
    ids = streams.insert_executions(kept, user_id=imp.user_id, source_id=imp.pk)
    real = {fill.key: new_id for fill, new_id in zip(kept, ids, strict=True)}
    annotations = {real[f.key]: f.trade for f in kept if f.trade}
    annotations = restore_kept(imp.user, kept, real, annotations)  # what an undo of these fills kept
    builds = {stream: _with_real_keys(build, real) for stream, build in builds.items()}
    stored_trades = streams.load_trades(imp.user, lineage.members(builds), lineage.stream)
    changes = streams.apply_builds(user=imp.user, builds=builds, stored=stored_trades, annotations=annotations)
    reattach_kept(imp.user, kept, real, changes.opened)  # the attachments an undo of these fills kept
    report.executions_created = len(kept)
    report.created_accounts = accounts.remove_unused(user=imp.user, account_ids=report.created_accounts)
    report.trades_created, report.trades_updated = changes.created, changes.updated
    report.created_tags = changes.tags_created
    by_key = {f.key: f for f in split.new}
    skipped.extend(Skip(by_key[key].row, _rejection_reason(r, by_key[key])) for key, r in rejected.items())
    report.skipped = [{"row": s.row, "reason": s.reason} for s in sorted(skipped, key=lambda s: s.row)]
    report.errors = [{"row": e.row, "message": e.message} for e in sorted(errors, key=lambda e: e.row)]
    return report


def _parse(
    imp: Import, module, tracker: progress.Progress
) -> tuple[list[Fill], list[Action], list[Skip], list[RowError]]:
    """Read in a bounded child (imports/sandbox.py): no file's shape holds this worker."""
    try:
        outcome = sandbox.parse(
            bytes(imp.data or b""), format=imp.format, mapping=imp.mapping, tz=imp.tz,
            progress=lambda rows: tracker.update(rows_processed=rows),
        )  # fmt: skip
    except sandbox.Unreadable as problem:
        if problem.logged:
            logger.warning("Import %s: %s could not read the file: %s", imp.pk, module.NAME, problem.logged)
        raise Failed(str(problem)) from None
    tracker.update(rows_processed=outcome.rows, rows_total=outcome.rows)
    return outcome.items


def _with_real_keys(build: engine.Build, real: dict[int, int]) -> engine.Build:
    """The build with provisional keys replaced by the stored executions' ids (same order, so the
    engine would build exactly this from the stored executions)."""

    def key(k: int) -> int:
        return real.get(k, k)

    for trade in build.trades:
        trade.opening_key = key(trade.opening_key)
        trade.allocations = [
            engine.Allocation(key(a.key), a.quantity, a.commission, a.fees, a.opening) for a in trade.allocations
        ]
    return build


def _stored(fill: engine.Execution, rejection: engine.Rejection | None) -> bool:
    """A fill rejected whole is not stored; one that closed part of a position is (that part is in a trade)."""
    return rejection is None or rejection.quantity < fill.quantity


def _rejection_reason(rejection: engine.Rejection, fill: engine.Execution) -> str:
    if rejection.quantity < fill.quantity:
        return f"{rejection.reason} (the excess {plain_decimal(rejection.quantity)} was not imported)"
    return rejection.reason
