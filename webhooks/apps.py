"""Webhooks: a trader's endpoints hear of their trades and imports, signed, retried and logged."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self) -> None:
        from core import events
        from webhooks import outbox

        events.announced.connect(outbox.record, dispatch_uid="webhooks.outbox")
