"""/api/v1/trades/{id}/attachments: screenshots and PDFs kept with a trade, checked by their content,
stored through the attachments storage, served so that nothing in them can run, the owner's alone; and
hostile files (HTML, SVG, a polyglot, a bomb, a zip named .png, a PDF with JavaScript) refused or inert."""

import io
import os
import random
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from apikeys.scopes import TRADES_READ
from attachments import files
from attachments.models import Attachment
from attachments.services import attachments_sweep
from tests.factories import api_client, make_key, make_trade, make_user

pytestmark = pytest.mark.django_db

SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}
PDF_WITH_JAVASCRIPT = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"3 0 obj << /S /JavaScript /JS (app.alert('pwned')) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def attachment_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)},
    }}  # fmt: skip
    return tmp_path


def image(kind: str = "PNG", size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "teal").save(out, kind)
    return out.getvalue()


def upload(api, trade_id: int, data: bytes, name: str = "chart.png", content_type: str = "image/png", **headers):
    """POST the file as a multipart `file` called `name`, sent as `content_type`."""
    form = {"file": SimpleUploadedFile(name, data, content_type=content_type)}
    return api.post(f"/api/v1/trades/{trade_id}/attachments", form, format="multipart", **headers)


def refused(r) -> list[str]:
    assert r.status_code == 422, r.content
    assert r.json()["error"] == "Validation failed"
    return r.json()["details"]["file"]


@pytest.fixture
def trade(user):
    return make_trade(user)


def test_a_screenshot_is_kept_listed_read_downloaded_and_deleted(
    api, trade, attachment_storage, django_capture_on_commit_callbacks
):
    r = upload(api, trade.pk, image(), "entry 09:31.png")
    assert r.status_code == 201, r.content
    body = r.json()
    attachment = Attachment.objects.get()
    assert list(body) == ["id", "filename", "content_type", "size", "created_at", "url"]
    assert body == {
        "id": attachment.pk, "filename": "entry 09:31.png", "content_type": "image/png", "size": len(image()),
        "created_at": body["created_at"],
        "url": f"http://testserver/api/v1/trades/{trade.pk}/attachments/{attachment.pk}/file",
    }  # fmt: skip
    assert r["Location"] == f"http://testserver/api/v1/trades/{trade.pk}/attachments/{attachment.pk}"
    assert api.get(f"/api/v1/trades/{trade.pk}/attachments/{attachment.pk}").json() == body
    listed = api.get(f"/api/v1/trades/{trade.pk}/attachments").json()
    assert (listed["data"], listed["total"]) == ([body], 1)

    download = api.get(body["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == image()
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("inline;")
    assert {name: download[name] for name in SAFE_HEADERS} == SAFE_HEADERS

    stored = sorted(p.name for p in (attachment_storage / "attachments" / str(trade.user_id)).iterdir())
    assert len(stored) == 2 and stored[0].endswith(".png") and stored[1].endswith(".thumb.png")
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the deletion is committed
        assert api.delete(f"/api/v1/trades/{trade.pk}/attachments/{attachment.pk}").status_code == 204
    assert not list((attachment_storage / "attachments" / str(trade.user_id)).iterdir())
    assert api.get(f"/api/v1/trades/{trade.pk}/attachments/{attachment.pk}").status_code == 404


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")],
)
def test_each_image_format_is_taken_as_what_its_content_is_whatever_it_is_called(api, trade, kind, content_type):
    r = upload(api, trade.pk, image(kind), "screenshot.bin", "application/octet-stream")
    assert r.status_code == 201, r.content
    assert r.json()["content_type"] == content_type
    thumbnail = Image.open(storages["attachments"].open(Attachment.objects.get().thumbnail))
    assert (thumbnail.format, thumbnail.size) == ("PNG", (40, 30))


def test_a_large_screenshot_gets_a_small_thumbnail(api, trade):
    assert upload(api, trade.pk, image(size=(2560, 1440))).status_code == 201
    assert Image.open(storages["attachments"].open(Attachment.objects.get().thumbnail)).size == (320, 180)


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>", "a.html", "text/html"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>', "chart.svg",
         "image/svg+xml"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "chart.png",
         "image/png"),
        (b"<script>alert(1)</script>", "chart.png", "image/png"),
        (b"", "empty.png", "image/png"),
    ],
)  # fmt: skip
def test_html_svg_and_script_are_refused_whatever_they_are_called(api, trade, data, name, content_type):
    assert refused(upload(api, trade.pk, data, name, content_type)) == [files.NOT_TAKEN]
    assert not Attachment.objects.exists()


