"""A stalled PostgreSQL or Redis (connections open, bytes going nowhere or answers never coming) is
a 503 with Retry-After on every path (README, "When a dependency fails"): every request is answered,
gunicorn never kills a worker for it, and once the stall ends the same requests succeed again."""

import json
import os
import runpy
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
import pytest
import requests

from tests.live import ROOT, LiveSite, PrivateRedis, StallingProxy, run_python, wait_until, web_session

PASSWORD = "a-long-unusual-pass-42"
UNAVAILABLE_PAGE = "briefly unavailable"
STALLS = {
    "requests never reach the server": {"to_server": True, "from_server": False},
    "answers never come back": {"to_server": False, "from_server": True},
}


def sign_in(base_url: str, username: str) -> requests.Session:
    return web_session(base_url, username, PASSWORD)


class Paths:
    """A trader's three ways in: the API with a key, the web journal signed in, and the load
    balancer's readiness check. Every request waits up to a minute for its answer."""

    def __init__(self, base_url: str, username: str, key: str):
        self.base_url = base_url
        self.api = {"Authorization": f"Bearer {key}"}
        self.web = sign_in(base_url, username)

    def answers(self) -> dict[str, requests.Response]:
        return {
            "api": requests.get(f"{self.base_url}/api/v1/trades", headers=self.api, timeout=60),
            "dashboard": self.web.get(f"{self.base_url}/dashboard/", timeout=60, allow_redirects=False),
            "readiness": requests.get(f"{self.base_url}/readyz", timeout=60),
        }

    def all_succeed(self) -> bool:
        return {name: r.status_code for name, r in self.answers().items()} == dict.fromkeys(
            ("api", "dashboard", "readiness"), 200
        )


def a_trader(site: LiveSite, scopes: str = "trades:read,trades:write,leaderboard:read") -> tuple[str, str]:
    """(username, key) of a new trader who signs in with PASSWORD and holds a key."""
    username = f"stalled-{uuid.uuid4().hex[:8]}"
    site.create_trader(username, PASSWORD)
    return username, site.create_key(username, scopes)


def assert_database_unavailable(answers: dict[str, requests.Response]) -> None:
    for name, r in answers.items():
        assert (r.status_code, r.headers.get("Retry-After")) == (503, "5"), (name, r.status_code, r.text[:300])
    assert answers["api"].json() == {"error": "The database is unavailable; retry shortly."}
    assert answers["readiness"].json() == {"status": "unavailable", "database": "down"}
    assert UNAVAILABLE_PAGE in answers["dashboard"].text


def assert_no_worker_killed(site: LiveSite) -> None:
    log = site.server_log.read_text()
    assert "WORKER TIMEOUT" not in log and "Traceback" not in log, log[-3000:]


def through(site: LiveSite, proxy: StallingProxy) -> LiveSite:
    """The same database as `site`'s, reached through `proxy`."""
    parts = urlsplit(site.database_url)
    user, _, _ = parts.netloc.rpartition("@")
    return LiveSite(parts._replace(netloc=f"{user}@127.0.0.1:{proxy.port}").geturl(), site.workdir)


@pytest.fixture
def postgres_site(live_site) -> LiveSite:
    if not live_site.database_url.startswith("postgres"):
        pytest.skip("PostgreSQL's connections: it runs in the suite's PostgreSQL pass")
    return live_site


@pytest.mark.live
@pytest.mark.long
@pytest.mark.parametrize("stall", STALLS)
def test_a_stalled_network_to_postgresql_is_a_503_on_every_path_until_it_flows_again(postgres_site, stall):
    parts = urlsplit(postgres_site.database_url)
    proxy = StallingProxy(parts.port or 5432, parts.hostname)
    username, key = a_trader(postgres_site)
    site = through(postgres_site, proxy)
    try:
        with site.serve(workers=2) as base_url:
            paths = Paths(base_url, username, key)
            assert paths.all_succeed()  # every worker holds a connection through the proxy by now
            proxy.stall(**STALLS[stall])
            assert_database_unavailable(paths.answers())
            proxy.resume()
            wait_until(paths.all_succeed, what="the same requests succeeding after the stall")
    finally:
        proxy.close()
    assert_no_worker_killed(site)


