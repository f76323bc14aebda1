"""The kernel's tables: stored first answers to POSTs made with an `Idempotency-Key`, and the outbox
of work to queue (core/outbox.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The first response to a POST made with an `Idempotency-Key`, replayed to its retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.TextField(blank=True, default="")  # the rendered JSON, replayed byte for byte
    location = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The table keeps the name it had when the model lived in the journal app.
        db_table = "journal_idempotencykey"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"


class OutboxEntry(models.Model):
    """A task to put on the queue, written in the transaction that makes the work (core/outbox.py)."""

    task = models.CharField(max_length=255)  # the task's dotted path
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="outbox_created_idx")]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
