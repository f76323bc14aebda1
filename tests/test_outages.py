"""A dependency failing inside a request: a quick 503 with Retry-After, logged once per outage."""

import json
import os
import subprocess
import sys

import pytest
from django.db import OperationalError

from core import outage
from journal import api as journal_api
from leaderboard import snapshot
from leaderboard.snapshot import Snapshot
from tests.factories import make_user
from tests.live import ROOT, run_python

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_outages(monkeypatch):
    monkeypatch.setattr(outage, "database", outage.Outage("Database"))
    monkeypatch.setattr(outage, "redis", outage.Outage("Redis"))


def test_a_statement_timeout_or_lost_connection_in_the_api_is_a_json_503(api, monkeypatch, caplog):
    def timed_out(*args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(journal_api, "stats_in_currency", timed_out)
    responses = [api.get("/api/v1/stats") for _ in range(5)]
    assert {(r.status_code, r["Retry-After"], r["Content-Type"]) for r in responses} == {(503, "5", "application/json")}
    assert responses[0].json() == {"error": "The database is unavailable; retry shortly."}
    outage_lines = [rec for rec in caplog.records if "Database unavailable" in rec.getMessage()]
    assert len(outage_lines) == 1 and outage_lines[0].exc_info is None


def test_a_database_outage_on_a_dashboard_page_is_a_503_page(client, monkeypatch):
    from dashboard import keys

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    client.force_login(make_user("dana"))
    monkeypatch.setattr(keys, "render_keys_page", down)
    r = client.get("/dashboard/keys/")
    assert r.status_code == 503 and r["Retry-After"] == "5"
    page = r.content.decode()
    assert "briefly unavailable" in page
    assert "dashboard/site.css" in page and "<h1>Briefly unavailable</h1>" in page  # the site's own look


def test_a_refresh_lock_left_by_a_dead_worker_gives_a_quick_503_not_a_long_wait(api, monkeypatch):
    from django.core.cache import cache

    clock = {"now": 1000.0}
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock["now"] += seconds

    monkeypatch.setattr(Snapshot, "timer", staticmethod(lambda: clock["now"]))
    monkeypatch.setattr(Snapshot, "sleep", staticmethod(sleep))
    monkeypatch.setattr(snapshot, "compute_rankings", lambda: pytest.fail("computed while another holds the lock"))
    cache.delete(snapshot.SNAPSHOT_KEY)
    cache.add(snapshot.LOCK_KEY, "1")  # its holder died
    r = api.get("/api/v1/leaderboard")
    assert r.status_code == 503, r.content
    assert r.json() == {"error": snapshot.BEING_COMPUTED}
    assert r["Retry-After"] == "2"
    assert sum(slept) <= snapshot.WAIT_FOR_OTHER + 0.1


def test_with_redis_unreachable_the_api_and_leaderboard_answer_and_log_it_once(api, settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens: refused at once
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": settings.REDIS_URL}}  # fmt: skip
    for _ in range(3):
        r = api.get("/api/v1/trades")
        assert r.status_code == 200 and "X-RateLimit-Remaining" not in r
    assert api.get("/api/v1/leaderboard").status_code == 200
    assert len([rec for rec in caplog.records if "Redis unavailable" in rec.getMessage()]) == 1


def test_requests_get_connect_lock_and_statement_timeouts_and_commands_no_statement_timeout():
    code = "import json, django; django.setup(); from django.db import connection; print(json.dumps(connection.settings_dict['OPTIONS']))"
    env = {"DJANGO_SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@db.example:5432/journal"}
    options = json.loads(run_python(code, **env).stdout)
    assert options["connect_timeout"] == 3
    assert options["options"] == "-c lock_timeout=3000 -c statement_timeout=5000"
    # Commands (migrate, seed_demo, the task worker) run without the statement limit.
    command = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", "import json; " + code.split("; ", 2)[2]],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert json.loads(command.stdout)["options"] == "-c lock_timeout=3000 -c statement_timeout=0", command.stderr
