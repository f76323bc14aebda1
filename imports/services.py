"""Starting and undoing imports (the request's side; the worker's side is imports/apply.py).

Starting costs milliseconds whatever the file's size: the parameters are checked, the format is
named or recognised from the head of the file, and the bytes are stored for a worker, queued once
the transaction commits.
"""

import hashlib
from functools import partial

import psycopg
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from rest_framework import serializers

from imports import formats, streams
from imports.models import Execution, Import
from imports.serializers import AUTO
from journal import versions
from journal.models import Account, Tag, Trade, TradeTag
from tradejournal.errors import Conflict

HEAD_BYTES = 4 * formats.HEAD_SIZE  # enough bytes for HEAD_SIZE characters in any encoding
EMPTY = "The file is empty."
UNDETECTABLE = (
    "The file's format could not be recognised. Name it with the format parameter, one of: "
    + ", ".join(formats.FORMATS) + "."
)  # fmt: skip
NOT_FINISHED = "This import is being applied; it can be undone once it has finished."
BUSY = "Another import of yours is being applied; undo this one when it has finished."


def head_text(data: bytes) -> str:
    """The first HEAD_SIZE characters of a file, without decoding all of it."""
    head = data[:HEAD_BYTES]
    if len(data) > HEAD_BYTES and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # A cut inside a UTF-8 character would make the head look like cp1252 (base.decode).
        for trim in range(4):
            try:
                head[: len(head) - trim].decode("utf-8")
            except UnicodeDecodeError:
                continue
            head = head[: len(head) - trim]
            break
    return formats.base.decode(head)[: formats.HEAD_SIZE]


def import_create(
    *, user, data: bytes, filename: str = "", format: str = AUTO, account: Account | None = None, tz: str = "UTC",
    dry_run: bool = False, enqueue: bool = True,
) -> Import:  # fmt: skip
    """A queued import of `data`; ValidationError (422) for an empty file or one whose format is not
    recognised. The worker is asked once the caller's transaction commits."""
    if not data:
        raise serializers.ValidationError({"file": [EMPTY]})
    if format == AUTO:
        module = formats.detect(head_text(data))
        if module is None:
            raise serializers.ValidationError({"format": [UNDETECTABLE]})
        format = module.NAME
    postgresql = connection.vendor == "postgresql"
    imp = Import.objects.create(
        user=user, format=format, filename=filename.replace("\x00", "")[:255], dry_run=dry_run, tz=tz, account=account,
        data=None if postgresql else data, sha256=hashlib.sha256(data).hexdigest(),
    )  # fmt: skip
    if postgresql:
        _store_upload(imp, data)
    if enqueue:
        from imports.tasks import apply_import

        transaction.on_commit(partial(apply_import.enqueue, imp.pk))
    return imp


def _store_upload(imp: Import, data: bytes) -> None:
    """The file's bytes as a binary parameter. Django binds parameters into the SQL text, which
    for 20 MiB of bytes means 40 MiB of hex to write and parse: four times slower (measured)."""
    table = connection.ops.quote_name(Import._meta.db_table)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f"UPDATE {table} SET data = %b WHERE id = %s", [data, imp.pk])  # noqa: S608
    imp.data = data


def import_undo(*, imp: Import) -> None:
    """Deletes the import and its executions and rebuilds the streams they were in; trades that
    existed before it keep their ids. A queued import is cancelled (its worker will find nothing to
    claim); one being applied is a Conflict (409)."""
    with transaction.atomic():
        _lock_owner(imp.user_id)
        imp = Import.objects.select_for_update().defer("data").get(pk=imp.pk)
        if imp.status == Import.Status.PROCESSING:
            raise Conflict(NOT_FINISHED)
        touched = set(Execution.objects.filter(source=imp).values_list("account_id", "instrument").distinct())
        if touched:
            remaining = streams.load_executions(imp.user, touched, excluding=imp.pk)
            builds = {stream: streams.build(e.for_engine() for e in remaining.get(stream, ())) for stream in touched}
            streams.apply_builds(user=imp.user, builds=builds, stored=streams.load_trades(imp.user, touched))
            Execution.objects.filter(source=imp).delete()  # no trade holds them any more
        _remove_unused(imp)
        imp.delete()
        versions.changed(imp.user_id)


def _lock_owner(user_id: int) -> None:
    # One import or undo at a time per owner; a request doesn't wait behind a running import.
    try:
        owner = get_user_model().objects.select_for_update(nowait=connection.vendor == "postgresql")
        list(owner.filter(pk=user_id).values_list("pk", flat=True))
    except DatabaseError:
        raise Conflict(BUSY) from None


def _remove_unused(imp: Import) -> None:
    """The accounts and tags the import created, when nothing uses them any more."""
    if imp.created_accounts:
        used = set(Trade.objects.filter(account_id__in=imp.created_accounts).values_list("account_id", flat=True))
        used |= set(Execution.objects.filter(account_id__in=imp.created_accounts).values_list("account_id", flat=True))
        Account.objects.filter(pk__in=set(imp.created_accounts) - used, user=imp.user).delete()
    if imp.created_tags:
        used = set(TradeTag.objects.filter(tag_id__in=imp.created_tags).values_list("tag_id", flat=True))
        Tag.objects.filter(pk__in=set(imp.created_tags) - used, user=imp.user).delete()
