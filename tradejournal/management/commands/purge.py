"""`purge`: deletes what has expired: idempotency keys past 24 hours, spent rate-limit counters,
expired sessions, the journaling an undo kept that no import claimed within imports/kept.py's
RETENTION (annotations, attachments and their files), the stored files of attachments that are gone
(a deleted trade's), and webhook events past WEBHOOK_LOG_DAYS with their delivery log; queues again
(or fails) the imports and undos whose worker stopped, and the webhook deliveries whose queue entry
was lost; and sends the queued work the queue missed (core/outbox.py). Run it every few minutes
(cron, or a systemd timer); it is idempotent."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from apikeys import ratelimit
from attachments.services import attachments_sweep
from core import idempotency, outbox
from imports import abandoned, kept
from webhooks.tasks import sweep


class Command(BaseCommand):
    help = (
        "Delete expired keys, counters, sessions, unclaimed kept journaling, deleted attachments' files and old "
        "webhook events; requeue or fail abandoned imports; requeue lost webhook deliveries; send the tasks the "
        "queue missed."
    )

    def handle(self, *args, **options) -> None:
        keys = idempotency.purge_expired()
        counters = ratelimit.purge_expired(time.time())
        call_command("clearsessions")
        requeued, failed = abandoned.settle_all()
        annotations, attachments = kept.forget_expired()
        files = attachments_sweep()
        sent = outbox.flush()
        deliveries, events = sweep()
        self.stdout.write(
            f"Purged {keys} idempotency keys, {counters} rate-limit counters, {annotations} kept annotations and "
            f"{attachments} kept attachments of undone imports, {files} files of deleted attachments and {events} "
            f"webhook events; {requeued} abandoned imports queued again, {failed} abandoned "
            f"imports marked failed; {deliveries} webhook deliveries queued again; {sent} tasks the queue missed sent."
        )
