"""Writes the API and the web journal share, so a change made on either goes through one code path."""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.shortcuts import get_object_or_404
from rest_framework import serializers

from journal.models import Account
from tradejournal.errors import Conflict

ACCOUNT_HOLDS_TRADES = "This account still holds trades: move them to another account or delete them first."


def update_under_lock(
    queryset: QuerySet,
    pk: int,
    serializer_for: Callable[[Model], serializers.Serializer],
    save: Callable[[serializers.Serializer], object] = serializers.Serializer.save,
) -> serializers.Serializer:
    """The record `pk` of `queryset` changed by the serializer `serializer_for(record)` builds.

    Read, validate and write under the row's lock: a racing change waits and then applies to what
    this one wrote, and a record deleted meanwhile is a 404 (Http404), never re-inserted. Invalid
    data raises the serializer's ValidationError."""
    with transaction.atomic():
        record = get_object_or_404(queryset.select_for_update(), pk=pk)
        serializer = serializer_for(record)
        serializer.is_valid(raise_exception=True)
        save(serializer)
    return serializer


def named_record_save(serializer: serializers.ModelSerializer, **extra) -> Model:
    """Saves an account or tag (a journal.owned_api.UniqueNamesSerializer): a name another request took
    between the serializer's check and this write is refused with the check's message."""
    try:
        with transaction.atomic():
            return serializer.save(**extra)
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
        with transaction.atomic():
            account.delete()
    except (ProtectedError, IntegrityError):
        # A trade was put in the account meanwhile (the foreign key refuses the delete).
        raise Conflict(ACCOUNT_HOLDS_TRADES) from None
