"""A trader's webhook endpoints, the events recorded for them (the outbox) and each delivery attempt."""

import base64
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# After a rotation the old secret signs too, so receivers can switch over without missing a delivery.
ROTATION_OVERLAP = timedelta(hours=24)
SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks form: the prefix, then the key's bytes in base64
MAX_URL = 2000
TEST_EVENT = "webhook.test"  # what "send test event" sends: the endpoint itself as its data


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


class EndpointQuerySet(models.QuerySet):
    def owned_by(self, user) -> "EndpointQuerySet":
        return self.filter(user=user)


class Endpoint(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(max_length=MAX_URL)
    events = models.JSONField(default=list, help_text="The event types it receives")
    description = models.CharField(max_length=255, blank=True, default="")
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=500, blank=True, default="")
    # Kept as given: signing needs the secret itself (it is shown to the trader only when made).
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        verbose_name = "webhook"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.url}"

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets a delivery is signed with now: the current one, and the old one during its overlap."""
        now = now or timezone.now()
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            return [self.secret, self.previous_secret]
        return [self.secret]

    def rotate_secret(self, now=None) -> str:
        now = now or timezone.now()
        self.previous_secret, self.previous_secret_expires_at = self.secret, now + ROTATION_OVERLAP
        self.secret = new_secret()
        self.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
        return self.secret


class Event(models.Model):
    """One event as sent: its body is fixed when it is recorded, so every attempt sends the same bytes."""

    id = models.CharField(primary_key=True, max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    type = models.CharField(max_length=40)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="webhook_event_created_idx")]

    def __str__(self) -> str:
        return f"{self.id} {self.type}"


class Delivery(models.Model):
    """An attempt to deliver an event to an endpoint: pending until a worker sends it, then
    succeeded or failed; a retry is a new row with the next attempt number."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    attempt = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    response_body = models.TextField(blank=True, default="", help_text="The first bytes of the answer")
    created_at = models.DateTimeField(default=timezone.now)
    # When it is due; a worker holds it while `claimed_at` is recent (a killed one's lease runs out).
    due_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_log_idx"),
            models.Index(fields=["user", "attempted_at"], name="webhook_delivery_rate_idx"),
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="webhook_delivery_pending_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(attempt__gte=1), name="webhook_delivery_attempt_gte_1")]

    def __str__(self) -> str:
        return f"{self.event_id}#{self.attempt} {self.status}"
