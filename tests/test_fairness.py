"""One trader's big import takes nothing from another trader's requests: their reads, which fill
and cull the shared cache, all answer while it is applied (gunicorn and a real worker)."""

import os
import re
import sqlite3
import threading
import time
from functools import partial

import pytest
import requests

from tests.live import LiveSite
from tests.test_imports_live import DB_WORKER, ROUND_TRIPS, UNLIMITED, big_file, finished, poll, upload

pytestmark = pytest.mark.live

FILLS = 60_000
READERS = 3


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL's: on SQLite every write, the cache's too, takes turns (the sign-in test below)",
)
def test_another_traders_reads_all_answer_during_a_big_import(live_site):
    importer = live_site.create_key("fair-importer", "trades:read,trades:write")
    reader = live_site.create_key("fair-reader", "trades:read,trades:write,stats:read")
    headers = {"Authorization": f"Bearer {reader}"}
    with live_site.serve(workers=3, API_KEY_RATE_LIMIT=UNLIMITED) as base_url, live_site.worker(*DB_WORKER):
        assert poll(base_url, reader, upload(base_url, reader, ROUND_TRIPS)["id"], finished)["status"] == "succeeded"
        imp = upload(base_url, importer, big_file(FILLS))
        running = threading.Event()
        done = threading.Event()
        answers: list[tuple[int, str, float]] = []

        def read(worker: int) -> None:
            n = 0
            while not done.is_set():
                # A new query each time: computed, then stored in the cache (which culls old entries).
                path = ("/api/v1/trades", "/api/v1/stats", "/api/v1/stats/risk")[n % 3]
                started = time.monotonic()
                r = requests.get(f"{base_url}{path}", params={"instrument": f"R{worker}X{n}"}, headers=headers,
                                 timeout=60)  # fmt: skip
                if running.is_set():
                    answers.append((r.status_code, f"{path} {r.text[:200]}", time.monotonic() - started))
                n += 1

        threads = [threading.Thread(target=read, args=(w,)) for w in range(READERS)]
        for thread in threads:
            thread.start()
        try:
            poll(base_url, importer, imp["id"], lambda body: body["status"] != "queued")
            running.set()
            result = poll(base_url, importer, imp["id"], finished, timeout=600)
        finally:
            done.set()
            for thread in threads:
                thread.join(timeout=120)
    assert (result["status"], result["executions_created"]) == ("succeeded", FILLS), result
    assert len(answers) >= 20, f"only {len(answers)} reads while the import ran"
    failed = [a for a in answers if a[0] != 200]
    assert not failed, f"{len(failed)} of {len(answers)} reads failed: {failed[:3]}"
    slowest = max(a[2] for a in answers)
    print(f"{len(answers)} reads during a {FILLS:,}-fill import, all 200, the slowest {slowest:.2f} s")


SIGN_IN_FILLS = 60_000
PASSWORD = "a-long-enough-passphrase"


def test_sign_in_and_another_traders_upload_succeed_during_a_big_import(live_site):
    """On SQLite, the import's one transaction holds the only write lock; a sign-in and an upload
    each need it for a moment and wait for it (up to the connection's timeout): the import's
    transaction must end well inside that wait."""
    importer = live_site.create_key("waiting-importer", "trades:read,trades:write")
    uploader = live_site.create_key("waiting-uploader", "trades:read,trades:write")
    live_site.create_trader("waiting-signer", PASSWORD)
    with live_site.serve(workers=3, API_KEY_RATE_LIMIT=UNLIMITED) as base_url, live_site.worker(*DB_WORKER):
        imp = upload(base_url, importer, big_file(SIGN_IN_FILLS))
        session = requests.Session()
        form = session.get(f"{base_url}/accounts/login/", timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        in_transaction(live_site, base_url, importer, imp["id"])
        timed: dict[str, tuple[requests.Response, float]] = {}

        def timing(name: str, send) -> None:
            started = time.monotonic()
            timed[name] = (send(), time.monotonic() - started)

        sign_in = partial(session.post, f"{base_url}/accounts/login/", timeout=60,
                          data={"username": "waiting-signer", "password": PASSWORD, "csrfmiddlewaretoken": token})  # fmt: skip
        other_upload = partial(requests.post, f"{base_url}/api/v1/imports", data=ROUND_TRIPS, timeout=60,
                               headers={"Authorization": f"Bearer {uploader}", "Content-Type": "text/csv"})  # fmt: skip
        threads = [threading.Thread(target=timing, args=("sign-in", sign_in)),
                   threading.Thread(target=timing, args=("upload", other_upload))]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        (signed_in, sign_in_took), (other, upload_took) = timed["sign-in"], timed["upload"]
        result = poll(base_url, importer, imp["id"], finished, timeout=600)
        second = poll(base_url, uploader, other.json()["id"], finished) if other.status_code == 202 else None
    assert (signed_in.status_code, signed_in.url) == (200, f"{base_url}/dashboard/"), signed_in.text[:500]
    assert other.status_code == 202, other.text[:500]
    assert (result["status"], result["executions_created"]) == ("succeeded", SIGN_IN_FILLS), result
    assert second["status"] == "succeeded", second
    print(f"during a {SIGN_IN_FILLS:,}-fill import: sign-in {sign_in_took:.1f} s, upload {upload_took:.1f} s")


def in_transaction(site: LiveSite, base_url: str, key: str, import_id: int) -> None:
    """Returns once the worker applies the import in its transaction. On SQLite every write waits
    then (reading the import through the API too, when its key's last use is written): the
    database's write lock, held a whole second, says so."""
    if not site.database_url.startswith("sqlite"):
        poll(base_url, key, import_id, lambda b: b["stage"] in ("matching", "building", "writing") or finished(b))
        return
    held_since = None
    deadline = time.monotonic() + 300
    while held_since is None or time.monotonic() - held_since < 1:
        assert time.monotonic() < deadline, "the import never took the write lock"
        if writer_free(site.database_url.removeprefix("sqlite:///")):
            held_since = None
        elif held_since is None:
            held_since = time.monotonic()
        time.sleep(0.1)


def writer_free(path: str) -> bool:
    """Whether SQLite's write lock is free right now."""
    db = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # database is locked
        return False
    finally:
        db.close()
