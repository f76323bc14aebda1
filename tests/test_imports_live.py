"""Imports with real workers: `manage.py db_worker` (the database queue) and `rqworker` on Redis,
each beside a gunicorn; and a worker killed half-way, which leaves nothing applied and the import
to the next worker."""

import random
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.live import LiveSite, PrivateRedis, StallingProxy

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


def poll(base_url: str, key: str, import_id: int, until, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        r = requests.get(f"{base_url}/api/v1/imports/{import_id}", headers={"Authorization": f"Bearer {key}"},
                         timeout=30)  # fmt: skip
        # On SQLite a request that writes (a key's last use, once a minute) waits for the import's
        # single writer and may be told to retry: a client does. Any other answer than the import's
        # is a failure of its own, not a poll to carry on.
        if r.status_code in (429, 503) and "Retry-After" in r.headers and time.monotonic() < deadline:
            time.sleep(min(float(r.headers["Retry-After"]), 1.0))
            continue
        assert r.status_code == 200, f"GET /api/v1/imports/{import_id}: {r.status_code} {r.text[:500]}"
        body = r.json()
        if until(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def finished(body: dict) -> bool:
    return body["status"] in ("succeeded", "failed")


def trades(base_url: str, key: str) -> dict:
    return requests.get(f"{base_url}/api/v1/trades", headers={"Authorization": f"Bearer {key}"}, timeout=30).json()


def test_a_database_worker_applies_an_upload_while_the_api_answers_at_once(live_site):
    key = live_site.create_key("db-worker-trader", "trades:read,trades:write")
    with live_site.serve(workers=1, API_KEY_RATE_LIMIT=UNLIMITED) as base_url:
        # Answered before any worker runs: the request only stores the file.
        imp = upload(base_url, key, ROUND_TRIPS)
        assert (imp["status"], imp["rows_processed"], trades(base_url, key)["total"]) == ("queued", 0, 0), imp
        with live_site.worker(*DB_WORKER):
            done = poll(base_url, key, imp["id"], finished)
        listed = trades(base_url, key)["data"]
    assert (done["status"], done["executions_created"], done["trades_created"]) == ("succeeded", 2, 1), done
    [trade] = listed
    assert (trade["instrument"], trade["side"], trade["pnl"], trade["commission"]) == ("ESH25", "long", 450, 8.4)


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


def wait_until_writing(
    site: LiveSite, process: subprocess.Popen, base_url: str, key: str, import_id: int, settle: float = 5
) -> None:
    """Returns once the worker is writing the import. On PostgreSQL its progress says so; on SQLite
    (one writer at a time) every API request waits while an import is being written, so the test
    gives the worker a few seconds past the start of its task, well inside its 15-odd of work."""
    if site.database_url.startswith("sqlite"):
        deadline = time.monotonic() + 30
        while "state=RUNNING" not in process.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(settle)
        return
    body = poll(base_url, key, import_id, lambda b: b["stage"] == "writing" or finished(b))
    assert body["status"] == "processing", body


@pytest.mark.long
def test_a_worker_killed_half_way_leaves_nothing_applied_and_the_next_worker_imports_the_file(live_site):
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
        # Without a heartbeat the import is queued again (and enqueued again) when next read.
        queued = poll(base_url, key, imp["id"], lambda b: b["status"] != "processing", timeout=30)
        assert (queued["status"], queued["errors"]) == ("queued", []), queued
        with live_site.worker(*DB_WORKER):
            done = poll(base_url, key, imp["id"], finished, timeout=180)
        assert (done["status"], done["executions_created"], done["duplicates"]) == ("succeeded", 100_000, 0), done
        assert trades(base_url, key)["total"] == done["trades_created"] > 0


@pytest.mark.long
def test_a_worker_undoes_a_big_import_whole_and_one_killed_half_way_leaves_it_to_the_next(live_site):
    key = live_site.create_key("big-undo-trader", "trades:read,trades:write")
    headers = {"Authorization": f"Bearer {key}"}
    with live_site.serve(workers=2, IMPORT_HEARTBEAT_TIMEOUT="3", API_KEY_RATE_LIMIT=UNLIMITED) as base_url:
        imp = upload(base_url, key, big_file(100_000))
        with live_site.worker(*DB_WORKER):
            done = poll(base_url, key, imp["id"], finished, timeout=600)
        assert (done["status"], done["executions_created"]) == ("succeeded", 100_000), done
        before = trades(base_url, key)["total"]
        assert before == done["trades_created"] > 0

        # Answered at once, whatever the size: a worker undoes it.
        r = requests.delete(f"{base_url}/api/v1/imports/{imp['id']}", headers=headers, timeout=30)
        assert (r.status_code, r.json()["status"], r.json()["stage"]) == (202, "undoing", None), r.text
        assert requests.delete(f"{base_url}/api/v1/imports/{imp['id']}", headers=headers, timeout=30).status_code == 202
        with live_site.worker(*DB_WORKER) as process:
            if live_site.database_url.startswith("sqlite"):
                # An undo there takes a few seconds of work: its first second is well inside it.
                wait_until_writing(live_site, process, base_url, key, imp["id"], settle=1)
            else:
                body = poll(base_url, key, imp["id"], lambda b: b["stage"] == "removing" or b["status"] != "undoing")
                assert (body["status"], body["rows_total"]) == ("undoing", 100_000), body
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        assert trades(base_url, key)["total"] == before  # nothing half-undone
        # Without a heartbeat the undo waits for a worker again (and is enqueued again) when next read.
        waiting = poll(base_url, key, imp["id"], lambda b: b["stage"] is None, timeout=30)
        assert waiting["status"] == "undoing", waiting
        with live_site.worker(*DB_WORKER):
            undone = poll(base_url, key, imp["id"], lambda b: b["status"] != "undoing", timeout=600)
        assert (undone["status"], undone["executions_created"]) == ("undone", 100_000), undone
        assert trades(base_url, key)["total"] == 0
        again = requests.delete(f"{base_url}/api/v1/imports/{imp['id']}", headers=headers, timeout=30)
        assert (again.status_code, again.json()["status"]) == (200, "undone"), again.text
    assert "Traceback" not in live_site.server_log.read_text()


def test_the_api_queues_an_upload_at_the_size_limit_and_refuses_one_byte_more(live_site):
    key = live_site.create_key("big-uploader", "trades:read,trades:write")
    line = b"2025-01-06T14:30:00Z,MESM5,buy,1,5710.25,0.62,0.35\n"
    header = b"time,instrument,side,quantity,price,commission,fees\n"
    limit = 20 * 1024 * 1024
    data = header + line * ((limit - len(header)) // len(line))
    with live_site.serve(workers=1, API_KEY_RATE_LIMIT=UNLIMITED) as base_url:
        imp = upload(base_url, key, data)  # stored, not read: no worker runs here
        assert (imp["status"], imp["rows_processed"]) == ("queued", 0), imp
        r = requests.post(f"{base_url}/api/v1/imports", data=data + b"#" * (limit - len(data) + 1), timeout=30,
                          headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"})  # fmt: skip
        assert r.status_code == 413, r.text
        # Nothing processes it here: cancelled while queued.
        r = requests.delete(f"{base_url}/api/v1/imports/{imp['id']}", headers={"Authorization": f"Bearer {key}"},
                            timeout=30)  # fmt: skip
        assert r.status_code == 204, r.text


@pytest.mark.parametrize("outage", ["stopped", "stalled"])
def test_an_upload_during_a_redis_outage_is_accepted_and_applied_once_redis_is_back(live_site, outage):
    redis_server = PrivateRedis()
    redis_server.start()
    proxy = StallingProxy(redis_server.port)  # a stall: the server takes bytes and never answers
    redis_url = redis_server.url if outage == "stopped" else f"redis://127.0.0.1:{proxy.port}/0"
    key = live_site.create_key(f"outage-{outage}-trader", "trades:read,trades:write")
    try:
        with live_site.serve(workers=1, REDIS_URL=redis_url, API_KEY_RATE_LIMIT=UNLIMITED) as base_url:
            redis_server.stop() if outage == "stopped" else proxy.stall()
            imp = upload(base_url, key, ROUND_TRIPS)  # stored, though the queue is away
            assert imp["status"] == "queued", imp
            time.sleep(1)
            assert poll(base_url, key, imp["id"], lambda b: True)["status"] == "queued"
            redis_server.start() if outage == "stopped" else proxy.resume()
            # The worker alone can't know of it: the next reads of the waiting import send it.
            with live_site.worker("rqworker", "default", REDIS_URL=redis_url):
                done = poll(base_url, key, imp["id"], finished, timeout=120)
            assert (done["status"], done["trades_created"]) == ("succeeded", 1), done
            assert trades(base_url, key)["total"] == 1
    finally:
        proxy.close()
        redis_server.stop()
    assert "Traceback" not in live_site.server_log.read_text()
