"""The project's ground: settings from the environment, the JSON error envelope, /healthz."""

import json
import os
import subprocess
import sys

import pytest

from tests.live import ROOT, run_python

SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({"engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"),
                  "conn_max_age": db["CONN_MAX_AGE"], "cache": settings.CACHES["default"]["BACKEND"],
                  "debug": settings.DEBUG, "import_progress": settings.IMPORT_PROGRESS_CACHE}))
"""


def test_default_database_is_sqlite_file_in_project_root():
    r = run_python(SHOW_SETTINGS, DJANGO_SECRET_KEY="x" * 50)
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert shown["engine"] == "core.sqlite3"  # Django's, with SQLite's own date functions
    assert shown["name"] == str(ROOT / "db.sqlite3")
    assert shown["import_progress"] == "import_progress"  # files beside it: SQLite has one writer
    assert shown["debug"] is False


def test_postgres_url_selects_postgresql_with_persistent_connections():
    r = run_python(SHOW_SETTINGS, DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="postgres://u:p@db.example:5432/journal")
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert shown["engine"] == "core.postgresql"  # Django's backend with a deadline on every wait
    assert (shown["name"], shown["host"]) == ("journal", "db.example")
    assert shown["conn_max_age"] > 0


def test_cache_is_shared_between_processes_without_redis_and_redis_with_it():
    without = json.loads(run_python(SHOW_SETTINGS, DJANGO_SECRET_KEY="x" * 50).stdout)
    assert without["cache"] == "django.core.cache.backends.db.DatabaseCache"
    with_redis = json.loads(
        run_python(SHOW_SETTINGS, DJANGO_SECRET_KEY="x" * 50, REDIS_URL="redis://127.0.0.1:6379/0").stdout
    )
    assert with_redis["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_secret_key_is_required_outside_debug():
    r = run_python(SHOW_SETTINGS)
    assert r.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in r.stderr
    debug = run_python(SHOW_SETTINGS, DJANGO_DEBUG="1")
    assert debug.returncode == 0, debug.stderr
    assert json.loads(debug.stdout)["debug"] is True


def test_leaderboard_currency_comes_from_the_environment_and_must_be_a_currency_code():
    show = "import django; from django.conf import settings; django.setup(); print(settings.LEADERBOARD_CURRENCY)"
    assert run_python(show, DJANGO_SECRET_KEY="x" * 50).stdout.strip() == "USD"
    assert run_python(show, DJANGO_SECRET_KEY="x" * 50, LEADERBOARD_CURRENCY="eur").stdout.strip() == "EUR"
    assert run_python(show, DJANGO_SECRET_KEY="x" * 50, LEADERBOARD_CURRENCY="usdt").stdout.strip() == "USDT"
    bad = run_python(show, DJANGO_SECRET_KEY="x" * 50, LEADERBOARD_CURRENCY="US$")
    assert bad.returncode != 0
    assert "LEADERBOARD_CURRENCY: The currency must be 3 to 6 letters or digits" in bad.stderr


def test_deploy_check_is_clean_with_production_settings():
    r = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SECRET_KEY": "k" * 20 + "Zq9!x" * 10, "DJANGO_SECURE_SSL": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("path", ["/api/v1/anything", "/api/v1/anything/", "/api/v1/", "/api/v1/a/b/c"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_path_is_json_404(client, path, method):
    r = getattr(client, method)(path)
    assert r.status_code == 404, r.content
    assert r["Content-Type"] == "application/json"
    assert r.json() == {"error": "Not found."}


@pytest.mark.urls("tests.error_urls")
def test_wrong_method_is_json_405_with_allow(client):
    r = client.post("/api/v1/_test/get-only")
    assert r.status_code == 405, r.content
    assert r.json() == {"error": 'Method "POST" not allowed.'}
    assert "GET" in r["Allow"]


@pytest.mark.urls("tests.error_urls")
@pytest.mark.parametrize("path", ["/api/v1/_test/boom", "/api/v1/_test/django-boom"])
@pytest.mark.parametrize("debug", [False, True])
def test_unhandled_exception_is_logged_json_500_saying_nothing_internal(client, settings, caplog, path, debug):
    settings.DEBUG = debug
    client.raise_request_exception = False
    r = client.get(path)
    assert r.status_code == 500
    assert r["Content-Type"] == "application/json"
    assert r.json() == {"error": "Internal server error"}
    assert b"secret internal detail" not in r.content
    tracebacks = [rec for rec in caplog.records if rec.exc_info]
    assert tracebacks, "the 500 was not logged with its traceback"
    assert "secret internal detail" in str(tracebacks[0].exc_info[1])


def test_disallowed_host_on_api_is_json(client):
    r = client.get("/api/v1/trades", HTTP_HOST="evil.example")
    assert r.status_code == 400
    assert r.json() == {"error": "Bad Request"}


@pytest.mark.django_db
def test_healthz_and_readyz_answer_200_when_everything_answers(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200, r.content
    assert r.json() == {"status": "ok", "database": "up"}


DEAD_DATABASE = {
    # Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
    "DATABASE_URL": "postgres://postgres@127.0.0.1:9/none?connect_timeout=2",
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "testserver",
    "DJANGO_SECURE_SSL": "0",
}
CALL_WITH_DEAD_DATABASE = """
import json, django, logging
django.setup()
from django.test import Client
logging.disable(logging.NOTSET)
out = {}
for path in ("/healthz", "/readyz", "/api/v1/trades", "/api/v1/leaderboard", "/dashboard/", "/accounts/login/"):
    r = Client().get(path, HTTP_AUTHORIZATION="Bearer tj_abcdefghij_" + "x" * 40)
    out[path] = [r.status_code, r.get("Content-Type"), r.get("Retry-After"), r.content.decode()[:200]]
print(json.dumps(out))
"""


def test_with_the_database_down_liveness_holds_readiness_fails_and_requests_get_a_quick_503():
    r = run_python(CALL_WITH_DEAD_DATABASE, **DEAD_DATABASE)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["/healthz"][0] == 200
    assert out["/readyz"][0] == 503
    assert json.loads(out["/readyz"][3]) == {"status": "unavailable", "database": "down"}
    for path in ("/api/v1/trades", "/api/v1/leaderboard"):
        status, content_type, retry_after, body = out[path]
        assert (status, content_type, retry_after) == (503, "application/json", "5"), out[path]
        assert json.loads(body) == {"error": "The database is unavailable; retry shortly."}
    # The dashboard redirects to the sign-in page, which needs no database to be shown.
    assert [out["/dashboard/"][0], out["/accounts/login/"][0]] == [302, 200]
    # One line for the outage, not a traceback per request.
    assert "Traceback" not in r.stdout + r.stderr
    assert (r.stdout + r.stderr).count("Database unavailable") == 1


def test_ping_needs_no_key(client):
    r = client.get("/api/v1/ping")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
