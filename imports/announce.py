"""The imports' events (core/events.py): one per import and one per undo, never one per trade they
write, announced in the transaction that finishes or undoes the import. A dry run changes nothing
and announces nothing."""

from core import events
from imports.models import Import
from imports.serializers import ImportSerializer


def finished(imp: Import) -> None:
    """import.succeeded or import.failed, with the import as it now is."""
    if imp.dry_run:
        return
    kind = events.IMPORT_SUCCEEDED if imp.status == Import.Status.SUCCEEDED else events.IMPORT_FAILED
    events.announce(user_id=imp.user_id, type=kind, data=lambda: ImportSerializer(_stored(imp.pk)).data)


def undone(imp: Import) -> None:
    """import.undone, with the import as it now is (undone)."""
    events.announce(user_id=imp.user_id, type=events.IMPORT_UNDONE, data=lambda: ImportSerializer(imp).data)


def _stored(pk: int) -> Import:
    return Import.objects.defer("data").get(pk=pk)
