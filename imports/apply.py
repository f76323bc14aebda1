"""Applying an import (the worker's part): the file's fills become executions and the affected
position streams are rebuilt into trades, all in one transaction.

Read the file (every row a fill, a skip with its reason, or an error with its row; the fills made
storable), then, in the transaction: accounts → duplicates → for each (account, instrument)
stream with new fills, the engine over all its executions → executions written, trades updated,
created and deleted to match → the import's report. A worker killed half-way leaves nothing
applied (the transaction rolls back) and the import is failed by the heartbeat rule
(imports/progress.py). A dry run does everything, reports the same counts and rolls back.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from imports import accounts, bulk, engine, formats, progress, streams
from imports.duplicates import split_duplicates
from imports.fills import NewFill, storable
from imports.formats.base import Fill, FormatError, RowError, Skip
from imports.models import Execution, Import
from journal import versions
from tradejournal.renderers import plain_decimal

logger = logging.getLogger("tradejournal.imports")

LISTED = 1000  # skipped rows and errors listed per import; the rest are counted in a last entry
INTERNAL = "The import failed on our side; it has been logged. Nothing was applied."
EXECUTION_COLUMNS = (
    "user_id", "account_id", "instrument", "time", "side", "quantity", "price", "commission", "fees", "exec_id",
    "multiplier", "effect", "group", "source_id", "row",
)  # fmt: skip
# Provisional engine keys for new fills: above every stored id, in file order (ids keep that order).
PROVISIONAL = 1 << 62


class Failed(Exception):
    """The file as a whole can't be imported; the message is for the trader."""


class Superseded(Exception):
    """The import stopped being this worker's (marked failed meanwhile): roll everything back."""


@dataclass
class Parsed:
    fills: list[NewFill]  # storable
    skipped: list[Skip]
    errors: list[RowError]
    rows: int


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
        status=Import.Status.PROCESSING, started_at=started
    )
    if not claimed:
        return None
    imp = Import.objects.get(pk=import_id)
    with progress.Progress(imp, listener) as tracker:
        try:
            report = _apply_once(imp, read_file(imp, tracker), tracker)
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
    return imp


