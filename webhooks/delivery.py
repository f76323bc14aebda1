"""Sending one delivery attempt, and what follows it.

The request: to the address the endpoint's host was checked at (the connection pinned to it, the
Host header and TLS's server name the URL's), no redirect followed, `TIMEOUT` seconds for the whole
answer, at most `READ_BYTES` of it read and `KEPT_BYTES` kept. A 2xx is delivered; anything else is
retried after the base interval doubled per attempt, with jitter, until `RETRY_WINDOW` after the first
attempt has passed; the endpoint is then disabled, with the reason, for the trader to see.

One worker sends one attempt at a time, each at most `TIMEOUT` seconds: a receiver that hangs holds
a worker that long, and is then retried later on, so it never holds the queue for longer than one
timeout per attempt. The deliveries of other traders are separate tasks: with two or more workers
they go out beside it, undelayed (README, "Webhooks")."""

import logging
import random
import time
from datetime import timedelta

import urllib3
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webhooks import addresses, signing
from webhooks.models import TEST_EVENT, Delivery, Endpoint

logger = logging.getLogger("tradejournal.webhooks")

TIMEOUT = 10.0  # seconds for the connection and the whole answer
READ_BYTES = 64 * 1024  # read at most this much of an answer; the rest is not waited for
KEPT_BYTES = 1024  # and keep its start in the log
RETRY_WINDOW = timedelta(hours=24)
LONGEST_INTERVAL = timedelta(hours=6)
# A worker holds a claimed delivery this long; one killed mid-send loses it after that.
LEASE = timedelta(seconds=TIMEOUT * 3)
PAUSED = "The endpoint is paused."
REDIRECT = "Answered with a redirect ({code}); redirects are not followed."
GAVE_UP = "Disabled on {when}: event {event} could not be delivered for 24 hours (last: {error})."
USER_AGENT = "TradeJournal-Webhooks/1.2"

_pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=TIMEOUT, read=TIMEOUT))


def claim(delivery_id: int, now=None) -> Delivery | None:
    """The pending delivery, now this worker's; None when it is not pending or another worker holds it."""
    now = now or timezone.now()
    free = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).exclude(claimed_at__gt=now - LEASE)
    if not free.update(claimed_at=now):
        return None
    return Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)


def over_rate(delivery: Delivery, now) -> bool:
    sent = Delivery.objects.filter(user_id=delivery.user_id, attempted_at__gt=now - timedelta(minutes=1))
    return sent.count() >= settings.WEBHOOK_DELIVERIES_PER_MINUTE


def attempt(delivery: Delivery) -> Delivery | None:
    """Sends the claimed delivery and records the outcome; the delivery to queue for its `due_at` next
    (the retry, or this one held back by the rate limit), or None (delivered, or the endpoint disabled)."""
    endpoint, now = delivery.endpoint, timezone.now()
    if not endpoint.active and delivery.event.type != TEST_EVENT:
        return finish(delivery, ok=False, error=PAUSED, retry=False)
    if over_rate(delivery, now):
        # Not an attempt: it waits for the trader's next minute.
        delivery.due_at = now + timedelta(seconds=random.uniform(30, 60))  # noqa: S311 - jitter, not a secret
        Delivery.objects.filter(pk=delivery.pk).update(due_at=delivery.due_at, claimed_at=None)
        return delivery
    Delivery.objects.filter(pk=delivery.pk).update(attempted_at=now)
    started = time.monotonic()
    try:
        code, head = send(endpoint, delivery.event.id, delivery.event.body.encode())
    except addresses.Refused as refusal:
        logger.warning("Webhook %s to endpoint %s refused: %s", delivery.event_id, endpoint.pk, refusal)
        return finish(delivery, ok=False, error=str(refusal), started=started)
    except (urllib3.exceptions.HTTPError, OSError) as problem:
        return finish(delivery, ok=False, error=describe(problem), started=started)
    error = REDIRECT.format(code=code) if 300 <= code < 400 else ("" if 200 <= code < 300 else f"Answered {code}.")
    return finish(delivery, ok=200 <= code < 300, code=code, body=head, error=error, started=started)


