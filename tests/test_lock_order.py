"""An import and its trader's own edits never fail each other: one lock order (core/locks.py) and a
bounded retry of what the database aborts (core/retry.py), with real concurrent requests against
gunicorn and a real worker."""

import os
import string
import threading
import time

import pytest
import requests
from django.db import connection, connections

from imports.apply import import_run
from imports.services import import_create
from journal.models import Trade
from journal.serializers import TradeSerializer
from journal.writes import update_under_lock
from tests.factories import make_user
from tests.live import wait_until
from tests.test_imports_live import DB_WORKER, UNLIMITED, big_file, finished, poll, upload, wait_until_writing

POSITIONS = 2000  # the import updates them in four batches (500 each): edits land among them
HEADER = b"time,instrument,side,quantity,price,commission\n"


def symbol(n: int) -> str:
    letters = ""
    for _ in range(3):
        n, digit = divmod(n, 26)
        letters += string.ascii_uppercase[digit]
    return f"Q{letters}"


def opening_file() -> bytes:
    return HEADER + b"".join(b"2025-01-06T14:30:00Z,%s,buy,1,100,0\n" % symbol(n).encode() for n in range(POSITIONS))


def closing_file() -> bytes:
    return HEADER + b"".join(b"2025-01-06T15:30:00Z,%s,sell,1,101,0\n" % symbol(n).encode() for n in range(POSITIONS))


class Client:
    """Sends requests as a client does: a 503 with Retry-After is tried again (a lock wait the
    request's lock timeout cut short). Anything else is its answer."""

    def __init__(self, base_url: str, key: str):
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {key}"}
        self.retried = 0

    def send(self, method: str, path: str, body: dict) -> requests.Response:
        deadline = time.monotonic() + 120
        while True:
            r = requests.request(method, f"{self.base_url}/api/v1{path}", json=body, headers=self.headers, timeout=60)
            if r.status_code == 503 and "Retry-After" in r.headers and time.monotonic() < deadline:
                self.retried += 1
                time.sleep(0.2)
                continue
            return r


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_an_edit_holding_a_trade_the_import_is_about_to_close_fails_neither(rf):
    """The moment a deadlock needs, made to happen: an edit has locked a trade the import will
    update, and is held there until the import waits for a lock; then it writes."""
    user = make_user()
    assert import_run(import_id=import_create(user=user, data=opening_file(), enqueue=False).pk).status == "succeeded"
    closing = import_create(user=user, data=closing_file(), enqueue=False)
    trade_id = sorted(Trade.objects.owned_by(user).values_list("id", flat=True))[POSITIONS - 100]
    request = rf.patch("/")
    request.user = user
    locked, outcome = threading.Event(), {}

    def serializer_for(trade: Trade) -> TradeSerializer:
        locked.set()
        wait_until(import_waits, timeout=60, what="the import waiting for a lock")
        return TradeSerializer(trade, data={"notes": "kept"}, partial=True, context={"request": request})

    def edit() -> None:
        try:
            update_under_lock(Trade.objects.owned_by(user), trade_id, serializer_for)
            outcome["edit"] = "saved"
        except Exception as error:  # the test reports it
            outcome["edit"] = repr(error)
        finally:
            connections.close_all()

    def apply() -> None:
        locked.wait(60)
        try:
            outcome["import"] = import_run(import_id=closing.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit), threading.Thread(target=apply)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    imp = outcome["import"]
    assert (outcome["edit"], imp.status, imp.errors) == ("saved", "succeeded", []), outcome
    trade = Trade.objects.get(pk=trade_id)
    assert (trade.notes, trade.exit_price) == ("kept", 101)  # neither lost the other's change


