"""The outbox (core/outbox.py): work is queued from a row committed with it, and a row whose
enqueue failed stays until the queue answers again."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from core import outbox
from core.models import OutboxEntry
from imports.services import import_create

DATA = b"time,instrument,side,quantity,price\n2025-01-06T14:30:00Z,AAPL,buy,1,100\n"


@pytest.mark.django_db
def test_an_upload_whose_enqueue_fails_is_stored_and_purge_sends_it_once_the_queue_answers(
    user, django_capture_on_commit_callbacks
):
    with mock.patch("core.outbox.import_string") as task, django_capture_on_commit_callbacks(execute=True):
        task.return_value.enqueue.side_effect = ConnectionError("Error 111 connecting to 127.0.0.1:6379")
        imp = import_create(user=user, data=DATA)
    assert imp.status == "queued"
    [entry] = OutboxEntry.objects.all()
    assert (entry.task, entry.args, entry.attempts) == ("imports.tasks.apply_import", [imp.pk], 1)

    out = StringIO()
    with mock.patch("core.outbox.import_string") as task:
        call_command("purge", stdout=out)  # within the grace: still its commit hook's
    assert "0 tasks the queue missed sent" in out.getvalue() and not task.called
    OutboxEntry.objects.update(created_at=timezone.now() - outbox.GRACE - timedelta(seconds=1))
    with mock.patch("core.outbox.import_string") as task:
        call_command("purge", stdout=out)
    assert "1 tasks the queue missed sent" in out.getvalue()
    task.return_value.enqueue.assert_called_once_with(imp.pk)
    assert not OutboxEntry.objects.exists()


@pytest.mark.django_db
def test_a_flush_stops_at_the_first_failure_and_keeps_the_order(user):
    for n in range(3):
        OutboxEntry.objects.create(task="imports.tasks.apply_import", args=[n],
                                   created_at=timezone.now() - timedelta(minutes=1))  # fmt: skip
    with mock.patch("core.outbox.import_string") as task:
        task.return_value.enqueue.side_effect = [None, ConnectionError("away"), None]
        assert outbox.flush() == 1
    assert [call.args for call in task.return_value.enqueue.call_args_list] == [(0,), (1,)]
    assert sorted(OutboxEntry.objects.values_list("args", "attempts")) == [([1], 1), ([2], 0)]
