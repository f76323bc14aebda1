"""Dependencies that go away under load: no acknowledged write lost or duplicated, only JSON 503s
while PostgreSQL is down, and the documented fail-open behaviour while Redis is down."""

import os
import signal
import subprocess
import threading
import time
import uuid

import psycopg
import pytest
import requests

from tests.factories import REFERENCE_BODY
from tests.live import LiveSite, PrivateRedis

pytestmark = pytest.mark.live

WRITERS = 4
PAUSE = 0.02  # between one writer's trades: a bounded load that spans the outage


def write_until_acknowledged(api: str, headers: dict, outcomes: dict, lock: threading.Lock,
                             done: threading.Event) -> None:  # fmt: skip
    """Creates trades one by one until `done`, retrying each (same Idempotency-Key) until acknowledged."""
    while not done.is_set():
        time.sleep(PAUSE)
        key = uuid.uuid4().hex
        while True:
            try:
                r = requests.post(f"{api}/trades", json=REFERENCE_BODY, timeout=15,
                                  headers={**headers, "Idempotency-Key": key})  # fmt: skip
            except requests.RequestException:  # a killed worker or a refused connection: retry
                time.sleep(0.05)
                continue
            with lock:
                outcomes.setdefault(r.status_code, []).append((r.headers.get("Content-Type"), r.text[:200]))
            if r.status_code == 201:
                with lock:
                    outcomes.setdefault("acknowledged", []).append((key, r.json()["id"]))
                break
            time.sleep(0.05)


def kill_one_worker(master: subprocess.Popen) -> None:
    workers = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True).stdout.split()
    assert workers, "no gunicorn worker to kill"
    os.kill(int(workers[0]), signal.SIGKILL)


@pytest.mark.long
def test_postgres_restarted_and_a_worker_killed_under_load_lose_and_duplicate_nothing(private_postgres, tmp_path):
    with psycopg.connect(private_postgres.url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE journal")
    site = LiveSite(private_postgres.url.rsplit("/", 1)[0] + "/journal", tmp_path)
    assert site.manage("migrate", "--noinput").returncode == 0
    key = site.create_key("writer", "trades:write")
    outcomes: dict = {}
    lock = threading.Lock()
    done = threading.Event()
    with site.serve(workers=3, API_KEY_RATE_LIMIT="1000000/day", DB_CONNECT_TIMEOUT="1") as base_url:
        writers = [
            threading.Thread(target=write_until_acknowledged,
                             args=(f"{base_url}/api/v1", {"Authorization": f"Bearer {key}"}, outcomes, lock, done))
            for _ in range(WRITERS)
        ]  # fmt: skip
        for writer in writers:
            writer.start()
        time.sleep(1.0)
        private_postgres.stop()  # down for a while, under load
        time.sleep(2.0)
        private_postgres.start()
        time.sleep(0.5)
        kill_one_worker(site.process)
        time.sleep(1.0)
        done.set()
        for writer in writers:
            writer.join(timeout=120)
        assert not any(writer.is_alive() for writer in writers), "writers did not finish"

    acknowledged = outcomes["acknowledged"]
    with psycopg.connect(site.database_url) as conn:
        trade_ids = [row[0] for row in conn.execute("SELECT id FROM journal_trade")]
        keys = dict(conn.execute("SELECT key, status_code FROM journal_idempotencykey").fetchall())
    # Every acknowledged write is there, once: no loss, no duplicate.
    assert sorted(trade_ids) == sorted(trade_id for _, trade_id in acknowledged)
    assert set(keys) == {key for key, _ in acknowledged}
    # While PostgreSQL was down, clients saw JSON 503s (or a dropped connection), never a 500.
    unexpected = {status: seen[:3] for status, seen in outcomes.items() if status not in (201, 503, "acknowledged")}
    assert unexpected == {}
    assert outcomes.get(503), "the outage was not noticed: the test did not exercise it"
    assert all(content_type == "application/json" for content_type, _ in outcomes[503])
    log = site.server_log.read_text()
    assert "Traceback" not in log
    assert 1 <= log.count("Database unavailable") <= 3 * 2, "one line per outage per worker"


def test_with_redis_down_requests_are_served_uncounted_and_readiness_says_so(live_site):
    redis_server = PrivateRedis()
    redis_server.start()
    key = live_site.create_key("reader", "trades:read,leaderboard:read")
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with live_site.serve(workers=2, REDIS_URL=redis_server.url) as base_url:
            before = requests.get(f"{base_url}/api/v1/trades", headers=headers, timeout=10)
            assert before.status_code == 200 and "X-RateLimit-Remaining" in before.headers
            redis_server.stop()
            during = [requests.get(f"{base_url}/api/v1/trades", headers=headers, timeout=10) for _ in range(10)]
            board = requests.get(f"{base_url}/api/v1/leaderboard", headers=headers, timeout=10)
            ready = requests.get(f"{base_url}/readyz", timeout=10)
            assert [r.status_code for r in during] == [200] * 10
            assert all("X-RateLimit-Remaining" not in r.headers for r in during), "counted without a counter"
            assert board.status_code == 200, board.text
            assert (ready.status_code, ready.json()) == (
                503,
                {"status": "unavailable", "database": "up", "redis": "down"},
            )
            assert requests.get(f"{base_url}/healthz", timeout=10).status_code == 200
            redis_server.start()
            time.sleep(2.5)  # outage.PROBE_EVERY: the next request asks Redis again
            after = [requests.get(f"{base_url}/api/v1/trades", headers=headers, timeout=10) for _ in range(4)]
            assert any("X-RateLimit-Remaining" in r.headers for r in after)
    finally:
        redis_server.stop()
    log = live_site.server_log.read_text()
    assert "Traceback" not in log
    assert 1 <= log.count("Redis unavailable") <= 2 * 2


def test_a_held_row_lock_is_a_quick_json_503_not_a_hung_worker(live_site):
    if not live_site.database_url.startswith("postgres"):
        pytest.skip("row locks and lock_timeout are PostgreSQL's")
    key = live_site.create_key("locker", "trades:read,trades:write")
    headers = {"Authorization": f"Bearer {key}"}
    # No statement timeout to speak of: only the lock timeout can turn the wait into a 503 before the
    # client gives up.
    with live_site.serve(workers=1, DB_LOCK_TIMEOUT="300", DB_STATEMENT_TIMEOUT="600000") as base_url:
        trade_id = requests.post(f"{base_url}/api/v1/trades", json=REFERENCE_BODY, headers=headers, timeout=10).json()[
            "id"
        ]
        with psycopg.connect(live_site.database_url) as holder:
            holder.execute("SELECT id FROM journal_trade WHERE id = %s FOR UPDATE", [trade_id])
            r = requests.patch(f"{base_url}/api/v1/trades/{trade_id}", json={"notes": "x"}, headers=headers, timeout=60)
        assert r.status_code == 503, r.text
        assert r.headers["Content-Type"] == "application/json" and r.headers["Retry-After"] == "5"
        # The lock gone, the same change goes through.
        assert requests.patch(f"{base_url}/api/v1/trades/{trade_id}", json={"notes": "x"}, headers=headers,
                              timeout=10).status_code == 200  # fmt: skip
