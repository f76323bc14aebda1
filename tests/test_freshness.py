"""Cached results are never stale: a write is seen by the very next read, on any worker."""

import pytest
import requests

from tests.factories import REFERENCE_BODY
from tests.live import PrivateRedis

pytestmark = pytest.mark.live

# Each cached endpoint, and how to read the one figure a write changes.
CACHED = {
    "list count": ("/api/v1/trades?per_page=1", lambda body: body["total"]),
    "list page": ("/api/v1/trades", lambda body: str([(t["id"], t["commission"]) for t in body["data"]])),
    "stats": ("/api/v1/stats", lambda body: (body["total_trades"], body["net_pnl"])),
    "risk": ("/api/v1/stats/risk", lambda body: (body["total_r"], body["avg_hold_seconds"], body["max_drawdown"])),
    "equity": ("/api/v1/stats/equity?interval=trade", lambda body: len(body["points"])),
    "calendar": ("/api/v1/stats/calendar", lambda body: (len(body["days"]), body["net_pnl"])),
    "breakdown": ("/api/v1/stats/breakdown?by=instrument", lambda body: str(body["data"])),
}


@pytest.fixture(scope="module", params=["redis", "database cache"])
def server(request, live_site):
    redis_server = PrivateRedis() if request.param == "redis" else None
    env = {"API_KEY_RATE_LIMIT": "1000000/day"}
    if redis_server:
        redis_server.start()
        env["REDIS_URL"] = redis_server.url
    key = live_site.create_key(f"fresh-{request.param.replace(' ', '-')}")
    try:
        with live_site.serve(workers=3, **env) as base_url:
            yield f"{base_url}/api/v1", {"Authorization": f"Bearer {key}", "Connection": "close"}
    finally:
        if redis_server:
            redis_server.stop()


@pytest.mark.parametrize("endpoint", CACHED)
def test_every_write_is_seen_by_the_next_read_on_any_worker(server, endpoint):
    api, headers = server
    path, figure = CACHED[endpoint]

    def reads() -> set:
        return {figure(requests.get(f"{api}{path.removeprefix('/api/v1')}", headers=headers, timeout=10).json())
                for _ in range(6)}  # fmt: skip

    for _ in range(3):
        before = reads()  # warm every worker's view (new connections spread over the workers)
        assert len(before) == 1
        created = requests.post(f"{api}/trades", json=REFERENCE_BODY, headers=headers, timeout=10)
        assert created.status_code == 201
        after_create = reads()
        assert len(after_create) == 1 and after_create != before, (endpoint, before, after_create)
        trade_url = f"{api}/trades/{created.json()['id']}"
        assert requests.patch(trade_url, json={"commission": 7}, headers=headers, timeout=10).status_code == 200
        after_change = reads()
        if endpoint in ("stats", "list page"):
            assert after_change != after_create
        assert requests.delete(trade_url, headers=headers, timeout=10).status_code == 204
        assert reads() == before


@pytest.mark.django_db
def test_a_cached_answer_is_never_served_for_a_query_that_is_refused(api):
    """The answers are cached by their query; `per_page=` (empty) is a 422 even after the page
    without it was cached."""
    assert api.get("/api/v1/trades").status_code == 200
    assert api.get("/api/v1/trades?per_page=").status_code == 422
    assert api.get("/api/v1/trades?side=").status_code == 200  # an empty filter is no filter
