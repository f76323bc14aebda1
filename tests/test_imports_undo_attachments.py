"""The screenshots and PDFs on an undone import's trades: kept, files and all, and back on the trade a
re-import of the file opens with the same execution, the owner's alone; at most ATTACHMENTS_PER_TRADE
back; the kept ones no import claims deleted with their files by `purge` after the retention; and
an undo that fails changes none of them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from attachments.models import Attachment
from imports import kept, undo
from imports.apply import import_run
from imports.models import Import, KeptAnnotation
from imports.undo import undo_run
from journal.models import Trade
from tests.factories import api_client, make_user
from tests.test_attachments import PDF_WITH_JAVASCRIPT, image, upload
from tests.test_imports_undo import DATA, NO_EXEC_IDS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachment_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)},
    }}  # fmt: skip


def imported(api, data: bytes = DATA) -> int:
    r = api.generic("POST", "/api/v1/imports", data, content_type="text/csv")
    assert r.status_code == 202, r.content
    imp = import_run(import_id=r.json()["id"])
    assert imp.status == "succeeded", imp.errors
    return imp.pk


def undone(api, import_id: int) -> None:
    assert api.delete(f"/api/v1/imports/{import_id}").status_code == 202
    assert undo_run(import_id=import_id).status == "undone"


def trade_at(api, entry_time: str) -> dict:
    listed = api.get("/api/v1/trades?per_page=100").json()["data"]
    (found,) = [t for t in listed if t["entry_time"] == entry_time]
    return found


def attached(api, trade_id: int) -> list[dict]:
    r = api.get(f"/api/v1/trades/{trade_id}/attachments")
    assert r.status_code == 200, r.content
    return r.json()["data"]


def downloaded(api, trade_id: int, attachment_id: int) -> bytes:
    r = api.get(f"/api/v1/trades/{trade_id}/attachments/{attachment_id}/file")
    assert r.status_code == 200, r.content
    return b"".join(r.streaming_content)


def screenshots(api, trade_id: int, count: int) -> list[bytes]:
    """`count` different PNGs attached to the trade, in that order."""
    added = [image(size=(40 + n, 30)) for n in range(count)]
    for n, data in enumerate(added):
        assert upload(api, trade_id, data, f"entry-{n}.png").status_code == 201
    return added


@pytest.mark.parametrize("data", [DATA, NO_EXEC_IDS], ids=["exec ids", "fills without ids"])
def test_an_undone_imports_attachments_come_back_with_a_reimport_served_to_their_owner_alone(api, user, data):
    first = imported(api, data)
    trade = api.get("/api/v1/trades?per_page=1&sort=entry_time").json()["data"][0]
    (png,) = screenshots(api, trade["id"], 1)
    assert upload(api, trade["id"], PDF_WITH_JAVASCRIPT, "plan.pdf", "application/pdf").status_code == 201
    before = attached(api, trade["id"])
    stored = [a.file for a in Attachment.objects.all()]

    undone(api, first)
    assert not Trade.objects.filter(pk=trade["id"]).exists()
    assert all(storages["attachments"].exists(name) for name in stored)
    assert api.get(f"/api/v1/trades/{trade['id']}/attachments/{before[0]['id']}/file").status_code == 404

    # Another trader importing the same file gets a trade of their own, without them.
    other = api_client(make_user())
    imported(other, data)
    assert attached(other, trade_at(other, trade["entry_time"])["id"]) == []

    imported(api, data)
    back = trade_at(api, trade["entry_time"])
    assert back["id"] != trade["id"]
    again = attached(api, back["id"])
    assert [(a["id"], a["filename"], a["content_type"], a["size"]) for a in again] == [
        (a["id"], a["filename"], a["content_type"], a["size"]) for a in before
    ]
    assert downloaded(api, back["id"], again[0]["id"]) == png
    assert downloaded(api, back["id"], again[1]["id"]) == PDF_WITH_JAVASCRIPT
    for aid in (a["id"] for a in again):
        assert other.get(f"/api/v1/trades/{back['id']}/attachments/{aid}/file").status_code == 404
    assert not Attachment.objects.kept().exists()  # given back, forgotten


def test_a_reimport_gives_back_at_most_the_attachments_a_trade_may_keep(
    api, user, settings, django_capture_on_commit_callbacks
):
    first = imported(api)
    trade = api.get("/api/v1/trades?per_page=1&sort=entry_time").json()["data"][0]
    added = screenshots(api, trade["id"], 3)
    names = list(Attachment.objects.order_by("created_at", "id").values_list("file", flat=True))
    undone(api, first)
    settings.ATTACHMENTS_PER_TRADE = 2  # lowered meanwhile

    with django_capture_on_commit_callbacks(execute=True):
        imported(api)
    back = trade_at(api, trade["entry_time"])
    again = attached(api, back["id"])
    assert [downloaded(api, back["id"], a["id"]) for a in again] == added[:2]  # the first ones added
    assert not Attachment.objects.kept().exists()
    assert not storages["attachments"].exists(names[2])  # the one over the limit is deleted, file too
    assert [storages["attachments"].exists(name) for name in names[:2]] == [True, True]


def test_kept_journaling_no_import_claims_is_purged_with_its_files_after_the_retention(
    api, user, django_capture_on_commit_callbacks
):
    first = imported(api)
    trade = api.get("/api/v1/trades?per_page=1&sort=entry_time").json()["data"][0]
    assert api.patch(f"/api/v1/trades/{trade['id']}", {"notes": "Chased it"}, format="json").status_code == 200
    screenshots(api, trade["id"], 2)
    names = [name for a in Attachment.objects.all() for name in (a.file, a.thumbnail)]
    undone(api, first)

    def purge() -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("purge", stdout=out)
        return out.getvalue()

    def kept_for(age: timedelta) -> None:
        Attachment.objects.kept().update(kept_at=timezone.now() - age)
        KeptAnnotation.objects.update(created_at=timezone.now() - age)

    kept_for(kept.RETENTION - timedelta(days=1))
    assert "0 kept annotations and 0 kept attachments" in purge()
    assert all(storages["attachments"].exists(name) for name in names)
    kept_for(kept.RETENTION + timedelta(days=1))
    assert "1 kept annotations and 2 kept attachments" in purge()
    assert not any(storages["attachments"].exists(name) for name in names)

    imported(api)
    back = trade_at(api, trade["entry_time"])
    assert (back["notes"], attached(api, back["id"])) == ("", [])


def test_an_undo_that_fails_half_way_leaves_the_attachments_on_their_trade(api, user, monkeypatch):
    first = imported(api)
    trade = api.get("/api/v1/trades?per_page=1&sort=entry_time").json()["data"][0]
    (png,) = screenshots(api, trade["id"], 1)
    before = attached(api, trade["id"])

    def broken(imp):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(undo, "remove_unused", broken)  # after the trades went and their attachments were kept
    assert api.delete(f"/api/v1/imports/{first}").status_code == 202
    assert undo_run(import_id=first).status == "succeeded"
    assert attached(api, trade["id"]) == before
    assert downloaded(api, trade["id"], before[0]["id"]) == png
    assert not Attachment.objects.kept().exists()
    monkeypatch.undo()
    undone(api, first)
    assert Import.objects.get(pk=first).status == "undone"
    assert Attachment.objects.kept().count() == 1
