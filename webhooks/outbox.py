"""The outbox: an event is written, with a pending delivery per endpoint that wants it, in the
transaction of the change it tells of, and queued (in that transaction on the database queue, after
it commits on RQ; webhooks/tasks.py).

So a rolled-back change sends nothing, and a committed one is never lost: its deliveries are rows,
and a queue entry lost with a crashed process or a Redis restart is enqueued again by the sweep
(webhooks/tasks.py)."""

import uuid
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from core.renderers import dumps, format_timestamp
from webhooks.models import Delivery, Endpoint, Event
from webhooks.tasks import enqueue_on_commit

API_VERSION = "1.2"


def record(
    sender: str, *, user_id: int, data: Callable[[], dict | list[dict] | None], many: bool = False, **kwargs
) -> None:
    """core.events' receiver: the event (or, for `many`, one per object) for the owner's active
    endpoints that want it, if any."""
    wanted = [pk for pk, events in Endpoint.objects.filter(user_id=user_id, active=True).values_list("id", "events")
              if sender in events]  # fmt: skip
    if not wanted:
        return
    payload = data()
    if payload:
        events_create(user_id=user_id, type=sender, data=payload if many else [payload], endpoint_ids=wanted)


def event_create(*, user_id: int, type: str, data: dict, endpoint_ids: Iterable[int]) -> Event:
    """The event and a first delivery to each endpoint, in the caller's transaction; queued on commit."""
    (event,) = events_create(user_id=user_id, type=type, data=[data], endpoint_ids=endpoint_ids)
    return event


def events_create(*, user_id: int, type: str, data: list[dict], endpoint_ids: Iterable[int]) -> list[Event]:
    """An event for each of `data`, each with a first delivery to each endpoint, in the caller's
    transaction; queued on commit. Inserted together: a bulk write of a thousand trades costs a few
    queries more, not a thousand."""
    now = timezone.now()
    created_at, endpoint_ids = format_timestamp(now), list(endpoint_ids)
    events = []
    for payload in data:
        event_id = f"evt_{uuid.uuid4().hex}"
        body = {"id": event_id, "type": type, "created_at": created_at, "api_version": API_VERSION, "data": payload}
        events.append(Event(id=event_id, user_id=user_id, type=type, body=dumps(body).decode(), created_at=now))
    with transaction.atomic(savepoint=False):  # no savepoint's round trips: it fails with the caller
        Event.objects.bulk_create(events)
        deliveries = Delivery.objects.bulk_create(
            Delivery(endpoint_id=pk, event=event, user_id=user_id, created_at=now, due_at=now)
            for event in events
            for pk in endpoint_ids
        )
    enqueue_on_commit(deliveries)
    return events
