"""Keeping, deleting and sweeping attachments: the files go through the attachments storage
(settings.STORAGES["attachments"]: the file system by default, S3 or any other Django storage by
setting), the records through the database, and neither outlives the other for long.

A file is stored before its record is written; a record deleted takes its files once the deletion
is committed. A trade's deletion by the trader takes its attachments' records in the same statement
as the trade (an import's undo keeps them first: attachments/kept.py); their files, and any file
whose record never got written (a worker killed in between), are left for `manage.py purge`
(attachments_sweep): it deletes every file that no record names and that is older than
SWEEP_GRACE, so a file still being attached is never taken.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from attachments import files
from attachments.models import Attachment
from core import versions
from journal.models import Trade

FOLDER = "attachments"
SWEEP_GRACE = timedelta(hours=1)
TOO_MANY = "A trade keeps at most {} attachments: delete one first."


def storage() -> Storage:
    return storages["attachments"]


def attachment_create(*, user, trade: Trade, filename: str, data: bytes) -> Attachment:
    """Checks `data` (files.Refused when it is not taken) and keeps it with `trade`."""
    if Attachment.objects.filter(trade=trade).count() >= settings.ATTACHMENTS_PER_TRADE:
        raise files.Refused(TOO_MANY.format(settings.ATTACHMENTS_PER_TRADE))
    checked = files.check(data)
    # The stored name is ours (random, in the owner's folder): nothing the client sent reaches a path.
    stem = f"{FOLDER}/{user.pk}/{secrets.token_urlsafe(18)}"
    name = storage().save(f"{stem}.{files.EXTENSIONS[checked.content_type]}", ContentFile(data))
    thumbnail = storage().save(f"{stem}.thumb.png", ContentFile(checked.thumbnail)) if checked.thumbnail else ""
    versions.changed(user.pk)  # a list's count is cached under the journal's version
    return Attachment.objects.create(
        user=user, trade=trade, filename=clean_filename(filename, checked.content_type), size=len(data),
        content_type=checked.content_type, file=name, thumbnail=thumbnail,
    )  # fmt: skip


def clean_filename(filename: str, content_type: str) -> str:
    """The uploaded name as shown and offered for download: its last path part, without control
    characters, at most 255 characters; "attachment.<ext>" when nothing is left."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[-255:]
    return name or f"attachment.{files.EXTENSIONS[content_type]}"


def attachment_delete(*, attachment: Attachment) -> None:
    names = [name for name in (attachment.file, attachment.thumbnail) if name]
    with transaction.atomic():
        versions.changed(attachment.user_id)
        attachment.delete()
        transaction.on_commit(lambda: remove_files(names))


def remove_files(names: list[str]) -> None:
    for name in names:
        storage().delete(name)


def attachments_sweep(*, now: datetime | None = None) -> int:
    """Deletes the stored files no attachment names, older than SWEEP_GRACE; returns how many."""
    now = now or timezone.now()
    store, swept = storage(), 0
    owners, _ = store.listdir(FOLDER) if store.exists(FOLDER) else ([], [])
    for owner in owners:
        _, names = store.listdir(f"{FOLDER}/{owner}")
        paths = [f"{FOLDER}/{owner}/{name}" for name in names]
        # The folder is named after its owner's id (attachment_create).
        named = {
            name for pair in Attachment.objects.filter(user_id=owner).values_list("file", "thumbnail") for name in pair
        }
        for path in paths:
            if path not in named and store.get_modified_time(path) < now - SWEEP_GRACE:
                store.delete(path)
                swept += 1
    return swept
