"""The per-key rate limit: counted by a store every worker shares, announced in headers."""

import concurrent.futures
from collections import Counter

import pytest
import redis
import requests

from apikeys.throttling import FixedWindowLimit
from tests.factories import make_key
from tests.live import PrivateRedis

URL = "/api/v1/key"
REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    """Runs the test once on the database counter and once on Redis."""
    if request.param == "redis":
        if not redis_available():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        redis.Redis.from_url(REDIS_URL).flushdb()
        settings.REDIS_URL = REDIS_URL
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    return request.param


@pytest.mark.django_db
def test_key_over_its_limit_gets_429_with_retry_after(client, settings, store):
    settings.API_KEY_RATE_LIMIT = "3/day"
    _, key = make_key()
    remaining = []
    for _ in range(3):
        r = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
        assert r.status_code == 200, r.content
        assert r["X-RateLimit-Limit"] == "3"
        remaining.append(r["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    r = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 429, r.content
    assert r.json()["error"].startswith("Request was throttled. Expected available in ")
    assert 0 < int(r["Retry-After"]) <= 86400
    assert (r["X-RateLimit-Limit"], r["X-RateLimit-Remaining"]) == ("3", "0")


@pytest.mark.django_db
def test_limit_is_per_key_and_resets_with_the_next_window(client, settings, store, monkeypatch):
    settings.API_KEY_RATE_LIMIT = "2/minute"
    _, first = make_key()
    _, second = make_key()
    now = 1_800_000_000.0  # the start of a minute
    monkeypatch.setattr(FixedWindowLimit, "timer", staticmethod(lambda: now))
    statuses = [client.get(URL, HTTP_AUTHORIZATION=f"Bearer {first}").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200
    now += 60
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 200


@pytest.mark.django_db
def test_default_limit_is_120_a_minute(client):
    _, key = make_key()
    r = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert (r["X-RateLimit-Limit"], r["X-RateLimit-Remaining"]) == ("120", "119")


@pytest.mark.live
@pytest.mark.parametrize("store", ["database", "redis"])
def test_limit_holds_across_two_gunicorn_workers(live_site, store):
    redis_server = PrivateRedis() if store == "redis" else None  # its own: nothing else resets its counters
    if redis_server:
        redis_server.start()
    key = live_site.create_key(f"ratelimit-{store}")
    limit, sent = 20, 32
    try:
        statuses = send_concurrently(live_site, key, limit, sent, redis_server.url if redis_server else "")
    finally:
        if redis_server:
            redis_server.stop()
    assert statuses == {200: limit, 429: sent - limit}
    served_by = {line.split()[0] for line in live_site.access_log.read_text().splitlines() if "/api/v1/key" in line}
    assert len(served_by) == 2, f"both workers should have served requests, saw pids {served_by}"


def send_concurrently(live_site, key: str, limit: int, sent: int, redis_url: str) -> Counter:
    with live_site.serve(workers=2, API_KEY_RATE_LIMIT=f"{limit}/day", REDIS_URL=redis_url) as base_url:

        def call(_: int) -> int:
            return requests.get(
                f"{base_url}{URL}", headers={"Authorization": f"Bearer {key}", "Connection": "close"}, timeout=30
            ).status_code

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            return Counter(pool.map(call, range(sent)))
