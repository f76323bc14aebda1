"""Sending webhooks: signed as the README's snippet verifies, retried with backoff as rows of their
own with the same Webhook-Id, the endpoint disabled after a day of failures, redirects not followed,
refused addresses refused at delivery too, the log's API, redelivery, test events and the purge."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_trade
from tests.webhook_receiver import Receiver, readme_verify
from webhooks import delivery as sending
from webhooks import tasks
from webhooks.models import Delivery, Endpoint, Event, new_secret

pytestmark = pytest.mark.django_db

LOG_FIELDS = ["id", "event_id", "event", "attempt", "status", "response_code", "duration_ms", "error", "created_at"]


@pytest.fixture
def development(settings):
    settings.WEBHOOK_ALLOW_HTTP = settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.01
    return settings


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def subscribe(user, url: str, *events: str) -> Endpoint:
    return Endpoint.objects.create(user=user, url=url, events=list(events or ["trade.created"]), secret=new_secret())


def run_pending() -> list[Delivery]:
    """Every pending delivery sent once, as the worker's task would send it."""
    for pk in Delivery.objects.filter(status="pending").order_by("id").values_list("pk", flat=True):
        tasks.deliver.call(pk)
    return list(Delivery.objects.order_by("id"))


def test_a_delivery_is_signed_as_the_readme_snippet_verifies(development, receiver, user):
    endpoint = subscribe(user, receiver.url)
    trade = make_trade(user)
    Event.objects.all().delete()  # the factory's trade is not the API's write: announce one the API way
    from journal.serializers import TradeSerializer
    from webhooks.outbox import event_create

    event = event_create(user_id=user.pk, type="trade.created", data=TradeSerializer(trade).data,
                         endpoint_ids=[endpoint.pk])  # fmt: skip
    [delivery] = run_pending()
    assert (delivery.status, delivery.response_code, delivery.attempt) == ("succeeded", 200, 1)
    assert delivery.response_body.startswith("ok 200 xxx") and len(delivery.response_body) == sending.KEPT_BYTES
    [(headers, body)] = receiver.received
    assert headers["Webhook-Id"] == event.id and headers["Content-Type"] == "application/json"
    assert body.decode() == event.body and json.loads(body)["data"]["id"] == trade.pk
    verify = readme_verify()
    assert verify(endpoint.secret, headers, body)
    assert not verify(new_secret(), headers, body)
    assert not verify(endpoint.secret, headers, body + b" ")


def test_during_a_rotation_both_secrets_sign(development, receiver, user, api):
    endpoint = subscribe(user, receiver.url)
    old = endpoint.secret
    new = endpoint.rotate_secret()
    api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
    run_pending()
    [(headers, body)] = receiver.received
    assert len(headers["Webhook-Signature"].split()) == 2
    verify = readme_verify()
    assert verify(old, headers, body) and verify(new, headers, body)


def test_a_failing_receiver_is_retried_each_attempt_its_own_row_with_the_same_webhook_id(development, user, api):
    receiver = Receiver([500, 503, 500])
    try:
        endpoint = subscribe(user, receiver.url)
        api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
        for _ in range(4):
            run_pending()
        log = list(Delivery.objects.order_by("id").values_list("attempt", "status", "response_code", "error"))
        assert log == [
            (1, "failed", 500, "Answered 500."), (2, "failed", 503, "Answered 503."), (3, "failed", 500, "Answered 500."),
            (4, "succeeded", 200, ""),
        ]  # fmt: skip
        assert len({headers["Webhook-Id"] for headers, _ in receiver.received}) == 1
        page = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries").json()
        assert page["total"] == 4 and [row["attempt"] for row in page["data"]] == [4, 3, 2, 1]
        assert list(page["data"][0]) == LOG_FIELDS
        assert page["data"][0]["event"] == "webhook.test" and page["data"][0]["duration_ms"] >= 0
    finally:
        receiver.close()