def _apply_once(imp: Import, parsed: Parsed, tracker: progress.Progress) -> Report:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Behind another import of the same owner, wait for it rather than fail (requests keep
            # their short lock timeout; this is a worker).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = 0")
        # One import or undo at a time per owner: they rebuild the same streams.
        list(get_user_model().objects.select_for_update().filter(pk=imp.user_id).values_list("pk", flat=True))
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
    if not Import.objects.filter(pk=imp.pk, status=Import.Status.PROCESSING).update(**values):
        raise Superseded


def _listed(entries: list[dict], text: str, what: str) -> list[dict]:
    if len(entries) <= LISTED:
        return entries
    more = len(entries) - LISTED
    return [*entries[:LISTED], {"row": None, text: f"and {more:,} more rows {what}, not listed"}]


def read_file(imp: Import, tracker: progress.Progress) -> Parsed:
    """The file's fills as they will be stored, its skipped rows and its errors: no database work,
    so it runs before the transaction (which, on SQLite, holds the one write lock)."""
    fills, skipped, errors = _parse(imp, formats.get(imp.format), tracker)
    new_fills, unstorable = storable(fills)
    return Parsed(new_fills, skipped, errors + unstorable, tracker.rows_processed)


def apply(imp: Import, parsed: Parsed, tracker: progress.Progress) -> Report:
    """Everything an import does to the journal, in the caller's transaction."""
    module = formats.get(imp.format)
    report = Report(rows_total=parsed.rows)
    new_fills, skipped, errors = parsed.fills, list(parsed.skipped), parsed.errors
    tracker.update(stage=progress.MATCHING)
    report.created_accounts = accounts.resolve_accounts(
        user=imp.user, fills=new_fills, account=imp.account, broker=module.BROKER,
        default=module.NAME != "tradejournal",  # our export's trades without an account stay without
    )  # fmt: skip
    touched = {(f.account_id, f.instrument) for f in new_fills}
    stored = streams.load_executions(imp.user, touched)
    with_ids = {f.account_id for f in new_fills if f.exec_id is not None}
    exec_ids = streams.load_exec_ids(imp.user, with_ids) if with_ids else set()
    split = split_duplicates(new_fills, stored, exec_ids)
    report.duplicates = split.count
    if formats.trade_level(module):
        for fill in split.new:
            fill.group = split.matched_groups.get(fill.row) or f"{imp.pk}:{fill.row}"

    tracker.update(stage=progress.BUILDING)
    by_stream: dict[streams.Stream, list[NewFill]] = defaultdict(list)
    for fill in split.new:
        by_stream[(fill.account_id, fill.instrument)].append(fill)
    keys = count(PROVISIONAL)
    provisional = {id(fill): next(keys) for fill in split.new}
    builds, rejected = {}, {}
    for stream, added in by_stream.items():
        inputs = [e.for_engine() for e in stored.get(stream, ())]
        inputs += [_engine_input(fill, provisional[id(fill)]) for fill in added]
        builds[stream] = streams.build(inputs)
        rejected.update((r.key, r) for r in builds[stream].rejected if r.key >= PROVISIONAL)

    tracker.update(stage=progress.WRITING)
    kept = [f for f in split.new if _stored(f, rejected.get(provisional[id(f)]))]
    ids = bulk.insert(Execution, EXECUTION_COLUMNS, [_execution_row(imp, f) for f in kept], ids=True)
    real = {provisional[id(fill)]: new_id for fill, new_id in zip(kept, ids, strict=True)}
    annotations = {real[provisional[id(f)]]: f.trade for f in kept if f.trade}
    builds = {stream: _with_real_keys(build, real) for stream, build in builds.items()}
    changes = streams.apply_builds(
        user=imp.user, builds=builds, stored=streams.load_trades(imp.user, builds), annotations=annotations
    )
    report.executions_created = len(kept)
    report.trades_created, report.trades_updated = changes.created, changes.updated
    report.created_tags = changes.tags_created
    by_key = {provisional[id(f)]: f for f in split.new}
    skipped.extend(Skip(by_key[key].row, _rejection_reason(r, by_key[key])) for key, r in rejected.items())
    report.skipped = [{"row": s.row, "reason": s.reason} for s in sorted(skipped, key=lambda s: s.row)]
    report.errors = [{"row": e.row, "message": e.message} for e in sorted(errors, key=lambda e: e.row)]
    return report


def _parse(imp: Import, module, tracker: progress.Progress) -> tuple[list[Fill], list[Skip], list[RowError]]:
    text = formats.base.decode(bytes(imp.data or b""))
    fills, skipped, errors = [], [], []
    rows: set[int] = set()
    limit = settings.IMPORT_MAX_ROWS
    try:
        for item in module.parse(text, tz=ZoneInfo(imp.tz)):
            if item.row not in rows:
                rows.add(item.row)
                if len(rows) > limit:
                    raise Failed(f"The file has more than {limit:,} rows; split it into smaller files.")
                if len(rows) % 1000 == 0:
                    tracker.update(rows_processed=len(rows))
            (fills if isinstance(item, Fill) else skipped if isinstance(item, Skip) else errors).append(item)
    except FormatError as problem:
        raise Failed(f"The file can't be read as {module.BROKER} ({module.NAME}): {problem}") from None
    except (ValueError, ArithmeticError, RecursionError, MemoryError) as problem:
        logger.warning("Import %s: %s could not read the file: %r", imp.pk, module.NAME, problem)
        raise Failed(f"The file can't be read as {module.BROKER} ({module.NAME}).") from None
    tracker.update(rows_processed=len(rows), rows_total=len(rows))
    return fills, skipped, errors


def _engine_input(fill: NewFill, key: int) -> engine.Execution:
    return engine.Execution(
        key=key, time=fill.time, side=fill.side, quantity=fill.quantity, price=fill.price,
        commission=fill.commission, fees=fill.fees, multiplier=fill.multiplier, effect=fill.effect, group=fill.group,
    )  # fmt: skip


def _execution_row(imp: Import, fill: NewFill) -> tuple:
    return (
        imp.user_id, fill.account_id, fill.instrument, fill.time, fill.side, fill.quantity, fill.price,
        fill.commission, fill.fees, fill.exec_id, fill.multiplier, fill.effect, fill.group, imp.pk, fill.row,
    )  # fmt: skip


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


def _stored(fill: NewFill, rejection: engine.Rejection | None) -> bool:
    """A fill rejected whole is not stored; one that closed part of a position is (that part is in a trade)."""
    return rejection is None or rejection.quantity < fill.quantity


def _rejection_reason(rejection: engine.Rejection, fill: NewFill) -> str:
    if rejection.quantity < fill.quantity:
        return f"{rejection.reason} (the excess {plain_decimal(rejection.quantity)} was not imported)"
    return rejection.reason