@pytest.mark.live
@pytest.mark.long
def test_a_frozen_postgresql_server_is_a_503_on_every_path_until_it_runs_again(private_postgres, tmp_path):
    """A server that takes the bytes and never answers: no TCP option sees it, no server timeout
    fires; only the client's own deadline ends the wait."""
    with psycopg.connect(private_postgres.url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE journal")
    site = LiveSite(private_postgres.url.rsplit("/", 1)[0] + "/journal", tmp_path)
    assert site.manage("migrate", "--noinput").returncode == 0
    username, key = a_trader(site)
    with site.serve(workers=2) as base_url:
        paths = Paths(base_url, username, key)
        assert paths.all_succeed()
        private_postgres.freeze()
        try:
            assert_database_unavailable(paths.answers())
        finally:
            private_postgres.thaw()
        wait_until(paths.all_succeed, what="the same requests succeeding once the server runs again")
    assert_no_worker_killed(site)


@pytest.mark.live
def test_a_stalled_redis_leaves_every_path_served_uncounted_and_readiness_down(live_site):
    redis_server = PrivateRedis()
    redis_server.start()
    proxy = StallingProxy(redis_server.port)
    username, key = a_trader(live_site)
    try:
        with live_site.serve(workers=2, REDIS_URL=f"redis://127.0.0.1:{proxy.port}/0") as base_url:
            paths = Paths(base_url, username, key)
            assert paths.all_succeed()
            proxy.stall()
            answers = paths.answers()
            assert (answers["api"].status_code, answers["dashboard"].status_code) == (200, 200)
            assert "X-RateLimit-Remaining" not in answers["api"].headers, "counted without a counter"
            ready = answers["readiness"]
            assert (ready.status_code, ready.headers.get("Retry-After")) == (503, "5")
            assert ready.json() == {"status": "unavailable", "database": "up", "redis": "down"}
            board = requests.get(f"{base_url}/api/v1/leaderboard", headers=paths.api, timeout=60)
            assert board.status_code == 200, board.text
            # The upload's enqueue goes through the task queue's own Redis client: answered too.
            upload = requests.post(f"{base_url}/api/v1/imports", data=b"time,instrument\n", timeout=60,
                                   headers={**paths.api, "Content-Type": "text/csv"})  # fmt: skip
            assert upload.headers["Content-Type"] == "application/json", upload.text[:300]
            proxy.resume()
            wait_until(
                lambda: paths.all_succeed()
                and "X-RateLimit-Remaining" in requests.get(f"{base_url}/api/v1/trades", headers=paths.api,
                                                            timeout=60).headers,
                what="requests counted again after the stall",
            )  # fmt: skip
    finally:
        proxy.close()
        redis_server.stop()
    assert "WORKER TIMEOUT" not in live_site.server_log.read_text()


@contextmanager
def never_accepting() -> Iterator[int]:
    """A port where connecting never completes: its listening queue is full, so the kernel leaves
    further connection requests unanswered, as with a host gone from the network."""
    with socket.create_server(("127.0.0.1", 0), backlog=0) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):  # takes the one place in the queue
            yield port


REDIS_CLIENTS = """
import json, django, redis
django.setup()
from django.conf import settings
from django.core.cache import cache
import django_rq
from core.redis_client import shared_redis

clients = {"journal": shared_redis(), "cache": cache._cache.get_client(write=True),
           "task queue": django_rq.get_queue("default").connection}
seen = {}
for name, client in clients.items():
    options = client.connection_pool.connection_kwargs
    try:
        client.ping()
        outcome = "answered"
    except redis.RedisError as exc:
        outcome = type(exc).__name__
    seen[name] = [outcome, options["socket_connect_timeout"], options["socket_timeout"]]
print(json.dumps({"timeout": settings.REDIS_TIMEOUT, "clients": seen}))
"""


def test_every_redis_client_gives_up_on_a_redis_that_never_completes_a_connection():
    with never_accepting() as port:
        r = run_python(REDIS_CLIENTS, DJANGO_SECRET_KEY="x" * 50, REDIS_URL=f"redis://127.0.0.1:{port}/0")
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    timeout = shown["timeout"]
    assert shown["clients"] == {name: ["TimeoutError", timeout, timeout] for name in ("journal", "cache", "task queue")}


@pytest.mark.django_db
def test_every_postgresql_connection_has_keepalives_and_a_tcp_user_timeout(settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's connections: it runs in the suite's PostgreSQL pass")
    connection.ensure_connection()
    options = settings.DATABASES["default"]["OPTIONS"]
    # The options as the kernel holds them on the connection's own socket, not as settings say.
    with socket.socket(fileno=connection.connection.pgconn.socket) as sock:
        try:
            kernel = {
                "keepalives": sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                "keepalives_idle": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                "keepalives_interval": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                "keepalives_count": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
                "tcp_user_timeout": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT),
            }
        finally:
            sock.detach()  # the socket stays libpq's
    assert kernel == {name: options[name] for name in kernel}
    assert kernel["keepalives"] == 1 and kernel["tcp_user_timeout"] > 0


SHOW_DEADLINES = "import json; from django.conf import settings; print(json.dumps([settings.DB_STATEMENT_TIMEOUT, settings.DB_REQUEST_DEADLINE]))"
GUNICORN_TIMEOUT = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["timeout"]


def test_web_processes_wait_on_postgresql_a_little_longer_than_its_statement_timeout_and_commands_without():
    env = {"DJANGO_SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@db.example:5432/journal"}
    statement_ms, deadline = json.loads(run_python("import django; django.setup(); " + SHOW_DEADLINES, **env).stdout)
    # Past the server's own limit, so a slow statement ends with its error; well inside gunicorn's.
    assert statement_ms / 1000 < deadline < GUNICORN_TIMEOUT / 2
    outside = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "DATABASE_URL", "REDIS_URL"))}
    command = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", SHOW_DEADLINES],
                             cwd=ROOT, env={**outside, **env}, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert json.loads(command.stdout) == [0, 0], command.stderr