def test_the_retries_wait_longer_each_time_with_jitter(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    waits = [sending.backoff(attempt).total_seconds() for attempt in (1, 2, 3, 12)]
    assert 60 <= waits[0] <= 75 and 120 <= waits[1] <= 150 and 240 <= waits[2] <= 300
    assert waits[3] <= sending.LONGEST_INTERVAL.total_seconds() * 1.25


def test_after_a_day_of_failures_the_endpoint_is_disabled_with_the_reason(development, user, api):
    receiver = Receiver([500] * 10)
    try:
        endpoint = subscribe(user, receiver.url)
        api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
        Delivery.objects.update(created_at=timezone.now() - timedelta(hours=25))
        run_pending()
        endpoint.refresh_from_db()
        assert not endpoint.active
        assert "could not be delivered for 24 hours (last: Answered 500.)" in endpoint.disabled_reason
        assert api.get(f"/api/v1/webhooks/{endpoint.pk}").json()["disabled_reason"] == endpoint.disabled_reason
        assert not Delivery.objects.filter(status="pending").exists()
    finally:
        receiver.close()


def test_a_redirect_is_not_followed(development, user, api, receiver):
    redirecting = Receiver([302], location=receiver.url)
    try:
        endpoint = subscribe(user, redirecting.url)
        api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
        first = run_pending()[0]
        assert (first.status, first.response_code) == ("failed", 302)
        assert first.error == "Answered with a redirect (302); redirects are not followed."
        assert receiver.received == []
    finally:
        redirecting.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "10.0.0.7", "169.254.169.254"])
def test_an_address_refused_at_delivery_is_not_contacted_and_the_reason_is_logged(settings, user, api, host, caplog):
    settings.WEBHOOK_ALLOW_HTTP = True
    # Saved while allowed, or a name that resolved elsewhere then: the delivery checks again.
    endpoint = subscribe(user, f"http://{host}:9/hook")
    api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
    first = run_pending()[0]
    assert first.status == "failed" and first.response_code is None
    assert first.error.startswith(f"Refused: {host.strip('[]')} resolves to ")
    assert "refused" in caplog.text


def test_a_hanging_receiver_costs_one_timeout(development, user, api, monkeypatch):
    monkeypatch.setattr(sending, "TIMEOUT", 0.5)
    hanging = Receiver(hang=5)
    try:
        endpoint = subscribe(user, hanging.url)
        api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
        first = run_pending()[0]
        assert first.status == "failed" and first.error in ("No answer within 0.5 s.",)
    finally:
        hanging.close()


def test_redeliver_sends_the_same_event_again_and_test_sends_one(development, receiver, user, api):
    endpoint = subscribe(user, receiver.url)
    r = api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
    assert r.status_code == 202, r.content
    assert list(r.json()) == LOG_FIELDS and r.json()["status"] == "pending"
    r = api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{r.json()['id']}/redeliver")
    assert r.status_code == 409, r.content  # still pending
    first = run_pending()[0]
    r = api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{first.pk}/redeliver")
    assert r.status_code == 202, r.content
    assert r.json()["event_id"] == first.event_id
    run_pending()
    assert [h["Webhook-Id"] for h, _ in receiver.received] == [first.event_id] * 2
    assert json.loads(receiver.received[0][1])["data"]["id"] == endpoint.pk


def test_the_per_trader_rate_limit_holds_deliveries_back_without_using_an_attempt(development, receiver, user, api):
    development.WEBHOOK_DELIVERIES_PER_MINUTE = 2
    endpoint = subscribe(user, receiver.url)
    for _ in range(3):
        api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
    run_pending()
    assert sorted(Delivery.objects.values_list("status", "attempt")) == [
        ("pending", 1), ("succeeded", 1), ("succeeded", 1)
    ]  # fmt: skip
    held = Delivery.objects.get(status="pending")
    assert held.due_at > timezone.now() + timedelta(seconds=25)


def test_purge_queues_lost_deliveries_again_and_deletes_old_events(development, receiver, user, api, monkeypatch):
    endpoint = subscribe(user, receiver.url)
    api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
    Delivery.objects.update(due_at=timezone.now() - timedelta(minutes=5))
    queued = []
    with monkeypatch.context() as patch:
        patch.setattr(tasks, "enqueue", queued.append)
        call_command("purge", stdout=io.StringIO())
    assert queued == list(Delivery.objects.values_list("pk", flat=True))
    Event.objects.update(created_at=timezone.now() - timedelta(days=development.WEBHOOK_LOG_DAYS + 1))
    call_command("purge", stdout=io.StringIO())
    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)
