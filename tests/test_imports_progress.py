"""Live progress of a running import, its worker's heartbeat, and `importtrades`."""

import json
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from imports import abandoned, apply, progress
from imports.apply import import_run
from imports.models import Execution, Import
from imports.services import import_create, undetectable
from journal.models import Trade
from tests.factories import make_account, make_user

DATA = b"time,instrument,side,quantity,price\n" + b"".join(
    b"2025-01-06T14:%02d:00Z,AAPL,%s,1,%d\n" % (i, b"buy" if i % 2 == 0 else b"sell", 100 + i) for i in range(40)
)


@pytest.mark.django_db
def test_the_worker_reports_each_stage_and_the_rows_it_has_read():
    user = make_user()
    seen = []
    imp = import_create(user=user, data=DATA, enqueue=False)
    import_run(import_id=imp.pk, listener=lambda p: seen.append((p.stage, p.rows_processed, p.rows_total)))
    stages = [stage for stage, _, _ in seen]
    assert sorted(set(stages), key=stages.index) == ["reading", "matching", "building", "writing"]
    assert seen[-1][1:] == (40, 40)


@pytest.mark.django_db
def test_a_processing_import_shows_what_its_worker_last_reported(api, user):
    imp = import_create(user=user, data=DATA, enqueue=False)
    Import.objects.filter(pk=imp.pk).update(status="processing", started_at=timezone.now())
    imp.refresh_from_db()
    tracker = progress.Progress(imp)
    tracker.update(stage=progress.BUILDING, rows_processed=40, rows_total=40)
    tracker._write()  # what the heartbeat thread writes
    body = api.get(f"/api/v1/imports/{imp.pk}").json()
    assert (body["status"], body["stage"], body["rows_processed"], body["rows_total"]) == (
        "processing",
        "building",
        40,
        40,
    )
    listed = api.get("/api/v1/imports").json()["data"][0]
    assert (listed["stage"], listed["rows_processed"]) == ("building", 40)


@pytest.mark.django_db
def test_an_import_whose_last_worker_stopped_beating_is_failed_when_read_and_by_purge(api, user, settings):
    settings.IMPORT_HEARTBEAT_TIMEOUT = 30
    long_ago = timezone.now() - timedelta(minutes=5)
    read_one, purged_one = (import_create(user=user, data=DATA, enqueue=False) for _ in range(2))
    Import.objects.filter(pk__in=[read_one.pk, purged_one.pk]).update(
        status="processing", started_at=long_ago, attempts=abandoned.MAX_ATTEMPTS
    )
    body = api.get(f"/api/v1/imports/{read_one.pk}").json()
    assert (body["status"], body["errors"]) == ("failed", [{"row": None, "message": abandoned.ABANDONED}])
    out = StringIO()
    call_command("purge", stdout=out)
    assert "0 abandoned imports queued again, 1 abandoned imports marked failed" in out.getvalue()
    assert Import.objects.get(pk=purged_one.pk).status == "failed"
    # A recent start, or a recent heartbeat, is a worker at work.
    fresh = import_create(user=user, data=DATA, enqueue=False)
    Import.objects.filter(pk=fresh.pk).update(status="processing", started_at=timezone.now())
    assert api.get(f"/api/v1/imports/{fresh.pk}").json()["status"] == "processing"


