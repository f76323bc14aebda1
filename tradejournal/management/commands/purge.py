"""`purge`: deletes what has expired: idempotency keys past 24 hours, spent rate-limit counters,
and expired sessions; and fails the imports whose worker stopped. Run it every few minutes (cron,
or a systemd timer); it is idempotent."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from apikeys import ratelimit
from imports import progress
from journal import idempotency


class Command(BaseCommand):
    help = "Delete expired idempotency keys, rate-limit counters and sessions; fail abandoned imports."

    def handle(self, *args, **options) -> None:
        keys = idempotency.purge_expired()
        counters = ratelimit.purge_expired(time.time())
        call_command("clearsessions")
        abandoned = progress.fail_abandoned()
        self.stdout.write(
            f"Purged {keys} idempotency keys and {counters} rate-limit counters; "
            f"{abandoned} abandoned imports marked failed."
        )
