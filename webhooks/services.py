"""Writing endpoints and asking for deliveries: one code path for the API and the web journal."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from core import locks
from core.exceptions import Conflict
from webhooks import outbox, tasks
from webhooks.models import TEST_EVENT, Delivery, Endpoint, Event, new_secret

TOO_MANY = "You have {limit} webhook endpoints, the most one trader may have: delete one first."
NOT_FAILED = "Only a delivery that has finished can be sent again."


def endpoint_create(*, user: AbstractBaseUser, url: str, events: list[str], description: str = "") -> Endpoint:
    """A new active endpoint with a fresh secret (read it off the returned endpoint: it is shown once)."""
    with transaction.atomic():
        # One at a time per trader, so two requests at once can't both take the last place: the
        # owner's writers' lock, which the trader's import does not hold (core/locks.py).
        locks.lock_writers(user.pk)
        if Endpoint.objects.owned_by(user).count() >= settings.WEBHOOKS_PER_TRADER:
            raise Conflict(TOO_MANY.format(limit=settings.WEBHOOKS_PER_TRADER))
        return Endpoint.objects.create(user=user, url=url, events=events, description=description, secret=new_secret())


def endpoint_update(endpoint: Endpoint, **changes) -> Endpoint:
    """The endpoint changed; resuming one clears why it was disabled."""
    if changes.get("active"):
        changes["disabled_reason"] = ""
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=list(changes))
    return endpoint


def redeliver(*, delivery: Delivery) -> Delivery:
    """The delivery's event sent again to its endpoint, as a new series of attempts (same Webhook-Id)."""
    if delivery.status == Delivery.Status.PENDING:
        raise Conflict(NOT_FAILED)
    now = timezone.now()
    with transaction.atomic():
        again = Delivery.objects.create(
            endpoint_id=delivery.endpoint_id, event_id=delivery.event_id, user_id=delivery.user_id, created_at=now,
            due_at=now,
        )  # fmt: skip
        tasks.enqueue_on_commit([again])
    return again


def send_test(*, endpoint: Endpoint, data: dict) -> Event:
    """A `webhook.test` event to this endpoint alone, whatever events it takes and even while paused."""
    return outbox.event_create(user_id=endpoint.user_id, type=TEST_EVENT, data=data, endpoint_ids=[endpoint.pk])
