"""GET /api/v1/stats/equity without `max_points`: a body beyond core.renderers.SPOOL_BYTES is written
point by point to a file and streamed, byte for byte the body a small one is, and never cached."""

import gzip
import hashlib
import json
import random
import tempfile
import tracemalloc
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics import database
from core import renderers
from journal.models import Account
from tests.factories import api_client, journal_owner, make_user, random_trade_row
from tests.test_analytics_api import journal_queries

pytestmark = pytest.mark.django_db

PATHS = ["interval=trade", "interval=day", "interval=trade&tz=Asia/Kathmandu", "interval=day&tz=Asia/Kathmandu"]
# A bound no body here reaches. core.versions caches a body held in memory under its query, so a
# streamed one is asked first, or in other words (tz=UTC).
HELD = 2**30


def rows(count: int, *, accounts: int = 0) -> list[dict]:
    rng = random.Random(count)
    return [random_trade_row(rng, accounts) for _ in range(count)]


def owner(count: int, **fields):
    """A client of a new trader with `count` random trades, and the trader's accounts."""
    return journal_owner(rows(count, accounts=fields.get("accounts", 0)), **fields)


def body(client, path: str, *, bound: int, monkeypatch, **headers) -> bytes:
    """The answer's bytes with SPOOL_BYTES at `bound`, asserting which way it went."""
    monkeypatch.setattr(renderers, "SPOOL_BYTES", bound)
    r = client.get(f"/api/v1/stats/equity?{path}", **headers)
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "application/json"
    if not r.streaming:
        return r.content
    return b"".join(r.streaming_content)  # the test client closes the response once read


@pytest.mark.parametrize("path", PATHS)
def test_a_streamed_curve_is_byte_for_byte_the_one_held_in_memory(monkeypatch, path):
    client, _ = owner(300)
    monkeypatch.setattr(renderers, "SPOOL_BYTES", 1024)
    spools = []
    spooled_file = tempfile.SpooledTemporaryFile
    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", lambda **kw: spools.append(spooled_file(**kw)) or spools[-1])
    r = client.get(f"/api/v1/stats/equity?{path}")
    assert r.streaming
    streamed = b"".join(r.streaming_content)
    assert int(r["Content-Length"]) == len(streamed)
    assert [spool.closed for spool in spools] == [True]  # closing the response closed (removed) the file
    held = body(client, path, bound=HELD, monkeypatch=monkeypatch)
    assert streamed == held
    assert len(json.loads(held)["points"]) > 100


def test_a_streamed_curve_from_a_starting_balance_is_the_one_held_in_memory(monkeypatch):
    client, accounts = owner(200, accounts=1, starting_balance=Decimal("5000.5"))
    path = f"interval=trade&account={accounts[0].pk}"
    streamed = body(client, path, bound=1024, monkeypatch=monkeypatch)
    assert streamed == body(client, path, bound=HELD, monkeypatch=monkeypatch)
    assert json.loads(streamed)["starting_balance"] == 5000.5


def test_an_empty_curve_written_through_the_file_is_the_same(monkeypatch):
    user = make_user()
    account = Account.objects.create(user=user, name="Main", starting_balance=Decimal(100))
    client = api_client(user)
    path = f"interval=trade&account={account.pk}"
    written = body(client, path, bound=10, monkeypatch=monkeypatch)
    assert json.loads(written) == {
        "interval": "trade", "tz": "UTC", "starting_balance": 100, "points": [], "max_drawdown": None,
        "max_drawdown_pct": None, "max_drawdown_start": None, "max_drawdown_end": None, "current_drawdown": None,
    }  # fmt: skip
    assert written == body(client, path, bound=HELD, monkeypatch=monkeypatch)


def test_a_streamed_curve_is_computed_again_and_a_small_one_comes_from_the_cache(monkeypatch):
    client, _ = owner(200)
    body(client, "interval=day", bound=HELD, monkeypatch=monkeypatch)  # records the key's last use
    for bound, computed, path in [(1024, True, "interval=trade"), (HELD, False, "interval=trade&tz=UTC")]:
        body(client, path, bound=bound, monkeypatch=monkeypatch)
        with CaptureQueriesContext(connection) as repeat:
            body(client, path, bound=bound, monkeypatch=monkeypatch)
        assert bool(journal_queries(repeat)) is computed, journal_queries(repeat)


def test_a_streamed_curve_comes_gzipped_to_a_client_that_asks(monkeypatch):
    client, _ = owner(200)
    monkeypatch.setattr(renderers, "SPOOL_BYTES", 1024)
    r = client.get("/api/v1/stats/equity?interval=trade", HTTP_ACCEPT_ENCODING="gzip")
    assert r.streaming and r["Content-Encoding"] == "gzip" and "Content-Length" not in r
    compressed = b"".join(r.streaming_content)
    plain = body(client, "interval=trade", bound=HELD, monkeypatch=monkeypatch)
    assert gzip.decompress(compressed) == plain
    assert len(compressed) < len(plain) / 2


def test_a_streamed_curve_is_never_held_whole(monkeypatch):
    client, _ = owner(8000)
    held = body(client, "interval=trade&tz=UTC", bound=HELD, monkeypatch=monkeypatch)
    monkeypatch.setattr(renderers, "SPOOL_BYTES", 4096)
    # What is held is one fetch's rows: fewer of them than in production, for a body this small.
    monkeypatch.setattr(database, "FETCHED_ROWS", 100)
    tracemalloc.start()
    try:
        r = client.get("/api/v1/stats/equity?interval=trade")
        digest, size = hashlib.sha256(), 0
        for chunk in r.streaming_content:
            digest.update(chunk)
            size += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (size, digest.hexdigest()) == (len(held), hashlib.sha256(held).hexdigest())
    assert peak < len(held) / 2, (peak, len(held))
