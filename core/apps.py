"""The kernel as an app: it owns the idempotency keys' table, and counts every database's statements."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import metrics

        connection_created.connect(metrics.install_query_counter, dispatch_uid="core.metrics.queries")
