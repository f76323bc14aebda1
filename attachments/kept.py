"""The attachments of trades an import's undo removes: kept, record and files, under the identity of
the execution that opened the trade (imports/kept.py names it), given back to the trade a later
import opens with that execution, deleted with their files when none has claimed them in time.

A kept attachment has no trade and is seen nowhere; it keeps its id, its owner and its stored
files, so given back it is the same attachment. A trade takes back at most ATTACHMENTS_PER_TRADE
(those added first); the others are deleted, files and all, as if the trader had deleted them.
"""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Case, CharField, Count, Value, When
from django.utils import timezone

from attachments.models import Attachment
from attachments.services import remove_files

CHUNK = 1000  # trades or identities a statement: keeps every parameter list bounded


def attached(trade_ids: list[int]) -> set[int]:
    """The trades among these that have attachments."""
    found: set[int] = set()
    for start in range(0, len(trade_ids), CHUNK):
        chunk = Attachment.objects.filter(trade_id__in=trade_ids[start : start + CHUNK])
        found.update(chunk.values_list("trade_id", flat=True).distinct())
    return found


def attachments_keep(*, user, identities: dict[int, str], now: datetime | None = None) -> int:
    """Detaches the attachments of the trades `identities` names ({trade id: identity}), those about to
    go, and keeps them under those identities; the number kept."""
    now = now or timezone.now()
    trade_ids, kept = list(identities), 0
    for start in range(0, len(trade_ids), CHUNK):
        chunk = trade_ids[start : start + CHUNK]
        identity = Case(*(When(trade_id=t, then=Value(identities[t])) for t in chunk), output_field=CharField())
        kept += Attachment.objects.filter(user=user, trade_id__in=chunk).update(
            kept_as=identity, kept_at=now, trade=None
        )
    return kept


def any_kept(user) -> bool:
    return Attachment.objects.owned_by(user).kept().exists()


def attachments_restore(*, user, trades: dict[str, int]) -> int:
    """Gives the attachments kept under each identity to its trade ({identity: trade id}), up to
    ATTACHMENTS_PER_TRADE with those it has; the number given back."""
    keys = list(trades)
    by_trade: dict[int, list[Attachment]] = defaultdict(list)
    for start in range(0, len(keys), CHUNK):
        kept = Attachment.objects.owned_by(user).kept().filter(kept_as__in=keys[start : start + CHUNK])
        for attachment in kept.order_by("created_at", "id").only("id", "kept_as", "file", "thumbnail"):
            by_trade[trades[attachment.kept_as]].append(attachment)
    if not by_trade:
        return 0
    counts = Attachment.objects.filter(trade_id__in=by_trade).order_by().values("trade_id").annotate(n=Count("id"))
    room = dict.fromkeys(by_trade, settings.ATTACHMENTS_PER_TRADE)
    room.update((row["trade_id"], settings.ATTACHMENTS_PER_TRADE - row["n"]) for row in counts)
    given = {a.pk: trade_id for trade_id, found in by_trade.items() for a in found[: max(room[trade_id], 0)]}
    ids = list(given)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        trade = Case(*(When(pk=pk, then=Value(given[pk])) for pk in chunk), output_field=BigIntegerField())
        Attachment.objects.filter(pk__in=chunk).update(trade_id=trade, kept_as="", kept_at=None)
    over = [a for found in by_trade.values() for a in found if a.pk not in given]
    if over:
        _delete(over)
    return len(given)


def attachments_forget_kept(*, before: datetime) -> int:
    """Deletes the attachments kept since before `before`, and their files; the number deleted."""
    with transaction.atomic():
        # Locked, so an import giving one back meanwhile either has it first (it is then not
        # deleted) or waits for this deletion: a file is never taken from a record that stays.
        expired = Attachment.objects.kept().filter(kept_at__lt=before).select_for_update()
        found = list(expired.only("id", "file", "thumbnail"))
        _delete(found)
    return len(found)


def _delete(attachments: list[Attachment]) -> None:
    names = [name for a in attachments for name in (a.file, a.thumbnail) if name]
    ids = [a.pk for a in attachments]
    for start in range(0, len(ids), CHUNK):
        Attachment.objects.filter(pk__in=ids[start : start + CHUNK]).delete()
    transaction.on_commit(lambda: remove_files(names))
