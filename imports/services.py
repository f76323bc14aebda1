"""Starting and undoing imports (the request's side; the worker's side is imports/apply.py).

Starting costs milliseconds whatever the file's size: the parameters are checked, the format is
named or recognised from the head of the file, and the bytes are stored for a worker, queued once
the transaction commits. With `format=auto` the owner's saved mapping for the file's header comes
first, then the formats; a table none of them reads is a failed import that suggests a mapping and
keeps its bytes for the web journal to map (imports/formats/mapping.py).
"""

import hashlib

import psycopg
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from rest_framework import serializers

from core import outbox
from core.exceptions import Conflict
from imports import announce, formats
from imports.formats import mapping, spreadsheet
from imports.mapping_suggest import suggest
from imports.models import Import, ImportMapping
from imports.serializers import AUTO
from journal.models import Account
from journal.zones import zone_of

HEAD_BYTES = 4 * formats.HEAD_SIZE  # enough bytes for HEAD_SIZE characters in any encoding
EMPTY = "The file is empty."


def undetectable(how: str = "the format parameter") -> str:
    """The message for a file no format detects, saying `how` to name its format where it is read
    (the API's parameter, the web form's choice, the command's option)."""
    return f"The file's format could not be recognised. Name it with {how}, one of: {', '.join(formats.FORMATS)}."


UNDETECTABLE = undetectable()
UNRECOGNISED = (
    "No format recognises this file. Its columns can be mapped to ours: suggested_mapping proposes a mapping; "
    "import the file with format=mapped and that mapping, edited as needed (save it as an import mapping and files "
    "with this header are mapped without asking)."
)
NOT_FINISHED = "This import is being applied; it can be undone once it has finished."


def head_text(data: bytes) -> str:
    """The first HEAD_SIZE characters of a file, without decoding all of it. A workbook's are its
    first sheet's as CSV: its archive's directory is at its end, so it is read from the whole file
    (as far as those characters need); an unreadable one is a ValidationError (422)."""
    if spreadsheet.is_xlsx(data):
        try:
            return spreadsheet.xlsx_head(data, size=formats.HEAD_SIZE)
        except formats.base.FormatError as problem:
            message = str(problem)
            raise serializers.ValidationError({"file": [f"{message[:1].upper()}{message[1:]}."]}) from None
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
    *, user, data: bytes, filename: str = "", format: str = AUTO, account: Account | None = None, tz: str | None = None,
    dry_run: bool = False, mapping_rules: dict | None = None, enqueue: bool = True,
) -> Import:  # fmt: skip
    """A queued import of `data` (with format `mapped`, read by `mapping_rules`), or a failed one
    suggesting a mapping for a table no format reads; ValidationError (422) for an empty file or one
    that is no table. The worker is asked once the caller's transaction commits. Without `tz`, the
    file's times are read in the zone the trader's last import of its format was, else in theirs."""
    if not data:
        raise serializers.ValidationError({"file": [EMPTY]})
    suggestion = None
    if format == AUTO:
        format, mapping_rules, suggestion = _recognised(user, head_text(data), filename)
    tz = tz or remembered_zone(user, format) or zone_of(user)
    if mapping_rules is not None:
        tz = mapping.file_zone(mapping_rules, tz)
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic():  # with the event of a file no format reads (a failed import)
        imp = Import.objects.create(
            user=user, format=format, filename=filename.replace("\x00", "")[:255], dry_run=dry_run, tz=tz,
            account=account, data=None if postgresql else data, sha256=hashlib.sha256(data).hexdigest(),
            mapping=mapping_rules, **(_unrecognised(suggestion) if suggestion is not None else {}),
        )  # fmt: skip
        if postgresql:
            _store_upload(imp, data)
        if suggestion is not None:
            announce.finished(imp)
    if enqueue and suggestion is None:
        from imports.tasks import apply_import

        outbox.enqueue(apply_import, imp.pk)
    return imp


def remembered_zone(user, format: str) -> str | None:
    """The zone of `user`'s last import of `format`: a broker writes its times in the zone of the
    platform's settings, which a trader rarely changes."""
    imports = Import.objects.owned_by(user).filter(format=format).order_by("-id")
    return imports.values_list("tz", flat=True).first()


def remembered_zones(user) -> dict[str, str]:
    """{format: the zone of its last import} over the formats `user` has imported."""
    last = Import.objects.owned_by(user).order_by().values("format").annotate(last=Max("id")).values("last")
    return dict(Import.objects.filter(pk__in=last).values_list("format", "tz"))


def _recognised(user, head: str, filename: str) -> tuple[str, dict | None, dict | None]:
    """(format, mapping rules, suggested mapping) of a file sent with format=auto."""
    saved = ImportMapping.objects.owned_by(user).for_header(head)
    if saved is not None:
        return mapping.MAPPED, saved.rules(), None
    module = formats.detect(head)
    if module is not None:
        return module.NAME, None, None
    suggestion = suggest(head, filename=filename)
    if suggestion is None:
        raise serializers.ValidationError({"format": [UNDETECTABLE]})
    return AUTO, None, suggestion


def _unrecognised(suggestion: dict) -> dict:
    now = timezone.now()
    return {
        "status": Import.Status.FAILED, "created_at": now, "finished_at": now, "suggested_mapping": suggestion,
        "errors": [{"row": None, "message": UNRECOGNISED}],
    }  # fmt: skip


def _store_upload(imp: Import, data: bytes) -> None:
    """The file's bytes as a binary parameter. Django binds parameters into the SQL text, which
    for 20 MiB of bytes means 40 MiB of hex to write and parse: four times slower (measured)."""
    table = connection.ops.quote_name(Import._meta.db_table)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f"UPDATE {table} SET data = %b WHERE id = %s", [data, imp.pk])  # noqa: S608
    imp.data = data


def import_undo(*, imp: Import) -> Import | None:
    """Undoes an import. One that stored nothing (queued, failed, a dry run) is removed at once: None
    (a queued one is cancelled; its worker will find nothing to claim). A succeeded one is marked
    `undoing` and a worker undoes it (imports/undo.py) once the caller's transaction commits; it is
    returned, as is one already undoing or undone (asking twice changes nothing). One being applied
    is a Conflict (409)."""
    from imports.tasks import undo_import

    with transaction.atomic():
        imp = Import.objects.select_for_update().defer("data").get(pk=imp.pk)
        if imp.status == Import.Status.PROCESSING:
            raise Conflict(NOT_FINISHED)
        if imp.status in (Import.Status.UNDOING, Import.Status.UNDONE):
            return imp
        if imp.status == Import.Status.SUCCEEDED and not imp.dry_run:
            imp.status, imp.undo_started_at, imp.undo_attempts = Import.Status.UNDOING, None, 0
            imp.save(update_fields=["status", "undo_started_at", "undo_attempts"])
            outbox.enqueue(undo_import, imp.pk)
            return imp
        imp.delete()
        return None