@pytest.mark.django_db
def test_an_import_whose_worker_stopped_beating_goes_to_another_worker_which_applies_it(
    api, user, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_HEARTBEAT_TIMEOUT = 30
    imp = import_create(user=user, data=DATA, enqueue=False)
    Import.objects.filter(pk=imp.pk).update(status="processing", started_at=timezone.now() - timedelta(minutes=5),
                                            attempts=1)  # fmt: skip
    with mock.patch("core.outbox.import_string") as task, django_capture_on_commit_callbacks(execute=True):
        body = api.get(f"/api/v1/imports/{imp.pk}").json()
    assert (body["status"], body["errors"]) == ("queued", []), body
    task.assert_called_once_with("imports.tasks.apply_import")
    task.return_value.enqueue.assert_called_once_with(imp.pk)
    done = import_run(import_id=imp.pk)
    assert (done.status, done.attempts, done.trades_created) == (
        "succeeded",
        2,
        Trade.objects.filter(user=user).count(),
    )
    assert done.trades_created > 0
    # Purge does the same for an import nobody reads.
    second = import_create(user=make_user(), data=DATA, enqueue=False)
    Import.objects.filter(pk=second.pk).update(status="processing", started_at=timezone.now() - timedelta(minutes=5))
    out = StringIO()
    with mock.patch("core.outbox.import_string") as task, django_capture_on_commit_callbacks(execute=True):
        call_command("purge", stdout=out)
    assert "1 abandoned imports queued again, 0 abandoned imports marked failed" in out.getvalue()
    task.return_value.enqueue.assert_called_once_with(second.pk)


@pytest.mark.django_db
def test_a_run_the_import_was_taken_from_applies_nothing_when_it_finishes(user):
    imp = import_create(user=user, data=DATA, enqueue=False)
    original_finish = apply._finish

    def taken_meanwhile(imp, report, *, status):
        # Another worker claimed it while this run was still writing (its heartbeat looked stale).
        Import.objects.filter(pk=imp.pk).update(started_at=timezone.now() + timedelta(seconds=1))
        original_finish(imp, report, status=status)

    with mock.patch.object(apply, "_finish", taken_meanwhile):
        import_run(import_id=imp.pk)
    assert not Trade.objects.filter(user=user).exists()
    assert Import.objects.get(pk=imp.pk).status == "processing"  # the other run's to finish


@pytest.mark.django_db(transaction=True)  # SET LOCAL lasts to the end of the outermost transaction
def test_an_import_runs_without_the_request_statement_limit_even_where_the_role_sets_one(user, settings):
    # Through PgBouncer the request limit is the role's setting, in force on every connection.
    if connection.vendor != "postgresql":
        pytest.skip("statement limits are PostgreSQL's")
    settings.DB_STATEMENT_TIMEOUT = 0  # a command's, as manage.py sets it
    imp = import_create(user=user, data=DATA, enqueue=False)
    seen = []
    original_apply = apply.apply

    def apply_and_look(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])
        return original_apply(*args, **kwargs)

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 5000")
    try:
        with mock.patch.object(apply, "apply", apply_and_look):
            assert import_run(import_id=imp.pk).status == "succeeded"
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            after = cursor.fetchone()[0]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    assert (seen, after) == (["0"], "5s")


@pytest.mark.django_db
def test_a_worker_whose_import_was_failed_meanwhile_applies_nothing(monkeypatch):
    # The reader that failed it (imports/progress.py) wrote from another connection; the worker's
    # last statement, guarded on the status, finds the import no longer processing.
    user = make_user()
    imp = import_create(user=user, data=DATA, enqueue=False)

    def superseded(*args, **kwargs):
        raise apply.Superseded

    monkeypatch.setattr(apply, "_finish", superseded)
    import_run(import_id=imp.pk)
    assert not Trade.objects.filter(user=user).exists()
    assert not Execution.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_importtrades_prints_the_apis_report_and_fails_like_it(tmp_path):
    user = make_user()
    path = tmp_path / "fills.csv"
    path.write_bytes(DATA)
    out, err = StringIO(), StringIO()
    call_command("importtrades", str(path), "--user", user.username, "--tz", "UTC", stdout=out, stderr=err)
    report = json.loads(out.getvalue())
    assert (report["status"], report["filename"], report["executions_created"], report["trades_created"]) == (
        "succeeded", "fills.csv", 40, 20,
    )  # fmt: skip
    dry = StringIO()
    call_command("importtrades", str(path), "--user", user.username, "--dry-run", stdout=dry, stderr=StringIO())
    assert json.loads(dry.getvalue())["duplicates"] == 40
    path.write_bytes(b"not, a, broker, file\n")
    with pytest.raises(CommandError) as refused:
        call_command("importtrades", str(path), "--user", user.username, stdout=StringIO(), stderr=StringIO())
    # In the command's words, not the API's: its option, and no JSON.
    assert str(refused.value) == "--format: " + undetectable("--format")
    # Another trader's account: theirs is not this one's to fill.
    theirs = make_account(make_user())
    with pytest.raises(CommandError) as refused:
        call_command("importtrades", str(path), "--user", user.username, "--account", str(theirs.pk), "--tz", "Mars/Base",
                     stdout=StringIO(), stderr=StringIO())  # fmt: skip
    assert str(refused.value).splitlines()[0].startswith("--account: ")
    assert "{" not in str(refused.value) and "[" not in str(refused.value)
    with pytest.raises(CommandError, match="can't be read"):
        call_command("importtrades", str(path), "--user", user.username, "--format", "generic",
                     stdout=StringIO(), stderr=StringIO())  # fmt: skip
    with pytest.raises(CommandError, match="No user"):
        call_command("importtrades", str(path), "--user", "nobody", stdout=StringIO(), stderr=StringIO())