def test_a_zip_bomb_named_png_is_refused_unopened(api, trade):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("zeros.bin", bytes(50 * 1024 * 1024))
    assert len(archive.getvalue()) < 100 * 1024
    assert refused(upload(api, trade.pk, archive.getvalue(), "screenshot.png")) == [files.NOT_TAKEN]


def test_a_decompression_bomb_png_is_refused_before_it_is_decoded(api, trade):
    # 20,000 x 20,000 one-bit pixels in a few dozen KB: 400 megapixels if decoded.
    bomb = image(size=(20_000, 20_000), mode="1")
    assert len(bomb) < 1024 * 1024
    assert refused(upload(api, trade.pk, bomb, "bomb.png")) == [files.TOO_MANY_PIXELS]
    # Just over the limit, below Pillow's own bomb threshold: our limit still holds.
    assert refused(upload(api, trade.pk, image(size=(6000, 5001), mode="1"))) == [files.TOO_MANY_PIXELS]


def test_an_oversized_file_is_413_and_kept_nowhere(api, trade, settings, attachment_storage):
    settings.ATTACHMENT_MAX_BYTES = 50_000
    big = image(size=(400, 400))
    noisy = Image.frombytes("RGB", (200, 200), random.Random(7).randbytes(200 * 200 * 3))  # no compression helps
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 50_000 and len(big) < 50_000
    r = upload(api, trade.pk, out.getvalue())
    assert (r.status_code, r.json()) == (413, {"error": "Request body too large."})
    assert not Attachment.objects.exists() and not list(attachment_storage.iterdir())
    assert upload(api, trade.pk, big).status_code == 201


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (image()[:60], files.UNREADABLE),  # a PNG cut short
        (b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", files.UNREADABLE),  # a PNG signature on a script
        (b"RIFF\x00\x00\x00\x00WEBPVP8 garbage", files.UNREADABLE),
    ],
)
def test_an_image_that_does_not_decode_is_refused(api, trade, data, message):
    assert refused(upload(api, trade.pk, data)) == [message]


def test_a_polyglot_gif_that_is_also_script_is_only_ever_served_as_an_inert_image(api, trade):
    polyglot = image("GIF") + b"\n<html><script>alert(document.cookie)</script></html>\n//*/=alert(1)//"
    r = upload(api, trade.pk, polyglot, "funny.html", "text/html")
    assert r.status_code == 201, r.content
    assert r.json()["content_type"] == "image/gif"
    download = api.get(r.json()["url"])
    assert download["Content-Type"] == "image/gif"
    assert {name: download[name] for name in SAFE_HEADERS} == SAFE_HEADERS
    assert 'filename="funny.html"' in download["Content-Disposition"]


def test_a_pdf_with_javascript_is_kept_but_only_ever_downloaded(api, trade):
    r = upload(api, trade.pk, PDF_WITH_JAVASCRIPT, "statement.pdf", "application/pdf")
    assert r.status_code == 201, r.content
    assert r.json()["content_type"] == "application/pdf"
    assert not Attachment.objects.get().thumbnail
    download = api.get(r.json()["url"], HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="statement.pdf"'
    assert {name: download[name] for name in SAFE_HEADERS} == SAFE_HEADERS


def test_a_filename_keeps_only_its_last_part_and_printable_characters(api, trade):
    r = upload(api, trade.pk, image(), "../../etc/evil\x07name.png")
    assert r.json()["filename"] == "evilname.png"
    stored = Attachment.objects.get().file
    assert stored.startswith(f"attachments/{trade.user_id}/") and "evil" not in stored


def test_another_traders_attachment_is_not_found(api, trade):
    other = make_user()
    their_trade = make_trade(other)
    theirs = upload(api_client(other), their_trade.pk, image()).json()
    for path in (f"/api/v1/trades/{their_trade.pk}/attachments/{theirs['id']}",
                 f"/api/v1/trades/{their_trade.pk}/attachments/{theirs['id']}/file",
                 f"/api/v1/trades/{trade.pk}/attachments/{theirs['id']}",
                 f"/api/v1/trades/{trade.pk}/attachments/{theirs['id']}/file",
                 f"/api/v1/trades/{their_trade.pk}/attachments"):  # fmt: skip
        r = api.get(path)
        assert (r.status_code, r.json()) == (404, {"error": "Not found."}), path
    assert api.delete(f"/api/v1/trades/{their_trade.pk}/attachments/{theirs['id']}").status_code == 404
    assert upload(api, their_trade.pk, image()).status_code == 404
    assert Attachment.objects.filter(user=other).count() == 1


def test_an_attachment_is_reached_only_through_its_own_trade(api, user, trade):
    mine = upload(api, trade.pk, image()).json()
    other_trade = make_trade(user)
    assert api.get(f"/api/v1/trades/{other_trade.pk}/attachments/{mine['id']}").status_code == 404


def test_reading_needs_trades_read_and_attaching_trades_write(user, trade):
    reader = api_client(user)
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(user, scopes=[TRADES_READ])[1]}")
    r = upload(reader, trade.pk, image())
    assert (r.status_code, r.json()) == (403, {"error": "Insufficient scope: trades:write required"})
    assert reader.get(f"/api/v1/trades/{trade.pk}/attachments").status_code == 200


