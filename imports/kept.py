"""A trader's journaling (notes, setup, tags, stop, target, initial risk, attachments) on the trades
an undo removes, kept and given back when a file brings their executions again.

An import's trades are identified by their executions: an undo keeps the annotations of each trade
it removes under the identity of the execution that opened it (its broker execution id, else the
fill itself: instrument, time, side, quantity and price), and its attachments, files and all, under
the same identity (attachments/kept.py); the import that later opens a trade with that execution
gives them to the new trade (and forgets them). Undo, re-import the same file: the journaling is
back, on new ids. What no import claims goes after RETENTION (`manage.py purge`): a file undone for
good does not keep its screenshots stored for ever.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from attachments.kept import any_kept, attached, attachments_forget_kept, attachments_keep, attachments_restore
from imports.models import Execution, KeptAnnotation
from journal.models import Trade, TradeTag

AMOUNTS = ("stop_loss", "take_profit", "initial_risk")
CHUNK = 5000
RETENTION = timedelta(days=90)  # long enough to correct a file and import it again, not for ever
ANNOTATED = (
    ~Q(notes="") | ~Q(setup_type="") | Q(stop_loss__isnull=False) | Q(take_profit__isnull=False)
    | Q(initial_risk__isnull=False) | Q(tags__isnull=False)
)  # fmt: skip


def identity(execution) -> str:
    """An execution's identity across imports (a stored one or a file's, alike)."""
    if execution.exec_id:
        return f"{execution.instrument}|id|{execution.exec_id}"
    time = execution.time.astimezone(UTC).isoformat()
    quantity, price = (format(value.normalize(), "f") for value in (execution.quantity, execution.price))
    return f"{execution.instrument}|{time}|{execution.side}|{quantity}|{price}"


def keep(user, opened_by: dict[int, int]) -> int:
    """Keeps the annotations and attachments of the trades `opened_by` names ({trade id: opening
    execution id}), those about to go; the number of trades whose journaling was kept."""
    annotated: dict[int, dict] = {}
    trade_ids = list(opened_by)
    for start in range(0, len(trade_ids), CHUNK):
        chunk = Trade.objects.filter(pk__in=trade_ids[start : start + CHUNK]).filter(ANNOTATED).distinct()
        for trade_id, notes, setup, *amounts in chunk.values_list("id", "notes", "setup_type", *AMOUNTS):
            values = {name: None if v is None else str(v) for name, v in zip(AMOUNTS, amounts, strict=True)}
            annotated[trade_id] = {"notes": notes, "setup_type": setup, "tags": [], **values}
    with_files = attached(trade_ids)
    if not annotated and not with_files:
        return 0
    tags = TradeTag.objects.filter(trade_id__in=annotated).order_by("tag__name").values_list("trade_id", "tag__name")
    for trade_id, name in tags:
        annotated[trade_id]["tags"].append(name)
    executions = Execution.objects.in_bulk({opened_by[trade_id] for trade_id in (*annotated, *with_files)})
    rows = {identity(executions[opened_by[t]]): values for t, values in annotated.items()}
    KeptAnnotation.objects.filter(user=user, execution__in=rows).delete()
    KeptAnnotation.objects.bulk_create([KeptAnnotation(user=user, execution=k, values=v) for k, v in rows.items()])
    attachments_keep(user=user, identities={t: identity(executions[opened_by[t]]) for t in with_files})
    return len(annotated.keys() | with_files)


def restore(user, fills: list, real: dict[int, int], annotations: dict[int, dict]) -> dict[int, dict]:
    """`annotations` (by stored opening execution) with the kept ones of `fills`' executions added:
    a file's own annotations give way to the trader's. The kept ones given back are forgotten."""
    if not KeptAnnotation.objects.filter(user=user).exists():
        return annotations
    by_identity = {identity(fill): real[fill.key] for fill in fills}
    keys = list(by_identity)
    found: dict[str, dict] = {}
    for start in range(0, len(keys), CHUNK):
        kept = KeptAnnotation.objects.filter(user=user, execution__in=keys[start : start + CHUNK])
        found.update(kept.values_list("execution", "values"))
    if not found:
        return annotations
    merged = dict(annotations)
    for key, values in found.items():
        values = {**values, **{n: None if values[n] is None else Decimal(values[n]) for n in AMOUNTS}}
        merged[by_identity[key]] = {**merged.get(by_identity[key], {}), **values}
    KeptAnnotation.objects.filter(user=user, execution__in=list(found)).delete()
    return merged


def reattach(user, fills: list, real: dict[int, int], opened: dict[int, int]) -> int:
    """Gives the attachments kept under `fills`' executions to the trades the import created with
    them as opening execution (`opened`: {execution id: trade id}); the number given back."""
    if not opened or not any_kept(user):
        return 0
    trades = {identity(fill): opened[real[fill.key]] for fill in fills if real[fill.key] in opened}
    return attachments_restore(user=user, trades=trades)


def forget_expired(*, now: datetime | None = None) -> tuple[int, int]:
    """Deletes the annotations and attachments (with their files) kept longer than RETENTION; how
    many of each."""
    before = (now or timezone.now()) - RETENTION
    annotations, _ = KeptAnnotation.objects.filter(created_at__lt=before).delete()
    return annotations, attachments_forget_kept(before=before)
