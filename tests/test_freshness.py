"""Cached results are never stale: a write is seen by the very next read, on any worker."""

import re
import socket
import subprocess
from urllib.parse import urlsplit

import pytest
import requests

from tests.factories import REFERENCE_BODY
from tests.live import PrivateRedis, StallingProxy, wait_until

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


class HeldWorker:
    """A gunicorn sync worker held by a request whose headers never end, so that new connections go
    to the other workers; `pid` is the worker's, once it has taken the connection."""

    def __init__(self, base_url: str):
        port = urlsplit(base_url).port
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        ours = f"( sport = :{port} and dport = :{self.sock.getsockname()[1]} )"
        self.pid: str | None = None

        def taken() -> bool:  # a connection no worker has accepted yet has no process
            shown = subprocess.run(["ss", "-Htnp", "state", "established", ours], capture_output=True, text=True)
            self.pid = next(iter(re.findall(r"pid=(\d+)", shown.stdout)), None)
            return self.pid is not None

        wait_until(taken, what="a worker taking the held request")

    def release(self) -> None:
        self.sock.sendall(b"Connection: close\r\n\r\n")
        assert self.sock.recv(100).startswith(b"HTTP/1.1 200"), "the held worker answers once the request ends"
        self.sock.close()

    def __enter__(self) -> "HeldWorker":
        return self

    def __exit__(self, *exc_info) -> None:
        self.sock.close()  # released, or the worker reads the end of its request


def served_by(site, request_line: str) -> list[str]:
    """The pids of the workers that served `request_line` ("POST /api/v1/trades"), in order."""
    lines = site.access_log.read_text().splitlines()
    return [line.split()[0].strip("<>") for line in lines if request_line in line]


def test_a_write_during_a_redis_outage_reaches_every_worker_once_redis_answers_without_another_request(live_site):
    """The worker that made the write moves the journal's version when Redis answers again, even
    while it serves nothing (here it is held by a request that never ends)."""
    redis_server = PrivateRedis()
    redis_server.start()
    proxy = StallingProxy(redis_server.port)  # Redis keeps its data: the cached answers outlive the outage
    key = live_site.create_key("fresh-after-outage", "trades:read,trades:write,stats:read")
    headers = {"Authorization": f"Bearer {key}", "Connection": "close"}
    env = {"REDIS_URL": f"redis://127.0.0.1:{proxy.port}/0", "API_KEY_RATE_LIMIT": "1000000/day"}  # it polls
    try:
        with live_site.serve(workers=2, **env) as base_url:

            def total_trades() -> int:
                r = requests.get(f"{base_url}/api/v1/stats", headers=headers, timeout=60)
                assert r.status_code == 200, r.text
                return r.json()["total_trades"]

            assert [total_trades() for _ in range(4)] == [0] * 4  # cached under the journal's version
            with HeldWorker(base_url) as reader:  # so the other worker takes the write
                proxy.stall()
                created = requests.post(f"{base_url}/api/v1/trades", json=REFERENCE_BODY, headers=headers, timeout=60)
                assert created.status_code == 201, created.text
                writer = HeldWorker(base_url)  # the only free worker: the writer, held from now on
                reader.release()
            with writer:
                proxy.resume()
                wait_until(lambda: total_trades() == 1, timeout=20, what="the write seen by the other worker")
                assert served_by(live_site, "POST /api/v1/trades") == [writer.pid] != [reader.pid]
                assert set(served_by(live_site, "GET /api/v1/stats")[4:]) == {reader.pid}
                writer.release()
    finally:
        proxy.close()
        redis_server.stop()
