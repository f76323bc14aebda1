"""Scopes: every endpoint x method x scope. The right scope passes, every other gets the exact 403."""

import pytest
from rest_framework.test import APIClient

from apikeys.scopes import ALL_SCOPES
from tests.factories import make_key, make_trade, make_user

# (method, path, the scope it needs); "{id}" is a trade of the key's owner.
ENDPOINTS = [
    ("get", "/api/v1/trades", "trades:read"),
    ("post", "/api/v1/trades", "trades:write"),
    ("get", "/api/v1/trades/{id}", "trades:read"),
    ("patch", "/api/v1/trades/{id}", "trades:write"),
    ("put", "/api/v1/trades/{id}", "trades:write"),
    ("delete", "/api/v1/trades/{id}", "trades:write"),
    ("get", "/api/v1/stats", "stats:read"),
    ("get", "/api/v1/leaderboard", "leaderboard:read"),
]
BODY = {"instrument": "BTCUSDT", "side": "long", "quantity": 1, "entry_time": "2025-03-15T10:30:00Z",
        "entry_price": 100}  # fmt: skip
SUCCESS = {"get": 200, "post": 201, "patch": 200, "put": 200, "delete": 204}


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "needed"), ENDPOINTS)
@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_each_endpoint_needs_exactly_its_scope(method, path, needed, scope):
    owner = make_user()
    trade = make_trade(owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(owner, scopes=[scope])[1]}")
    r = getattr(client, method)(path.format(id=trade.pk), BODY, format="json")
    if scope == needed:
        assert r.status_code == SUCCESS[method], r.content
    else:
        assert r.status_code == 403, r.content
        assert r.json() == {"error": f"Insufficient scope: {needed} required"}


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "needed"), ENDPOINTS)
def test_a_key_with_every_other_scope_is_still_refused(method, path, needed):
    owner = make_user()
    trade = make_trade(owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(owner, scopes=[s for s in ALL_SCOPES if s != needed])[1]}")
    r = getattr(client, method)(path.format(id=trade.pk), BODY, format="json")
    assert r.status_code == 403, r.content
    assert r.json() == {"error": f"Insufficient scope: {needed} required"}


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "needed"), ENDPOINTS)
def test_no_key_is_401_before_any_scope_check(client, method, path, needed):
    r = getattr(client, method)(path.format(id=1), BODY, content_type="application/json")
    assert r.status_code == 401
    assert r["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.django_db
def test_a_method_an_endpoint_lacks_is_405_not_403(client):
    _, key = make_key(scopes=["stats:read"])
    r = client.post("/api/v1/stats", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 405, r.content
