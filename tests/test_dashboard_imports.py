"""The import pages: an upload through the API's service and checks, its progress and report as the
API shows them, undo behind a confirmation, and others' imports out of reach."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dashboard import imports
from imports import kept, progress
from imports.apply import import_run
from imports.models import Import
from imports.services import EMPTY, undetectable
from imports.undo import undo_run
from journal.models import Account, Trade
from tests.factories import api_client, make_user, read

SAMPLE = Path(__file__).parent / "data" / "imports" / "tradovate_positions" / "position_history_older_layout.csv"
TASKS_NOW = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
REPORT_FIELDS = ("rows_processed", "rows_total", "executions_created", "duplicates", "trades_created", "trades_updated")


def upload(web, data: bytes | None = None, name: str = SAMPLE.name, **fields):
    form = {"format": "auto", "account": "", "tz": "America/New_York", **fields}
    if data is not None or "file" not in fields:
        form["file"] = SimpleUploadedFile(name, SAMPLE.read_bytes() if data is None else data, "text/csv")
    return web.post("/dashboard/imports/", form)


def field_errors(page: str, field: str) -> list[str]:
    """The messages shown next to a field (Django's `<ul class="errorlist" id="id_<field>_error">`)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    return [unescape(m) for m in re.findall(r"<li>(.*?)</li>", match.group(1))] if match else []


def figure(page: str, name: str) -> int:
    return int(re.search(rf'<dd data-field="{name}">(\d+)</dd>', page).group(1))


def rows(page: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table class="report" id="{table}">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_import_pages_require_login(client, user):
    imp = Import.objects.create(user=user, format="generic")
    for path in ("/dashboard/imports/", f"/dashboard/imports/{imp.pk}/", f"/dashboard/imports/{imp.pk}/progress.json",
                 f"/dashboard/imports/{imp.pk}/undo/", "/dashboard/leaderboard/"):  # fmt: skip
        r = client.get(path)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), path


def test_an_upload_is_queued_on_the_task_and_its_report_is_the_apis(
    web, user, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = TASKS_NOW  # the task runs as the upload's transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        r = upload(web)
    imp = Import.objects.get(user=user)
    assert r.status_code == 302 and r["Location"] == f"/dashboard/imports/{imp.pk}/", r.content
    imp.refresh_from_db()
    assert (imp.status, imp.format, imp.tz, imp.filename) == (
        "succeeded", "tradovate_positions", "America/New_York", SAMPLE.name
    )  # fmt: skip

    page = web.get(r["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "is queued" in html  # the message after the upload
    api = read(api_client(user), f"/api/v1/imports/{imp.pk}")
    assert {name: figure(html, name) for name in REPORT_FIELDS} == {name: api[name] for name in REPORT_FIELDS}
    assert api["trades_created"] == 4 and api["executions_created"] == 8
    assert rows(html, "import-skipped") == [[s["reason"], f"1 row{s['row']}"] for s in api["skipped"]]
    assert rows(html, "import-errors") == [[str(e["row"]), e["message"]] for e in api["errors"]]
    assert len(api["skipped"]) == len(api["errors"]) == 1
    # Links to each trade it made.
    made = Trade.objects.filter(user=user).values_list("pk", flat=True)
    assert sorted(int(pk) for pk in re.findall(r'href="/dashboard/trades/(\d+)/"', html)) == sorted(made)
    assert 'http-equiv="refresh"' not in html and "import-progress.js" not in html  # finished: nothing polls

    history = web.get("/dashboard/imports/").content.decode()
    assert f'href="/dashboard/imports/{imp.pk}/"' in history and "Succeeded" in history


def test_a_second_upload_of_the_same_file_reports_only_duplicates(web, user):
    for _ in range(2):
        upload(web)
        import_run(import_id=Import.objects.owned_by(user).newest_first().first().pk)
    again = Import.objects.owned_by(user).newest_first().first()
    html = web.get(f"/dashboard/imports/{again.pk}/").content.decode()
    assert (figure(html, "executions_created"), figure(html, "duplicates"), figure(html, "trades_created")) == (0, 8, 0)
    assert Trade.objects.filter(user=user).count() == 4


def test_while_queued_the_page_refreshes_without_javascript_and_shows_a_progress_bar(web, user):
    upload(web)
    imp = Import.objects.get(user=user)
    html = web.get(f"/dashboard/imports/{imp.pk}/").content.decode()
    assert '<noscript><meta http-equiv="refresh"' in html
    assert re.search(r'<label for="import-progress"[^>]*>\s*Waiting for a worker', html)
    assert f'<progress id="import-progress" data-url="/dashboard/imports/{imp.pk}/progress.json"' in html
    assert "import-progress.js" in html
    assert 'id="import-report"' not in html


def test_progress_json_holds_the_apis_progress_figures(web, user):
    upload(web)
    imp = Import.objects.get(user=user)
    api = api_client(user)
    fields = ("id", "status", "stage", "rows_processed", "rows_total")
    queued = web.get(f"/dashboard/imports/{imp.pk}/progress.json").json()
    assert {name: queued[name] for name in fields} == {
        name: read(api, f"/api/v1/imports/{imp.pk}")[name] for name in fields
    }
    assert queued["status"] == "queued"
    # Being applied: the worker's last heartbeat, as the API merges it.
    Import.objects.filter(pk=imp.pk).update(status="processing", started_at=timezone.now(), rows_total=0)
    running = web.get(f"/dashboard/imports/{imp.pk}/progress.json").json()
    assert {name: running[name] for name in fields} == {
        name: read(api, f"/api/v1/imports/{imp.pk}")[name] for name in fields
    }
    assert (running["status"], running["stage"]) == ("processing", "reading")
    html = web.get(f"/dashboard/imports/{imp.pk}/").content.decode()
    assert "import-undo" not in html and "/undo/" not in html  # no undo while a worker applies it
    Import.objects.filter(pk=imp.pk).update(status="queued", started_at=None)
    import_run(import_id=imp.pk)
    done = web.get(f"/dashboard/imports/{imp.pk}/progress.json").json()
    assert done == {name: read(api, f"/api/v1/imports/{imp.pk}")[name] for name in fields}
    assert (done["status"], done["rows_processed"], done["rows_total"]) == ("succeeded", 6, 6)


def test_skipped_rows_are_grouped_by_reason_with_their_rows_collapsed(web, user):
    sample = SAMPLE.parent.parent / "thinkorswim" / "td_ameritrade_statement.csv"
    upload(web, data=sample.read_bytes(), name=sample.name)
    imp = Import.objects.get(user=user)
    import_run(import_id=imp.pk)
    skipped = read(api_client(user), f"/api/v1/imports/{imp.pk}")["skipped"]
    html = web.get(f"/dashboard/imports/{imp.pk}/").content.decode()
    by_reason = {}
    for skip in skipped:
        by_reason.setdefault(skip["reason"], []).append(skip["row"])
    assert max(len(rows) for rows in by_reason.values()) >= 10
    most_first = sorted(by_reason.items(), key=lambda item: -len(item[1]))
    assert rows(html, "import-skipped") == [
        [reason, f"{len(numbers)} row{'s' if len(numbers) > 1 else ''}{imports.row_ranges(numbers)}"]
        for reason, numbers in most_first
    ]
    assert html.count("<details><summary>") == len(by_reason)  # each group's rows collapsed


def test_row_numbers_read_as_ranges():
    assert imports.row_ranges([9, 2, 3, 4, 5, 12, 13, 13]) == "2\u20135, 9, 12\u201313"
    assert imports.skipped_by_reason(
        [
            {"row": 2, "reason": "deposit"},
            {"row": 3, "reason": "cancelled order"},
            {"row": 4, "reason": "cancelled order"},
        ]
    ) == [{"reason": "cancelled order", "count": 2, "rows": "3\u20134"}, {"reason": "deposit", "count": 1, "rows": "2"}]


def heading_label_and_cancel(html: str) -> tuple[str, str, bool]:
    heading = re.search(r'<h2 id="import-status">(.*?)</h2>', html).group(1)
    label = re.search(r'<label for="import-progress" id="import-progress-label">(.*?)</label>', html).group(1)
    return heading, unescape(label), "Cancel import" in html


def test_one_status_drives_the_heading_the_bar_and_the_cancel_card(web, user):
    upload(web)
    imp = Import.objects.get(user=user)
    page, poll = f"/dashboard/imports/{imp.pk}/", f"/dashboard/imports/{imp.pk}/progress.json"
    assert heading_label_and_cancel(web.get(page).content.decode()) == ("Queued", "Waiting for a worker…", True)
    assert {k: web.get(poll).json()[k] for k in ("heading", "label", "cancellable")} == {
        "heading": "Queued", "label": "Waiting for a worker…", "cancellable": True
    }  # fmt: skip
    # A worker took it and is writing the last rows: no page or poll says Queued, or offers to cancel.
    Import.objects.filter(pk=imp.pk).update(status="processing", started_at=timezone.now())
    running = progress.Progress(Import.objects.get(pk=imp.pk))
    running.update(stage=progress.WRITING, rows_processed=80_000, rows_total=80_000)
    running._write()
    writing = ("Processing", "Writing: 80,000 of 80,000 rows", False)
    assert heading_label_and_cancel(web.get(page).content.decode()) == writing
    answer = web.get(poll).json()
    assert (answer["heading"], answer["label"], answer["cancellable"]) == writing
    assert (answer["status"], answer["rows_processed"]) == ("processing", 80_000)


def test_a_file_over_the_limit_gets_the_apis_message_next_to_the_file(web, user, settings):
    settings.IMPORT_MAX_BYTES = 100
    r = upload(web)
    assert r.status_code == 400
    api = api_client(user).post("/api/v1/imports", {"file": SimpleUploadedFile("f.csv", SAMPLE.read_bytes())},
                                  format="multipart")  # fmt: skip
    assert api.status_code == 413
    assert field_errors(r.content.decode(), "file") == [api.json()["error"]] == ["Request body too large."]
    assert 'aria-describedby="id_file_helptext id_file_error"' in r.content.decode()
    assert "up to 100\xa0bytes" in r.content.decode()  # the limit, said beside the field
    assert not Import.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "query"),
    [
        ({"format": "excel"}, "format", "?format=excel"),
        ({"tz": "Mars/Olympus"}, "tz", "?tz=Mars/Olympus"),
        ({"account": "x"}, "account", "?account=x"),
    ],
)
def test_bad_parameters_get_the_apis_messages_next_to_their_fields(web, user, fields, field, query):
    r = upload(web, **fields)
    assert r.status_code == 400
    api = api_client(user).generic("POST", f"/api/v1/imports{query}", SAMPLE.read_bytes(), content_type="text/csv")
    assert api.status_code == 422
    assert field_errors(r.content.decode(), field) == api.json()["details"][field]
    assert not Import.objects.exists()


def test_another_traders_account_is_refused_and_ones_own_takes_every_fill(web, user):
    theirs = Account.objects.create(user=make_user(), name="Theirs")
    r = upload(web, account=str(theirs.pk))
    assert field_errors(r.content.decode(), "account") == ["No such account among yours."]
    assert f'value="{theirs.pk}"' not in web.get("/dashboard/imports/").content.decode()
    mine = Account.objects.create(user=user, name="Mine")
    assert f'<option value="{mine.pk}">Mine (USD)</option>' in web.get("/dashboard/imports/").content.decode()
    r = upload(web, account=str(mine.pk))
    import_run(import_id=Import.objects.get(user=user).pk)
    assert set(Trade.objects.filter(user=user).values_list("account", flat=True)) == {mine.pk}


def test_an_unrecognised_or_empty_file_gets_the_services_message(web, user):
    r = upload(web, data=b"just some words\nthat are not a broker file\n")
    assert field_errors(r.content.decode(), "format") == [undetectable("the Format choice above")]
    assert "parameter" not in r.content.decode()
    r = upload(web, data=b"", name="empty.csv")
    assert field_errors(r.content.decode(), "file") == [EMPTY]
    api = api_client(user).post("/api/v1/imports", {"file": SimpleUploadedFile("e.csv", b"")}, format="multipart")
    assert api.json()["details"]["file"] == [EMPTY]
    r = upload(web, file="")
    assert field_errors(r.content.decode(), "file") == ["This field is required."]
    assert not Import.objects.exists()


def test_a_dry_run_reports_and_stores_nothing(web, user):
    upload(web, dry_run="on")
    imp = Import.objects.get(user=user)
    assert imp.dry_run
    import_run(import_id=imp.pk)
    html = web.get(f"/dashboard/imports/{imp.pk}/").content.decode()
    assert figure(html, "trades_created") == 4 and "dry run" in html
    assert not Trade.objects.filter(user=user).exists()


def test_undo_asks_first_then_removes_what_the_import_brought_as_the_api_sees(web, user):
    upload(web)
    imp = Import.objects.get(user=user)
    import_run(import_id=imp.pk)
    api = api_client(user)
    assert read(api, "/api/v1/trades")["total"] == 4
    html = web.get(f"/dashboard/imports/{imp.pk}/").content.decode()
    assert f'href="/dashboard/imports/{imp.pk}/undo/"' in html

    confirm = web.get(f"/dashboard/imports/{imp.pk}/undo/")
    assert confirm.status_code == 200
    assert "Undo this import?" in confirm.content.decode() and 'method="post"' in confirm.content.decode()
    assert "import the file again and they come back" in confirm.content.decode()
    assert "screenshots and PDFs on its trades are kept" in confirm.content.decode()
    assert f"within {kept.RETENTION.days} days is deleted" in confirm.content.decode()
    assert read(api, "/api/v1/trades")["total"] == 4  # asking changes nothing

    r = web.post(f"/dashboard/imports/{imp.pk}/undo/", follow=True)
    assert r.redirect_chain == [(f"/dashboard/imports/{imp.pk}/", 302)]
    html = r.content.decode()
    assert "is being undone; this page follows it" in html and '<h2 id="import-status">Undoing</h2>' in html
    assert "Waiting for a worker…" in html and "import-undo" not in html
    assert read(api, "/api/v1/trades")["total"] == 4  # nothing changes until the undo is done
    assert web.get(f"/dashboard/imports/{imp.pk}/undo/").status_code == 302  # no second confirmation

    undo_run(import_id=imp.pk)
    assert read(api, "/api/v1/trades")["total"] == 0
    assert read(api, f"/api/v1/imports/{imp.pk}")["status"] == "undone"
    html = web.get(f"/dashboard/imports/{imp.pk}/").content.decode()
    assert '<h2 id="report-title" class="status status-undone">Undone</h2>' in html
    assert figure(html, "executions_created") == 8 and "Import the file again to bring them back." in html


def test_a_queued_import_is_cancelled_and_one_being_applied_is_refused_with_the_apis_message(web, user):
    upload(web)
    imp = Import.objects.get(user=user)
    Import.objects.filter(pk=imp.pk).update(status="processing", started_at=timezone.now())
    r = web.post(f"/dashboard/imports/{imp.pk}/undo/", follow=True)
    assert r.redirect_chain == [(f"/dashboard/imports/{imp.pk}/", 302)]
    assert "This import is being applied; it can be undone once it has finished." in r.content.decode()
    Import.objects.filter(pk=imp.pk).update(status="queued", started_at=None)
    r = web.post(f"/dashboard/imports/{imp.pk}/undo/", follow=True)
    assert "is cancelled; nothing was applied" in r.content.decode()
    assert import_run(import_id=imp.pk) is None and not Import.objects.exists()


def test_another_traders_import_is_not_found(web, user):
    other = make_user()
    imp = Import.objects.create(user=other, format="generic", filename="theirs.csv")
    for path in (f"/dashboard/imports/{imp.pk}/", f"/dashboard/imports/{imp.pk}/progress.json",
                 f"/dashboard/imports/{imp.pk}/undo/"):  # fmt: skip
        assert web.get(path).status_code == 404, path
    assert web.post(f"/dashboard/imports/{imp.pk}/undo/").status_code == 404
    assert Import.objects.filter(pk=imp.pk).exists()
    assert "theirs.csv" not in web.get("/dashboard/imports/").content.decode()


def test_the_history_is_newest_first_in_pages(web, user):
    made = [Import.objects.create(user=user, format="generic", filename=f"file-{n}.csv") for n in range(30)]
    first = web.get("/dashboard/imports/").content.decode()
    names = re.findall(r">(file-\d+\.csv)</a>", first)
    assert names == [imp.filename for imp in made[::-1][:25]]
    assert "Page 1 of 2" in first
    second = web.get("/dashboard/imports/?page=2").content.decode()
    assert re.findall(r">(file-\d+\.csv)</a>", second) == [imp.filename for imp in made[::-1][25:]]


def test_a_failed_import_shows_the_workers_message_for_the_whole_file(web, user):
    upload(web, format="ibkr")  # named, not detected: the worker finds it is not that format
    imp = Import.objects.get(user=user)
    import_run(import_id=imp.pk)
    html = web.get(f"/dashboard/imports/{imp.pk}/").content.decode()
    api = read(api_client(user), f"/api/v1/imports/{imp.pk}")
    assert api["status"] == "failed"
    assert '<h2 id="report-title" class="status status-failed">Failed</h2>' in html
    assert rows(html, "import-errors") == [["file", api["errors"][0]["message"]]]
    assert "This import stored nothing; remove it from your imports." in html
    r = web.post(f"/dashboard/imports/{imp.pk}/undo/", follow=True)
    assert "is removed from your imports; it had stored nothing" in r.content.decode()
