"""Writes the API and the web journal share, so a change made on either goes through one code path."""

from collections.abc import Callable, Collection, Mapping

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Model, ProtectedError, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import serializers

from core import events, locks, versions
from core.exceptions import Conflict
from journal.models import Account, Tag, Trade, TradeTag, split_tag_names
from journal.serializers import COLUMNS, MAX_TAGS_PER_TRADE, TradeSerializer
from journal.tagging import tags_get_or_create

ACCOUNT_HOLDS_TRADES = "This account still holds trades: move them to another account or delete them first."
OWNER_BUSY = "An import of yours is being applied or undone: try again when it has finished."
TOO_MANY_TAGS = "A trade has at most {limit} tags, and these already have as many: {ids}."
# What a bulk edit may set on every selected trade (besides adding a tag).
BULK_FIELDS = ("setup_type", "account_id")


def update_under_lock(
    queryset: QuerySet,
    pk: int,
    serializer_for: Callable[[Model], serializers.Serializer],
    save: Callable[[serializers.Serializer], object] = serializers.Serializer.save,
) -> serializers.Serializer:
    """The record `pk` of `queryset` changed by the serializer `serializer_for(record)` builds.

    Read, validate and write under the owner's writers' lock, then the row's (core/locks.py): a
    racing change waits and then applies to what this one wrote (a trade an import is rebuilding
    waits for the import), and a record deleted meanwhile is a 404 (Http404), never re-inserted.
    Invalid data raises the serializer's ValidationError."""

    def change() -> serializers.Serializer:
        # FOR NO KEY UPDATE: what the write needs, and not in the way of an import holding the
        # record against deletion only (an account it puts fills in: core/locks.py).
        record = get_object_or_404(queryset.select_for_update(no_key=True), pk=pk)
        serializer = serializer_for(record)
        serializer.is_valid(raise_exception=True)
        save(serializer)
        return serializer

    # Whose it is, to lock its owner first (a record never changes owner).
    owner_id = queryset.filter(pk=pk).values_list("user_id", flat=True).first()
    if owner_id is None:
        raise Http404
    return locks.as_owner(owner_id, change)


def trade_delete(*, user, pk: int) -> None:
    """Deletes the owner's trade `pk`, announcing it as it was (core/events.py); Http404 when there is none."""
    trades = Trade.objects.owned_by(user).filter(pk=pk)

    def delete() -> None:
        # Read (under the row's lock) only when someone wants the event.
        events.announce(user_id=user.pk, type=events.TRADE_DELETED, data=lambda: _shown(trades.select_for_update()))
        deleted, _ = trades.delete()
        if not deleted:
            raise Http404  # and an event recorded for it rolls back

    locks.as_owner(user.pk, delete)  # the owner's writers' lock first, as every writer takes it


def _shown(trades: QuerySet) -> dict | None:
    trade = trades.first()
    return None if trade is None else TradeSerializer().to_representation(trade)


def named_record_save(serializer: serializers.ModelSerializer, **extra) -> Model:
    """Saves an account or tag (a journal.owned_api.UniqueNamesSerializer): a name another request took
    between the serializer's check and this write is refused with the check's message."""
    owner_id = serializer.instance.user_id if serializer.instance is not None else extra["user"].pk
    try:
        return locks.as_owner(owner_id, lambda: serializer.save(**extra))
    except IntegrityError:
        # The unique constraint stopped it. Say so as the check would have (it now sees the other row).
        errors = serializer.unique_errors(serializer.validated_data)
        if not errors:
            raise
        raise serializers.ValidationError(errors) from None


def account_delete(*, account: Account) -> None:
    """Deletes an account without trades; one holding trades is a Conflict (409)."""
    # Checked first: the ORM's own refusal (ProtectedError) would load every trade to list them.
    if account.trades.exists():
        raise Conflict(ACCOUNT_HOLDS_TRADES)
    try:
        locks.as_owner(account.user_id, account.delete)
    except (ProtectedError, IntegrityError):
        # A trade was put in the account meanwhile (the foreign key refuses the delete).
        raise Conflict(ACCOUNT_HOLDS_TRADES) from None