def import_waits() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else read once per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.live
def test_edits_tags_and_accounts_during_an_import_that_closes_the_trades_all_succeed(live_site):
    key = live_site.create_key("lock-order-trader", "trades:read,trades:write")
    with live_site.serve(workers=3, API_KEY_RATE_LIMIT=UNLIMITED) as base_url, live_site.worker(*DB_WORKER):
        opened = poll(base_url, key, upload(base_url, key, opening_file())["id"], finished)
        assert (opened["status"], opened["trades_created"]) == ("succeeded", POSITIONS), opened
        client = Client(base_url, key)
        ids = []
        for page in range(1, POSITIONS // 100 + 1):
            listed = requests.get(f"{base_url}/api/v1/trades", params={"per_page": 100, "page": page},
                                  headers=client.headers, timeout=30).json()  # fmt: skip
            ids += [trade["id"] for trade in listed["data"]]
        ids.sort()

        closing = upload(base_url, key, closing_file())
        done = threading.Event()
        answers: list[tuple[str, int, str]] = []
        notes: dict[int, str] = {}

        def edit(worker: int) -> None:
            # The later trades: the import's second and third batches of updates.
            targets = ids[500 + worker :: 7]
            n = 0
            while not done.is_set() or n < 3:
                trade_id = targets[n % len(targets)]
                note = f"note {worker}-{n}"
                r = client.send("PATCH", f"/trades/{trade_id}", {"notes": note})
                answers.append(("PATCH", r.status_code, r.text))
                if r.status_code == 200:
                    notes[trade_id] = note
                n += 1

        def name(kind: str) -> None:
            n = 0
            while not done.is_set() or n < 3:
                r = client.send("POST", f"/{kind}", {"name": f"{kind}-{n}"})
                answers.append((f"POST /{kind}", r.status_code, r.text))
                n += 1

        threads = [threading.Thread(target=edit, args=(w,)) for w in range(4)]
        threads += [threading.Thread(target=name, args=(kind,)) for kind in ("tags", "accounts")]
        for thread in threads:
            thread.start()
        try:
            result = poll(base_url, key, closing["id"], finished)
        finally:
            done.set()
            for thread in threads:
                thread.join(timeout=120)
        wait_until(lambda: not any(t.is_alive() for t in threads), timeout=60, what="the clients finishing")

        assert (result["status"], result["trades_updated"], result["errors"]) == ("succeeded", POSITIONS, []), result
        failed = [a for a in answers if a[1] not in (200, 201)]
        assert not failed, failed[:5]
        for trade_id, note in notes.items():
            trade = requests.get(f"{base_url}/api/v1/trades/{trade_id}", headers=client.headers, timeout=30).json()
            assert (trade["notes"], trade["exit_price"]) == (note, 101), trade  # neither lost the other's change
        print(f"{len(answers)} requests during the import, {client.retried} answered 503 and sent again")


# Big enough that the import holds its transaction well past a request's lock timeout (3 s); on
# SQLite, whose one writer makes every write wait for the import, as big as its busy timeout allows.
OWN_FILLS = 40_000 if os.environ.get("DATABASE_URL", "").startswith("postgres") else 10_000
MANUAL = {"instrument": "NVDA", "side": "long", "quantity": 1, "entry_time": "2025-03-15T10:30:00Z", "entry_price": 100}


@pytest.mark.live
def test_the_traders_own_writes_go_through_while_their_big_import_is_applied(live_site):
    """Their own new trade, tag, account and webhook endpoint, a note on a trade the import doesn't
    touch, renaming the account it puts its fills in and deleting one it doesn't are answered at once (on SQLite,
    once its one writer is free), never 503, again and again while the import is in its
    transaction; the import is whole all the same."""
    key = live_site.create_key("busy-trader", "trades:read,trades:write,webhooks:write")
    headers = {"Authorization": f"Bearer {key}"}
    postgres = live_site.database_url.startswith("postgres")
    with (
        live_site.serve(workers=3, API_KEY_RATE_LIMIT=UNLIMITED) as base_url,
        live_site.worker(*DB_WORKER) as worker,
    ):
        api = f"{base_url}/api/v1"
        manual = requests.post(f"{api}/trades", json=MANUAL, headers=headers, timeout=30).json()
        before = requests.post(f"{api}/accounts", json={"name": "Before"}, headers=headers, timeout=30).json()
        # The account the import puts its fills in (the file names none: the broker's default one).
        used = {"name": "Futures", "broker": "Generic CSV"}
        used = requests.post(f"{api}/accounts", json=used, headers=headers, timeout=30).json()
        imp = upload(base_url, key, big_file(OWN_FILLS))
        # In its transaction (on SQLite, a moment after its start: it holds the one writer for seconds).
        wait_until_writing(live_site, worker, base_url, key, imp["id"], settle=0.5)
        answers, rounds = [], 0
        while True:
            writes = [
                ("POST", "/trades", MANUAL), ("POST", "/tags", {"name": f"during {rounds}"}),
                ("POST", "/accounts", {"name": f"Opened during {rounds}"}),
                ("PATCH", f"/trades/{manual['id']}", {"notes": f"kept {rounds}"}),
                ("PATCH", f"/accounts/{used['id']}", {"name": f"Futures {rounds}"}),
            ]  # fmt: skip
            if not rounds:  # an account the import puts no fills in; an endpoint (a trader has a few)
                writes.append(("DELETE", f"/accounts/{before['id']}", None))
                writes.append(
                    ("POST", "/webhooks", {"url": "https://hooks.example.com/t", "events": ["trade.created"]})
                )
            for method, path, body in writes:
                started = time.monotonic()
                r = requests.request(method, f"{api}{path}", json=body, headers=headers, timeout=60)
                answers.append((method, path, r.status_code, round(time.monotonic() - started, 1)))
            rounds += 1
            status = requests.get(f"{api}/imports/{imp['id']}", headers=headers, timeout=30).json()["status"]
            if status != "processing":
                break
        done = poll(base_url, key, imp["id"], finished)
        total = requests.get(f"{api}/trades", headers=headers, timeout=30).json()["total"]
        note = requests.get(f"{api}/trades/{manual['id']}", headers=headers, timeout=30).json()["notes"]
        accounts = requests.get(f"{api}/accounts", params={"per_page": 100}, headers=headers, timeout=30).json()
    # A write that waited out its lock timeout (3 s; SQLite's busy timeout, 20 s) is a 503, so the
    # answers say it: no bound on the time, which a loaded machine would stretch.
    failed = [answer for answer in answers if answer[2] not in (200, 201, 204)]
    assert not failed, failed
    if postgres:
        assert rounds > 1, answers  # a whole round was answered while the import was being applied
    assert (done["status"], done["errors"], done["executions_created"], done["duplicates"]) == (
        "succeeded", [], OWN_FILLS, 0,
    ), done  # fmt: skip
    assert (total, note) == (done["trades_created"] + 1 + rounds, f"kept {rounds - 1}")
    # Its fills are in the trader's renamed account: it created none.
    assert [a["name"] for a in accounts["data"] if a["broker"] == "Generic CSV"] == [f"Futures {rounds - 1}"]
    slowest = max(took for *_, took in answers)
    print(
        f"{len(answers)} writes during the import of {OWN_FILLS:,} fills, the slowest {slowest} s:",
        max(answers, key=lambda a: a[3]),
    )
