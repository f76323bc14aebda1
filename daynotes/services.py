"""Writing and deleting day notes: one code path for the API and the web journal. Each moves the
owner's journal version (core/versions.py), under which the list's count is cached."""

from datetime import date

from django.db import transaction

from core import versions
from daynotes.models import DayNote


def day_note_put(*, user, day: date, body: str) -> tuple[DayNote, bool]:
    """The owner's note on `day` set to `body` (created when there is none); and whether it was created.
    Two writers of one day's note at once: the unique constraint lets one create it, the other replace it."""
    with transaction.atomic():
        versions.changed(user.pk)
        return DayNote.objects.update_or_create(user=user, date=day, defaults={"body": body})


def day_note_delete(*, user, day: date) -> bool:
    """Deletes the owner's note on `day`; False when there was none."""
    with transaction.atomic():
        versions.changed(user.pk)
        deleted, _ = DayNote.objects.owned_by(user).filter(date=day).delete()
    return bool(deleted)
