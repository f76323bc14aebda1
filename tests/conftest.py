"""Shared fixtures: API clients holding real keys, and the live-server site."""

import os

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apikeys.scopes import ALL_SCOPES
from tests.factories import make_key, make_user
from tests.live import LiveSite, PrivatePostgres, chromium, create_live_site


@pytest.fixture
def user(db):
    return make_user()


@pytest.fixture
def key(user) -> str:
    return make_key(user, scopes=ALL_SCOPES)[1]


@pytest.fixture
def api(key) -> APIClient:
    """A client authenticated with an all-scope key of `user`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def web(user) -> Client:
    """`user` signed in on the web journal; `api` holds a key of theirs."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def schema(client, db) -> dict:
    """The OpenAPI schema the API publishes, as JSON."""
    r = client.get("/api/v1/schema?format=json")
    assert r.status_code == 200, r.content
    return r.json()


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture(scope="session")
def live_site(tmp_path_factory) -> LiveSite:
    """A database of its own, migrated, for real gunicorn servers (see tests/live.py)."""
    site = create_live_site(tmp_path_factory.mktemp("live"))
    yield site
    site.drop()


@pytest.fixture
def private_postgres() -> PrivatePostgres:
    """A PostgreSQL cluster of the test's own, to stop, restart or freeze (PostgreSQL runs only)."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("a PostgreSQL fault test: it runs in the suite's PostgreSQL pass")
    if not PrivatePostgres.available():
        pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    server = PrivatePostgres()
    server.init()
    yield server
    server.remove()


@pytest.fixture
def django_settings_override(settings):
    """No rate limit in the way of tests that send many requests."""
    settings.API_KEY_RATE_LIMIT = "1000000/day"
    return settings


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, one for the whole run (the browser tests skip without it)."""
    with chromium() as browser:
        yield browser
