"""Imports with real workers: `manage.py db_worker` (the database queue) and `rqworker` on Redis,
each beside a gunicorn; and a worker killed half-way, which leaves nothing applied."""

import random
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.live import LiveSite, PrivateRedis

pytestmark = pytest.mark.live

ROUND_TRIPS = (
    b"time,instrument,side,quantity,price,commission\n"
    b"2025-01-06T14:30:00Z,ESH5,buy,2,6000,4.2\n2025-01-06T14:40:00Z,ESH5,sell,2,6004.5,4.2\n"
)


UNLIMITED = "1000000/minute"  # the tests poll
DB_WORKER = ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")


def upload(base_url: str, key: str, data: bytes) -> dict:
    r = requests.post(f"{base_url}/api/v1/imports", data=data, timeout=30,
                      headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"})  # fmt: skip
    assert r.status_code == 202, r.text
    return r.json()


def poll(base_url: str, key: str, import_id: int, until, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = requests.get(f"{base_url}/api/v1/imports/{import_id}", headers={"Authorization": f"Bearer {key}"},
                            timeout=30).json()  # fmt: skip
        if until(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def finished(body: dict) -> bool:
    return body["status"] in ("succeeded", "failed")


def trades(base_url: str, key: str) -> dict:
    return requests.get(f"{base_url}/api/v1/trades", headers={"Authorization": f"Bearer {key}"}, timeout=30).json()


def test_a_database_worker_applies_an_upload_while_the_api_answers_at_once(live_site):
    key = live_site.create_key("db-worker-trader", "trades:read,trades:write")
    # One server process, warmed: the time measured is the upload's, not a first request's imports.
    with live_site.serve(workers=1, API_KEY_RATE_LIMIT=UNLIMITED) as base_url, live_site.worker(*DB_WORKER):
        trades(base_url, key)
        started = time.monotonic()
        imp = upload(base_url, key, ROUND_TRIPS)
        assert time.monotonic() - started < 1
        assert imp["status"] == "queued"
        done = poll(base_url, key, imp["id"], finished)
        listed = trades(base_url, key)["data"]
    assert (done["status"], done["executions_created"], done["trades_created"]) == ("succeeded", 2, 1), done
    [trade] = listed
    assert (trade["instrument"], trade["side"], trade["pnl"], trade["commission"]) == ("ESH5", "long", 450, 8.4)


def test_an_rq_worker_on_redis_applies_an_upload(live_site):
    redis_server = PrivateRedis()
    redis_server.start()
    key = live_site.create_key("rq-worker-trader", "trades:read,trades:write")
    try:
        with live_site.serve(workers=2, REDIS_URL=redis_server.url, API_KEY_RATE_LIMIT=UNLIMITED) as base_url, \
                live_site.worker("rqworker", "default", REDIS_URL=redis_server.url):  # fmt: skip
            imp = upload(base_url, key, ROUND_TRIPS)
            done = poll(base_url, key, imp["id"], finished)
            assert (done["status"], done["trades_created"]) == ("succeeded", 1), done
            assert trades(base_url, key)["total"] == 1
    finally:
        redis_server.stop()


def big_file(fills: int) -> bytes:
    """Round trips of a futures day trader: scale-ins, partial exits, flips."""
    rng = random.Random(7)
    moment, price, position = datetime(2025, 3, 3, 14, 30, tzinfo=UTC), 600_000, 0
    lines = [b"time,instrument,side,quantity,price,commission,exec_id\n"]
    for n in range(fills):
        moment += timedelta(seconds=rng.randint(1, 20))
        price += rng.randint(-4, 4)
        reduce = position and rng.random() < 0.6
        buy = (position < 0) if reduce else (rng.random() < 0.5 if not position else position > 0)
        quantity = rng.randint(1, 5)
        position += quantity if buy else -quantity
        lines.append(b"%s,MESM5,%s,%d,%.2f,0.62,E%d\n" % (moment.isoformat().encode(), b"buy" if buy else b"sell",
                                                          quantity, price / 100, n))  # fmt: skip
    return b"".join(lines)


def wait_until_writing(site: LiveSite, process: subprocess.Popen, base_url: str, key: str, import_id: int) -> None:
    """Returns once the worker is writing the import. On PostgreSQL its progress says so; on SQLite
    (one writer at a time) every API request waits while an import is being written, so the test
    gives the worker a few seconds past the start of its task, well inside its 15-odd of work."""
    if site.database_url.startswith("sqlite"):
        deadline = time.monotonic() + 30
        while "state=RUNNING" not in process.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(5)
        return
    body = poll(base_url, key, import_id, lambda b: b["stage"] == "writing" or finished(b))
    assert body["status"] == "processing", body


def test_a_worker_killed_half_way_leaves_nothing_applied_and_the_file_imports_again(live_site):
    key = live_site.create_key("killed-worker-trader", "trades:read,trades:write")
    data = big_file(100_000)
    with live_site.serve(workers=2, IMPORT_HEARTBEAT_TIMEOUT="3", API_KEY_RATE_LIMIT=UNLIMITED) as base_url:
        with live_site.worker(*DB_WORKER) as process:
            imp = upload(base_url, key, data)
            wait_until_writing(live_site, process, base_url, key, imp["id"])
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        assert not finished(poll(base_url, key, imp["id"], lambda b: True)), "finished before the kill"
        assert trades(base_url, key)["total"] == 0  # nothing half-applied
        failed = poll(base_url, key, imp["id"], finished, timeout=30)
        assert failed["status"] == "failed", failed
        assert "worker stopped" in failed["errors"][0]["message"]
        with live_site.worker(*DB_WORKER):
            again = upload(base_url, key, data)
            done = poll(base_url, key, again["id"], finished, timeout=180)
        assert (done["status"], done["executions_created"], done["duplicates"]) == ("succeeded", 100_000, 0), done
        assert trades(base_url, key)["total"] == done["trades_created"] > 0


def test_the_api_answers_an_upload_at_the_size_limit_in_under_a_second_and_refuses_one_byte_more(live_site):
    key = live_site.create_key("big-uploader", "trades:read,trades:write")
    line = b"2025-01-06T14:30:00Z,MESM5,buy,1,5710.25,0.62,0.35\n"
    header = b"time,instrument,side,quantity,price,commission,fees\n"
    limit = 20 * 1024 * 1024
    data = header + line * ((limit - len(header)) // len(line))
    with live_site.serve(workers=1, API_KEY_RATE_LIMIT=UNLIMITED) as base_url:
        trades(base_url, key)  # warmed, as above
        started = time.monotonic()
        imp = upload(base_url, key, data)
        assert time.monotonic() - started < 1
        r = requests.post(f"{base_url}/api/v1/imports", data=data + b"#" * (limit - len(data) + 1), timeout=30,
                          headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"})  # fmt: skip
        assert r.status_code == 413, r.text
        # Nothing processes it here: cancelled while queued.
        r = requests.delete(f"{base_url}/api/v1/imports/{imp['id']}", headers={"Authorization": f"Bearer {key}"},
                            timeout=30)  # fmt: skip
        assert r.status_code == 204, r.text