def send(endpoint: Endpoint, event_id: str, body: bytes) -> tuple[int, str]:
    """POSTs the body, signed, to the endpoint; (status code, the answer's first bytes)."""
    target = addresses.parse(endpoint.url)
    address = addresses.checked_address(target)
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "Host": target.host if target.port in (80, 443) else f"{target.host}:{target.port}",
        **signing.headers(endpoint.signing_secrets(), event_id=event_id, timestamp=int(time.time()), body=body),
    }  # fmt: skip
    options = {"server_hostname": target.host, "assert_hostname": target.host} if target.scheme == "https" else {}
    pool = _pool.connection_from_host(address, target.port, target.scheme, pool_kwargs=options)
    deadline = time.monotonic() + TIMEOUT
    response = pool.urlopen(
        "POST", target.path, body=body, headers=headers, redirect=False, retries=False, preload_content=False,
        assert_same_host=False, timeout=urllib3.Timeout(connect=TIMEOUT, read=TIMEOUT),
    )  # fmt: skip
    try:
        read = b""
        while len(read) < READ_BYTES:
            if time.monotonic() > deadline:
                raise TimeoutError(f"No complete answer within {TIMEOUT:g} s.")
            chunk = response.read(min(8192, READ_BYTES - len(read)), decode_content=False)
            if not chunk:
                break
            read += chunk
    finally:
        response.release_conn() if len(read) < READ_BYTES else response.close()
    return response.status, read[:KEPT_BYTES].decode("utf-8", "replace")


def describe(problem: Exception) -> str:
    text = str(problem)
    if isinstance(problem, TimeoutError | urllib3.exceptions.TimeoutError) or "timed out" in text:
        return f"No answer within {TIMEOUT:g} s."
    return f"Could not connect: {type(problem).__name__}: {text}"[:500]


def finish(
    delivery: Delivery, *, ok: bool, error: str = "", code=None, body: str = "", started=None, retry=True
) -> Delivery | None:
    duration = None if started is None else round((time.monotonic() - started) * 1000)
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SUCCEEDED if ok else Delivery.Status.FAILED, response_code=code,
            duration_ms=duration, error=error[:500], response_body=body, claimed_at=None,
        )  # fmt: skip
        return schedule_retry(delivery, error=error) if not ok and retry else None


def backoff(attempt: int) -> timedelta:
    """The wait after failed attempt `attempt`: the base interval doubled each time, capped, with jitter."""
    interval = min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), LONGEST_INTERVAL.total_seconds())
    return timedelta(seconds=interval * random.uniform(1, 1.25))  # noqa: S311 - jitter spreads retries apart


def schedule_retry(delivery: Delivery, *, error: str, now=None) -> Delivery | None:
    """The next attempt as a pending row, or, past the retry window, the endpoint disabled."""
    now = now or timezone.now()
    first = Delivery.objects.filter(endpoint_id=delivery.endpoint_id, event_id=delivery.event_id, attempt=1)
    began = first.order_by("-id").values_list("created_at", flat=True).first() or delivery.created_at
    due = now + backoff(delivery.attempt)
    if due - began > RETRY_WINDOW:
        reason = GAVE_UP.format(when=now.strftime("%Y-%m-%d %H:%M UTC"), event=delivery.event_id, error=error)
        Endpoint.objects.filter(pk=delivery.endpoint_id).update(active=False, disabled_reason=reason[:500])
        logger.warning("Webhook endpoint %s disabled: %s", delivery.endpoint_id, reason)
        return None
    retry = Delivery.objects.create(
        endpoint_id=delivery.endpoint_id, event_id=delivery.event_id, user_id=delivery.user_id,
        attempt=delivery.attempt + 1, created_at=now, due_at=due,
    )  # fmt: skip
    return retry
