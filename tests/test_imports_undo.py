"""Undo in the background: DELETE /api/v1/imports/{id} answers at once with the import `undoing`, a
worker undoes it all or nothing with an import's progress, and an undo whose worker was lost goes
to another worker."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import OutboxEntry
from imports import abandoned, progress, undo
from imports.apply import import_run
from imports.models import Execution, Import
from imports.services import import_create, import_undo
from imports.undo import undo_run
from journal.models import Account, Trade
from tests.factories import make_user

DATA = b"time,instrument,side,quantity,price,exec_id\n" + b"".join(
    b"2025-01-06T14:%02d:00Z,AAPL,%s,1,%d,E%d\n" % (i, b"buy" if i % 2 == 0 else b"sell", 100 + i, i) for i in range(40)
)


def imported(user) -> Import:
    imp = import_run(import_id=import_create(user=user, data=DATA, enqueue=False).pk)
    assert (imp.status, imp.trades_created) == ("succeeded", 20), imp.errors
    return imp


def journal(user) -> tuple[list, int, int]:
    trades = sorted(Trade.objects.filter(user=user).values_list("id", "instrument", "quantity", "pnl"))
    return trades, Execution.objects.filter(user=user).count(), Account.objects.filter(user=user).count()


@pytest.mark.django_db
def test_the_worker_reports_rebuilding_then_each_batch_of_executions_removed(monkeypatch):
    user = make_user()
    imp = imported(user)
    monkeypatch.setattr(undo, "REMOVE_BATCH", 15)
    seen = []
    import_undo(imp=imp)
    done = undo_run(import_id=imp.pk, listener=lambda p: seen.append((p.stage, p.rows_processed, p.rows_total)))
    assert done.status == "undone"
    assert seen == [("rebuilding", 0, 40), ("removing", 0, 40), ("removing", 15, 40), ("removing", 30, 40),
                    ("removing", 40, 40)]  # fmt: skip
    assert journal(user) == ([], 0, 0)


@pytest.mark.django_db
def test_an_undoing_import_shows_what_its_worker_last_reported(api, user):
    imp = imported(user)
    import_undo(imp=imp)
    Import.objects.filter(pk=imp.pk).update(undo_started_at=timezone.now())
    imp.refresh_from_db()
    with progress.Progress(imp) as tracker:
        tracker.update(stage=progress.REMOVING, rows_processed=5000, rows_total=40)
        tracker._write()
        body = api.get(f"/api/v1/imports/{imp.pk}").json()
    assert (body["status"], body["stage"], body["rows_processed"], body["rows_total"]) == ("undoing", "removing",
                                                                                          5000, 40)  # fmt: skip


@pytest.mark.django_db
def test_an_undo_that_fails_half_way_changes_nothing_and_leaves_the_import_to_undo_again(monkeypatch):
    user = make_user()
    imp = imported(user)
    before = journal(user)

    def broken(imp):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(undo, "remove_unused", broken)  # after the trades and executions went
    import_undo(imp=imp)
    assert undo_run(import_id=imp.pk).status == "succeeded"
    assert journal(user) == before
    monkeypatch.undo()
    import_undo(imp=imp)
    assert undo_run(import_id=imp.pk).status == "undone"
    assert journal(user) == ([], 0, 0)


@pytest.mark.django_db
def test_an_undo_whose_worker_stopped_beating_goes_to_another_worker(
    api, user, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_HEARTBEAT_TIMEOUT = 30
    imp = imported(user)
    before = journal(user)
    assert api.delete(f"/api/v1/imports/{imp.pk}").status_code == 202
    OutboxEntry.objects.all().delete()
    # A worker took it and was killed: its transaction rolled back, its heartbeat stopped.
    Import.objects.filter(pk=imp.pk).update(undo_started_at=timezone.now() - timedelta(minutes=5), undo_attempts=1)
    with mock.patch("core.outbox.import_string") as task, django_capture_on_commit_callbacks(execute=True):
        body = api.get(f"/api/v1/imports/{imp.pk}").json()
    assert (body["status"], body["stage"]) == ("undoing", None), body
    task.assert_called_once_with("imports.tasks.undo_import")
    task.return_value.enqueue.assert_called_once_with(imp.pk)
    assert journal(user) == before
    assert undo_run(import_id=imp.pk).status == "undone"
    assert journal(user) == ([], 0, 0)


@pytest.mark.django_db
def test_after_three_lost_workers_the_import_is_left_as_it_was(user, settings):
    settings.IMPORT_HEARTBEAT_TIMEOUT = 30
    imp = imported(user)
    before = journal(user)
    import_undo(imp=imp)
    Import.objects.filter(pk=imp.pk).update(undo_started_at=timezone.now() - timedelta(minutes=5),
                                            undo_attempts=abandoned.MAX_ATTEMPTS)  # fmt: skip
    out = StringIO()
    call_command("purge", stdout=out)
    assert "0 abandoned imports queued again, 1 abandoned imports marked failed" in out.getvalue()
    assert Import.objects.get(pk=imp.pk).status == "succeeded"
    assert journal(user) == before


@pytest.mark.django_db
def test_a_worker_the_undo_was_taken_from_rolls_back(user):
    imp = imported(user)
    before = journal(user)
    import_undo(imp=imp)
    original = undo.undo

    def taken_meanwhile(imp, tracker):
        original(imp, tracker)
        # Given to another worker meanwhile (by a reader, on its own connection): another run's start.
        imp.undo_started_at -= timedelta(seconds=1)

    with mock.patch.object(undo, "undo", taken_meanwhile):
        assert undo_run(import_id=imp.pk).status == "undoing"
    assert journal(user) == before


NO_EXEC_IDS = b"time,instrument,side,quantity,price\n" + b"".join(
    b"2025-01-07T15:%02d:00Z,MSFT,%s,3,%d.25\n" % (i, b"buy" if i % 2 == 0 else b"sell", 400 + i) for i in range(6)
)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [DATA, NO_EXEC_IDS], ids=["exec ids", "fills without ids"])
def test_the_journaling_on_an_undone_imports_trades_comes_back_with_a_reimport_of_the_file(api, user, data):
    def upload_and_apply() -> dict:
        r = api.generic("POST", "/api/v1/imports", data, content_type="text/csv")
        assert r.status_code == 202, r.content
        import_run(import_id=r.json()["id"])
        return api.get(f"/api/v1/imports/{r.json()['id']}").json()

    def journaling() -> list[tuple]:
        listed = api.get("/api/v1/trades?per_page=100&sort=entry_time").json()["data"]
        return sorted((t["entry_time"], t["notes"], t["setup_type"], t["tags"], t["initial_risk"]) for t in listed)

    first = upload_and_apply()
    ids = sorted(Trade.objects.filter(user=user).values_list("id", flat=True))
    for n, trade_id in enumerate(ids[:3]):
        body = {"notes": f"Chased it, #{n}", "setup_type": "breakout", "tags": ["fomo", f"t{n}"], "initial_risk": 50}
        r = api.patch(f"/api/v1/trades/{trade_id}", body, format="json")
        assert r.status_code == 200, r.content
    annotated = journaling()
    assert sum(1 for t in annotated if t[1]) == 3

    assert api.delete(f"/api/v1/imports/{first['id']}").status_code == 202
    undo_run(import_id=first["id"])
    assert not Trade.objects.filter(user=user).exists()

    again = upload_and_apply()
    assert (again["status"], again["trades_created"]) == ("succeeded", first["trades_created"]), again
    assert journaling() == annotated
    assert not Trade.objects.filter(pk__in=ids).exists()  # new trades, the same journaling
    # Undone again, they are kept again.
    import_undo(imp=Import.objects.get(pk=again["id"]))
    undo_run(import_id=again["id"])
    upload_and_apply()
    assert journaling() == annotated
