"""Idempotency-Key on POST: a retried create never records a trade twice."""

import concurrent.futures
import threading
from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import IdempotencyKey
from journal.models import Trade
from tests.factories import REFERENCE_BODY, make_key


def post(api, body=REFERENCE_BODY, key="retry-1"):
    return api.post("/api/v1/trades", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_a_retry_replays_the_first_response_and_creates_nothing(api):
    first = post(api)
    second = post(api)
    assert first.status_code == second.status_code == 201, second.content
    assert second.content == first.content
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert Trade.objects.count() == 1


@pytest.mark.django_db
def test_the_same_body_with_keys_in_another_order_is_the_same_request(api):
    post(api)
    reordered = dict(reversed(list(REFERENCE_BODY.items())))
    assert post(api, reordered)["Idempotent-Replayed"] == "true"
    assert Trade.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(api):
    post(api)
    r = post(api, {**REFERENCE_BODY, "quantity": 2})
    assert r.status_code == 422, r.content
    assert r.json() == {"error": "This Idempotency-Key was already used with a different request; "
                                 "use a new key for a new request."}  # fmt: skip
    assert Trade.objects.count() == 1


@pytest.mark.django_db
def test_different_keys_create_different_trades(api):
    post(api, key="a")
    post(api, key="b")
    post(api)  # no key at all
    assert Trade.objects.count() == 3


@pytest.mark.django_db
def test_keys_are_scoped_to_the_key_owner(api):
    post(api)
    _, other_key = make_key()
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {other_key}")
    r = post(other, {**REFERENCE_BODY, "quantity": 3})
    assert r.status_code == 201, r.content
    assert "Idempotent-Replayed" not in r
    assert Trade.objects.count() == 2


@pytest.mark.django_db
def test_keys_are_forgotten_after_24_hours(api):
    post(api)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    r = post(api, {**REFERENCE_BODY, "quantity": 2})
    assert r.status_code == 201, r.content
    assert Trade.objects.count() == 2


@pytest.mark.django_db
def test_a_failed_request_leaves_no_key_so_the_fixed_retry_works(api):
    bad = post(api, {**REFERENCE_BODY, "side": "up"})
    assert bad.status_code == 422
    assert IdempotencyKey.objects.count() == 0
    assert post(api).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("idempotency_key", ["", "   ", "k" * 256])
def test_an_empty_or_overlong_key_is_422(api, idempotency_key):
    r = post(api, key=idempotency_key)
    assert r.status_code == 422, r.content
    assert r.json()["details"] == {
        "Idempotency-Key": ["The Idempotency-Key must be 1 to 255 printable ASCII characters."]
    }
    assert Trade.objects.count() == 0


@pytest.mark.django_db
def test_a_255_character_key_is_accepted(api):
    assert post(api, key="k" * 255).status_code == 201


@pytest.mark.live
def test_concurrent_requests_with_one_key_create_one_trade(live_site):
    key = live_site.create_key("idempotent-racer", "trades:read,trades:write")
    headers = {"Authorization": f"Bearer {key}", "Connection": "close"}
    rounds = 8
    with live_site.serve(workers=2, API_KEY_RATE_LIMIT="100000/day") as base_url:

        def race(n: int) -> list[requests.Response]:
            start = threading.Barrier(2)

            def one(_: int) -> requests.Response:
                start.wait()
                return requests.post(f"{base_url}/api/v1/trades", json=REFERENCE_BODY,
                                     headers={**headers, "Idempotency-Key": f"race-{n}"}, timeout=30)  # fmt: skip

            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                return list(pool.map(one, range(2)))

        results = [race(n) for n in range(rounds)]
        total = requests.get(f"{base_url}/api/v1/trades", headers=headers, timeout=30).json()["total"]
    for first, second in results:
        assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
        assert first.json() == second.json()
    assert total == rounds
