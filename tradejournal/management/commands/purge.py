"""`purge`: deletes what has expired: idempotency keys past 24 hours, spent rate-limit counters,
and expired sessions. Run it every few minutes (cron, or a systemd timer); it is idempotent."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from apikeys import ratelimit
from journal import idempotency


class Command(BaseCommand):
    help = "Delete expired idempotency keys, rate-limit counters and sessions."

    def handle(self, *args, **options) -> None:
        keys = idempotency.purge_expired()
        counters = ratelimit.purge_expired(time.time())
        call_command("clearsessions")
        self.stdout.write(f"Purged {keys} idempotency keys and {counters} rate-limit counters.")
