"""Bearer API-key authentication: every way a key can fail, and what a good key costs."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from apikeys.authentication import ApiKeyAuthentication
from apikeys.models import ApiKey
from apikeys.serializers import ApiKeySerializer
from tests.factories import make_key, make_user

URL = "/api/v1/key"
SECRET40 = "A" * 40


def assert_401(r, message: str) -> None:
    assert r.status_code == 401, r.content
    assert r.json() == {"error": message}
    assert r["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "API key required: send 'Authorization: Bearer <key>'."),
        ("Basic dXNlcjpwYXNz", "API key required: send 'Authorization: Bearer <key>'."),
        ("Bearer", "Malformed Authorization header: expected 'Bearer <key>'."),
        ("Bearer a b", "Malformed Authorization header: expected 'Bearer <key>'."),
        ("Bearer not-a-key", "Malformed API key."),
        (f"Bearer tj_UPPERCASE0_{SECRET40}", "Malformed API key."),
        (f"Bearer tj_0123456789_{SECRET40}", "Invalid API key."),
    ],
)
def test_missing_or_bad_header_is_401_with_www_authenticate(client, header, message):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    assert_401(client.get(URL, **headers), message)


@pytest.mark.django_db
def test_right_prefix_with_wrong_secret_reads_like_an_unknown_key(client):
    _api_key, key = make_key()
    wrong = key[:-1] + ("b" if key[-1] != "b" else "c")
    assert_401(client.get(URL, HTTP_AUTHORIZATION=f"Bearer {wrong}"), "Invalid API key.")


@pytest.mark.django_db
def test_revoked_key_is_refused_on_the_very_next_request(client):
    api_key, key = make_key()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    ApiKey.objects.get(pk=api_key.pk).revoke()
    assert_401(client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}"), "API key revoked.")


@pytest.mark.django_db
def test_expired_key_is_refused_at_once(client):
    api_key, key = make_key(expires_at=timezone.now() + timedelta(hours=1))
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    ApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_401(client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}"), "API key expired.")


@pytest.mark.django_db
def test_key_of_disabled_account_is_refused(client):
    user = make_user()
    _, key = make_key(user)
    user.is_active = False
    user.save()
    assert_401(client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}"), "The account of this API key is disabled.")


@pytest.mark.django_db
@pytest.mark.parametrize("param", ["api_key", "key", "token", "access_token"])
def test_key_in_query_string_is_never_read(client, param):
    _, key = make_key()
    assert_401(client.get(f"{URL}?{param}={key}"), "API key required: send 'Authorization: Bearer <key>'.")


@pytest.mark.django_db
def test_valid_key_describes_itself(client):
    user = make_user("alice")
    api_key, key = make_key(user, scopes=["trades:read"], name="laptop")
    r = client.get(URL, HTTP_AUTHORIZATION=f"bearer {key}")  # the scheme is case-insensitive
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["prefix"] == api_key.display_prefix
    assert key.startswith(body["prefix"] + "_")
    assert (body["user"], body["name"], body["scopes"], body["expires_at"]) == (
        "alice",
        "laptop",
        ["trades:read"],
        None,
    )


@pytest.mark.django_db
def test_key_format_is_recognisable_and_long():
    _, key = make_key()
    prefix, _, secret = key.removeprefix("tj_").partition("_")
    assert key.startswith("tj_")
    assert len(prefix) == 10
    assert len(secret) == 40 and secret.isalnum()  # 40 base62 characters: ~238 bits


@pytest.mark.django_db
def test_database_holds_no_plaintext_key(capsys):
    keys = [make_key()[1] for _ in range(3)]
    call_command("dumpdata", "apikeys", "auth", "--format=json")
    dump = capsys.readouterr().out
    assert ApiKey.objects.count() == 3
    for key in keys:
        secret = key.rsplit("_", 1)[1]
        assert secret not in dump
        assert key not in dump


@pytest.mark.django_db
def test_authentication_is_two_small_queries_and_no_password_hashing(django_assert_num_queries):
    # Without Redis: this address's failed-authentication count, then the key by its prefix.
    api_key, key = make_key()
    request = APIRequestFactory().get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    ApiKeyAuthentication().authenticate(request)  # first use records last_used_at
    with (
        mock.patch("django.contrib.auth.hashers.check_password", side_effect=AssertionError("hasher called")),
        mock.patch("django.contrib.auth.hashers.make_password", side_effect=AssertionError("hasher called")),
        django_assert_num_queries(2),
    ):
        user, authenticated_key = ApiKeyAuthentication().authenticate(request)
    assert (user, authenticated_key) == (api_key.user, api_key)


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute(client):
    api_key, key = make_key()
    start = timezone.now()
    with mock.patch("apikeys.authentication.timezone.now", return_value=start):
        client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    api_key.refresh_from_db()
    assert api_key.last_used_at == start
    with mock.patch("apikeys.authentication.timezone.now", return_value=start + timedelta(seconds=59)):
        client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    api_key.refresh_from_db()
    assert api_key.last_used_at == start
    later = start + timedelta(seconds=61)
    with mock.patch("apikeys.authentication.timezone.now", return_value=later):
        client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    api_key.refresh_from_db()
    assert api_key.last_used_at == later


@pytest.mark.django_db
def test_failed_authentication_is_limited_per_client_address(client, settings):
    settings.API_AUTH_FAILURE_RATE_LIMIT = "3/day"
    bad = f"Bearer tj_0123456789_{SECRET40}"
    for _ in range(3):
        assert client.get(URL, HTTP_AUTHORIZATION=bad).status_code == 401
    r = client.get(URL, HTTP_AUTHORIZATION=bad)
    assert r.status_code == 429, r.content
    assert r.json()["error"].startswith("Too many failed authentication attempts. Expected available in ")
    assert int(r["Retry-After"]) > 0
    other_address = client.get(URL, HTTP_AUTHORIZATION=bad, REMOTE_ADDR="10.9.9.9")
    assert other_address.status_code == 401


@pytest.mark.django_db
def test_the_authentication_lookup_loads_what_the_orm_loads():
    user = make_user("loader", email="l@example.com")
    api_key, _ = make_key(user, scopes=["stats:read", "trades:read"], expires_at=timezone.now() + timedelta(days=3))
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    loaded = ApiKey.objects.get_for_authentication(api_key.prefix)
    expected = ApiKey.objects.select_related("user").get(pk=api_key.pk)
    for field in ApiKey._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    for field in type(user)._meta.concrete_fields:
        assert getattr(loaded.user, field.attname) == getattr(expected.user, field.attname), field.name
    assert loaded.expires_at.tzinfo is not None and loaded.user.is_active is True
    assert ApiKey.objects.get_for_authentication("0000000000") is None


@pytest.mark.django_db
def test_the_key_describes_itself_exactly_as_its_serializer_states(client):
    api_key, key = make_key(expires_at=timezone.now() + timedelta(days=3))
    client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}")
    api_key.refresh_from_db()
    r = client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.json() == ApiKeySerializer(api_key).data == ApiKeySerializer.describe(api_key)
