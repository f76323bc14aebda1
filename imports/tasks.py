"""The background task that applies an import: run by `manage.py db_worker`, or by `manage.py
rqworker default` when REDIS_URL is set (settings.TASKS)."""

from django_tasks import task

from imports.apply import import_run


@task()
def apply_import(import_id: int) -> None:
    import_run(import_id=import_id)
