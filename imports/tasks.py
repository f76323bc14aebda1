"""The background tasks that apply and undo imports: run by `manage.py db_worker`, or by
`manage.py rqworker default` when REDIS_URL is set (settings.TASKS). Each may run twice for one
request (core/outbox.py): a run finds its work already claimed and does nothing. A worker that
ran one sends what the outbox holds (the queue is back)."""

from django_tasks import task

from core import outbox
from imports.apply import import_run
from imports.undo import undo_run


@task()
def apply_import(import_id: int) -> None:
    import_run(import_id=import_id)
    outbox.flush_due()  # the queue answers: send what it missed


@task()
def undo_import(import_id: int) -> None:
    undo_run(import_id=import_id)
    outbox.flush_due()
