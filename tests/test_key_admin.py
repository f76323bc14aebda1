"""The admin for API keys: list, search, create with the secret shown once, revoke."""

import re

import pytest
from django.contrib.auth import get_user_model

from apikeys.models import ApiKey
from tests.factories import make_key, make_user


@pytest.fixture
def admin_client(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    return client


def test_keys_are_listed_with_owner_prefix_and_scopes_and_searchable(admin_client):
    a, _ = make_key(make_user("alice"), scopes=["stats:read"], name="alpha")
    b, _ = make_key(make_user("bob"), name="beta")
    r = admin_client.get("/admin/apikeys/apikey/")
    assert r.status_code == 200
    page = r.content.decode()
    for text in (a.display_prefix, b.display_prefix, "alice", "bob", "alpha", "stats:read"):
        assert text in page
    by_prefix = admin_client.get("/admin/apikeys/apikey/", {"q": a.prefix}).content.decode()
    assert a.display_prefix in by_prefix and b.display_prefix not in by_prefix
    by_user = admin_client.get("/admin/apikeys/apikey/", {"q": "bob"}).content.decode()
    assert b.display_prefix in by_user and a.display_prefix not in by_user


def test_adding_a_key_shows_the_secret_once_and_stores_only_its_digest(admin_client, client):
    owner = make_user("carol")
    r = admin_client.post(
        "/admin/apikeys/apikey/add/",
        {"user": owner.pk, "name": "from admin", "scopes": ["trades:read", "stats:read"]},
    )
    assert r.status_code == 200, r.content
    key = re.search(r'id="new-api-key"[^>]*>(tj_[a-z0-9]{10}_[A-Za-z0-9]{40})<', r.content.decode()).group(1)
    api_key = ApiKey.objects.get()
    assert (api_key.user, api_key.scopes) == (owner, ["trades:read", "stats:read"])
    assert key.rsplit("_", 1)[1] not in str(ApiKey.objects.values().get())
    change_page = admin_client.get(f"/admin/apikeys/apikey/{api_key.pk}/change/").content.decode()
    assert key not in change_page
    assert api_key.display_prefix in change_page
    assert client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_revoke_action_stops_the_keys_on_the_next_request(admin_client, client):
    a, key_a = make_key(name="a")
    _b, key_b = make_key(name="b")
    r = admin_client.post("/admin/apikeys/apikey/", {"action": "revoke", "_selected_action": [a.pk]}, follow=True)
    assert "Revoked 1 API key(s)." in r.content.decode()
    assert client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key_a}").status_code == 401
    assert client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key_b}").status_code == 200