def trades_bulk_edit(
    *,
    owner: AbstractBaseUser,
    ids: Collection[int],
    add_tag: str | None = None,
    values: Mapping[str, object] | None = None,
) -> int:
    """Adds the tag called `add_tag` (created if new) to, and sets `values` (of BULK_FIELDS, already
    validated) on, the owner's trades among `ids`; returns how many there were. Ids of another
    trader's trades, or of none, are ignored: such a trade is not theirs to see, let alone edit.

    One transaction under the owner's row lock, the one an import or an undo holds while it
    rebuilds trades: an edit of many trades never lands between an import's reads and its writes.
    An import running now is a Conflict (409) rather than a request waiting behind it; a tag that
    would give a trade more than MAX_TAGS_PER_TRADE is a ValidationError. Either way nothing is
    changed. The journal version moves once (twice when the tag is new: creating it moves it too).
    Each trade the edit changed sends its trade.updated, as a PATCH would."""
    values = values or {}
    unknown = set(values) - set(BULK_FIELDS)
    if unknown:
        raise ValueError(f"Not editable in bulk: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        try:
            locks.lock_owner(owner.pk, nowait=connection.vendor == "postgresql")
        except DatabaseError:
            raise Conflict(OWNER_BUSY) from None
        locks.lock_writers(owner.pk)  # then the one the owner's other writes take
        before = _rows(Trade.objects.owned_by(owner).filter(pk__in=ids))
        edited = list(before)
        if not edited:
            return 0
        if values:
            # The base manager's update: the journal's queryset would move the version once more.
            Trade._base_manager.filter(pk__in=edited).update(**values)
        if add_tag:
            (tag,) = tags_get_or_create(user_id=owner.pk, names=[add_tag])
            full = (
                Trade.objects.filter(pk__in=edited).exclude(tags=tag).annotate(n_tags=Count("tags"))
                .filter(n_tags__gte=MAX_TAGS_PER_TRADE).order_by("pk").values_list("pk", flat=True)
            )  # fmt: skip
            if full:
                ids_text = ", ".join(map(str, full[:5]))
                raise serializers.ValidationError(
                    {"tag": [TOO_MANY_TAGS.format(limit=MAX_TAGS_PER_TRADE, ids=ids_text)]}
                )
            TradeTag.objects.bulk_create([TradeTag(trade_id=pk, tag=tag) for pk in edited], ignore_conflicts=True)
        _announce_changes(owner.pk, before)
        versions.changed(owner.pk)
    return len(edited)


def tag_delete(*, tag: Tag) -> None:
    """Deletes the tag, taking it off every trade: each of them sends its trade.updated (`tags`)."""

    def delete() -> None:
        before = _rows(Trade.objects.filter(tags=tag))
        tag.delete()
        _announce_changes(tag.user_id, before)

    locks.as_owner(tag.user_id, delete)


def tag_rename_save(serializer: serializers.ModelSerializer) -> Tag:
    """update_under_lock's `save` for a tag: named_record_save's, and as a new name changes how every
    trade that carries it reads, each of them sends its trade.updated (`tags`)."""
    tag, name = serializer.instance, serializer.validated_data.get("name")
    before = _rows(Trade.objects.filter(tags=tag)) if name is not None and name != tag.name else {}
    saved = named_record_save(serializer)
    _announce_changes(tag.user_id, before)
    return saved


def _rows(trades: QuerySet) -> dict[int, dict]:
    """The trades as value rows with their tag names, by id: what `_announce_changes` compares to."""
    return {row["id"]: row for row in trades.with_tag_names().order_by("pk").values(*COLUMNS, "tag_names")}


def _announce_changes(owner_id: int, before: Mapping[int, Mapping]) -> None:
    """A trade.updated for each trade of `before` that now reads differently, with what changed.
    Called after the write, in its transaction; the trades are read again only if someone listens."""

    def changed() -> list[dict]:
        now = _rows(Trade.objects.filter(pk__in=before))
        shown = (TradeSerializer.with_changes(_shown_row(before[pk]), _shown_row(row)) for pk, row in now.items())
        return [event for event in shown if event is not None]

    if before:
        events.announce_each(user_id=owner_id, type=events.TRADE_UPDATED, data=changed)


def _shown_row(row: Mapping) -> dict:
    return TradeSerializer.represent(row, split_tag_names(row["tag_names"]))
