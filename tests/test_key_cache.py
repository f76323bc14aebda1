"""Keys remembered by each worker (with Redis): no database on the common request, and every
change that matters — revocation, scopes, expiry, deletion, the owner deactivated — takes effect
on the very next request, on every worker."""

import itertools
from datetime import timedelta

import pytest
import redis
import requests
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from apikeys import keycache
from apikeys.authentication import ApiKeyAuthentication
from apikeys.models import ApiKey
from core import redis_client
from tests.factories import make_key
from tests.live import PrivateRedis

REDIS_URL = "redis://127.0.0.1:6379/14"


def redis_up() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def with_redis(settings):
    if not redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.REDIS_URL = REDIS_URL
    keycache.forget_all()
    yield settings
    keycache.forget_all()


@pytest.mark.django_db
def test_a_remembered_key_authenticates_without_the_database(with_redis, django_assert_num_queries):
    api_key, key = make_key()
    request = APIRequestFactory().get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}")
    ApiKeyAuthentication().authenticate(request)  # loads and remembers it (and records last use)
    with django_assert_num_queries(0):
        user, authenticated = ApiKeyAuthentication().authenticate(request)
    assert (user, authenticated) == (api_key.user, api_key)


@pytest.mark.django_db
def test_a_change_to_any_key_makes_every_worker_reload(with_redis, django_assert_num_queries):
    api_key, key = make_key()
    request = APIRequestFactory().get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}")
    ApiKeyAuthentication().authenticate(request)
    make_key(api_key.user)[0].revoke()  # another key of the same owner
    with django_assert_num_queries(1):  # the key again, under the new version
        ApiKeyAuthentication().authenticate(request)


CHANGES = {
    "revoked": lambda api_key: api_key.revoke(),
    "scopes changed": lambda api_key: ApiKey.objects.filter(pk=api_key.pk).update(scopes=["stats:read"]),
    "expired": lambda api_key: ApiKey.objects.filter(pk=api_key.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    ),
    "deleted": lambda api_key: api_key.delete(),
    "owner deactivated": lambda api_key: setattr(api_key.user, "is_active", False) or api_key.user.save(),
    "owner deleted": lambda api_key: api_key.user.delete(),
    "edited in the admin": lambda api_key: setattr(api_key, "scopes", ["stats:read"]) or api_key.save(),
}


@pytest.mark.live
def test_every_change_takes_effect_on_the_next_request_on_every_worker(live_site):
    redis_server = PrivateRedis()
    redis_server.start()
    try:
        with live_site.serve(
            workers=2,
            REDIS_URL=redis_server.url,
            API_KEY_RATE_LIMIT="1000000/day",
            API_AUTH_FAILURE_RATE_LIMIT="1000000/day",
        ) as base_url:
            for name in CHANGES:
                key = live_site.create_key(f"owner-{name.replace(' ', '-')}", "trades:read")
                headers = {"Authorization": f"Bearer {key}", "Connection": "close"}
                # Both workers remember the key (new connections spread over them).
                warm = [requests.get(f"{base_url}/api/v1/trades", headers=headers, timeout=10) for _ in range(8)]
                assert {r.status_code for r in warm} == {200}, name
                r = live_site.manage(
                    "shell", "--no-imports", "-c",
                    "from apikeys.models import ApiKey; from tests.test_key_cache import CHANGES; "
                    f"CHANGES[{name!r}](ApiKey.objects.get(prefix={key.split('_')[1]!r}))",
                    REDIS_URL=redis_server.url,
                )  # fmt: skip
                assert r.returncode == 0, r.stderr
                after = [requests.get(f"{base_url}/api/v1/trades", headers=headers, timeout=10) for _ in range(6)]
                assert {r.status_code for r in after} <= {401, 403}, (name, [r.status_code for r in after])
            served_by = {line.split()[0] for line in live_site.access_log.read_text().splitlines()}
            assert len(served_by) == 2, "both workers must have taken part"
    finally:
        redis_server.stop()


@pytest.mark.django_db
def test_a_key_change_while_redis_is_unreachable_is_refused_not_lost(settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    api_key, _ = make_key()
    with pytest.raises(keycache.KeysetUnavailable):
        api_key.revoke()
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_remembered_keys_are_forgotten_after_max_age(monkeypatch):
    now = itertools.count(1000.0, keycache.MAX_AGE + 1)
    monkeypatch.setattr(keycache, "timer", lambda: next(now))
    keycache.remember("abc", "the key", 7)
    assert keycache.remembered("abc", 7) is None


@pytest.mark.django_db
def test_a_repeated_cached_read_is_one_redis_round_trip_and_no_database(with_redis, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    redis.Redis.from_url(REDIS_URL).flushdb()
    _, key = make_key()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    first = client.get("/api/v1/stats?side=long")
    client.get("/api/v1/stats?side=long")  # the key is remembered and the answer cached by now
    trips = []
    original = redis_client.on_redis
    monkeypatch.setattr(redis_client, "on_redis", lambda command: trips.append(command) or original(command))
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/v1/stats?side=long")
    assert again.json() == first.json()
    assert len(trips) == 1, "version, key checks, rate limit and the cached answer: one pipeline"
    assert queries.captured_queries == []