def test_a_form_without_one_file_or_with_other_fields_is_422(api, trade):
    r = api.post(f"/api/v1/trades/{trade.pk}/attachments", {}, format="multipart")
    assert r.json()["details"] == {"file": ["The file field is required: send the file as a multipart `file`."]}
    r = api.post(f"/api/v1/trades/{trade.pk}/attachments", {"file": SimpleUploadedFile("a.png", image()),
                                                            "caption": "x"}, format="multipart")  # fmt: skip
    assert r.json()["details"] == {"caption": ["Unknown field."]}
    r = api.post(f"/api/v1/trades/{trade.pk}/attachments", {"file": "x"}, format="json")
    assert r.status_code == 415, r.content


def test_a_retry_with_the_same_idempotency_key_attaches_once(api, trade):
    first = upload(api, trade.pk, image(), HTTP_IDEMPOTENCY_KEY="shot-1")
    again = upload(api, trade.pk, image(), HTTP_IDEMPOTENCY_KEY="shot-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json() and Attachment.objects.count() == 1
    other = upload(api, trade.pk, image("GIF"), HTTP_IDEMPOTENCY_KEY="shot-1")
    assert other.status_code == 422, other.content


def test_a_trade_keeps_a_bounded_number_of_attachments(api, trade, settings):
    settings.ATTACHMENTS_PER_TRADE = 3
    for _ in range(3):
        assert upload(api, trade.pk, image()).status_code == 201
    assert refused(upload(api, trade.pk, image())) == ["A trade keeps at most 3 attachments: delete one first."]


def test_a_deleted_trades_files_are_swept_by_purge_and_a_fresh_upload_is_not(api, trade, attachment_storage):
    upload(api, trade.pk, image())
    folder = attachment_storage / "attachments" / str(trade.user_id)
    assert api.delete(f"/api/v1/trades/{trade.pk}").status_code == 204
    assert not Attachment.objects.exists() and len(list(folder.iterdir())) == 2
    assert attachments_sweep() == 0  # younger than the grace: it could be an upload under way
    assert attachments_sweep(now=timezone.now() + timedelta(hours=2)) == 2
    assert not list(folder.iterdir())


def test_purge_sweeps_the_files_no_attachment_names(api, trade, attachment_storage):
    upload(api, trade.pk, image())
    kept = Attachment.objects.get()
    stray = attachment_storage / "attachments" / str(trade.user_id) / "left-by-a-killed-worker.png"
    stray.write_bytes(image())
    os.utime(stray, (0, 0))  # long ago
    out = io.StringIO()
    call_command("purge", stdout=out)
    assert "1 files of deleted attachments" in out.getvalue()
    assert not stray.exists() and storages["attachments"].exists(kept.file)


def test_the_storage_is_a_setting(api, trade, settings):
    settings.STORAGES = {**settings.STORAGES, "attachments": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    body = upload(api, trade.pk, image()).json()
    assert storages["attachments"].exists(Attachment.objects.get().file)
    assert b"".join(api.get(body["url"]).streaming_content) == image()
