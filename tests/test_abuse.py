"""Abuse controls: who a client is, failed-authentication and sign-in limits, sign-up limits,
look-alike names, pages that must not be cached, and rows that expire."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from apikeys.models import RateLimitCounter
from core.models import IdempotencyKey
from leaderboard.models import TraderProfile
from tests.factories import REFERENCE_BODY, make_key, make_user

pytestmark = pytest.mark.django_db

WRONG_KEY = "tj_abcdefghij_" + "x" * 40


@pytest.fixture
def limits(settings):
    settings.API_AUTH_FAILURE_RATE_LIMIT = "3/minute"
    settings.LOGIN_RATE_LIMIT = "3/hour"
    settings.LOGIN_GLOBAL_RATE_LIMIT = "9/hour"  # looser than per address, as the defaults are (ten times)
    settings.SIGNUP_RATE_LIMIT = "2/hour"
    return settings


def fail_auth(client, **meta):
    return client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {WRONG_KEY}", **meta)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(client, limits):
    limits.NUM_PROXIES = 0
    codes = [fail_auth(client, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429], "rotating X-Forwarded-For escaped the limit"


def test_a_spoofed_forwarded_address_cannot_lock_out_its_owner(client, limits):
    limits.NUM_PROXIES = 0
    for _ in range(5):
        fail_auth(client, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    _, key = make_key()
    r = client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="198.51.100.7")
    assert r.status_code == 200, r.content


def test_behind_one_proxy_the_address_it_saw_counts(client, limits):
    limits.NUM_PROXIES = 1
    for _ in range(3):
        fail_auth(client, HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.7")
    assert fail_auth(client, HTTP_X_FORWARDED_FOR="other, 198.51.100.7").status_code == 429
    assert fail_auth(client, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 401


@pytest.mark.parametrize("forwarded", ["x" * 120, "1" * 500 + ", 2", "::ffff:zz", "", ", , ,"])
def test_a_forwarded_address_that_is_no_address_falls_back_to_the_socket(client, limits, forwarded):
    limits.NUM_PROXIES = 1
    assert fail_auth(client, HTTP_X_FORWARDED_FOR=forwarded).status_code == 401


def test_rotating_ipv6_addresses_within_a_64_counts_as_one_client(client, limits):
    codes = [fail_auth(client, REMOTE_ADDR=f"2001:db8:1:2::{i:x}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    assert fail_auth(client, REMOTE_ADDR="2001:db8:1:3::1").status_code == 401


def test_past_the_failure_limit_even_the_right_key_is_refused_unchecked(client, limits):
    for _ in range(3):
        fail_auth(client)
    _, key = make_key()
    r = client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 429, r.content
    assert r.json()["error"].startswith("Too many failed authentication attempts.")
    assert int(r["Retry-After"]) > 0


@pytest.mark.parametrize("login_path", ["/accounts/login/", "/admin/login/"])
def test_password_guessing_is_limited_per_address(client, limits, login_path):
    make_user("dana", password="correct horse battery", is_staff=True)
    for attempt in range(3):
        r = client.post(login_path, {"username": "dana", "password": f"guess {attempt}"})
        assert r.status_code == 200 and "enter the correct username" in r.content.decode().replace(
            "a correct", "the correct"
        )
    r = client.post(login_path, {"username": "dana", "password": "correct horse battery"})
    assert "Too many failed sign-in attempts" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_guessing_is_limited_per_username_from_many_addresses(client, limits):
    make_user("dana", password="correct horse battery")
    for attempt in range(9):
        client.post("/accounts/login/", {"username": "Dana", "password": f"guess {attempt}"},
                    REMOTE_ADDR=f"192.0.2.{attempt}")  # fmt: skip
    r = client.post("/accounts/login/", {"username": "dana", "password": "correct horse battery"},
                    REMOTE_ADDR="192.0.2.200")  # fmt: skip
    assert "Too many failed sign-in attempts" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_guesses_from_other_addresses_do_not_lock_the_trader_out(client, limits):
    make_user("dana", password="correct horse battery")
    for address in ("198.51.100.1", "198.51.100.2"):
        for attempt in range(4):
            r = client.post("/accounts/login/", {"username": "dana", "password": f"guess {attempt}"},
                            REMOTE_ADDR=address)  # fmt: skip
        assert "Too many failed sign-in attempts" in r.content.decode()
    r = client.post("/accounts/login/", {"username": "dana", "password": "correct horse battery"},
                    REMOTE_ADDR="203.0.113.5")  # fmt: skip
    assert r.status_code == 302, r.content
    assert client.session["_auth_user_id"]


def test_one_address_guessing_many_usernames_is_bounded(client, limits):
    make_user("zoe", password="correct horse battery")
    for attempt in range(9):
        client.post("/accounts/login/", {"username": f"someone{attempt}", "password": "guess"})
    r = client.post("/accounts/login/", {"username": "zoe", "password": "correct horse battery"})
    assert "Too many failed sign-in attempts" in r.content.decode()


def signup(client, name: str, **meta):
    password = "a-long-unusual-pass-42"
    return client.post("/accounts/signup/", {"username": name, "password1": password, "password2": password}, **meta)


def test_sign_ups_are_limited_per_address(client, limits):
    assert signup(client, "one").status_code == 302
    client.logout()
    assert signup(client, "two").status_code == 302
    client.logout()
    r = signup(client, "three")
    assert r.status_code == 400
    assert "Too many accounts were created from your network" in r.content.decode()
    assert not get_user_model().objects.filter(username="three").exists()
    assert signup(client, "four", REMOTE_ADDR="192.0.2.50").status_code == 302


LOOK_ALIKES = ["\u0430lice", "\uff41\uff4c\uff49\uff43\uff45", "AIice", "ALICE"]  # Cyrillic a, fullwidth


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_a_display_name_that_looks_like_another_traders_is_refused(client, name):
    make_user("alice")
    client.force_login(make_user("mallory"))
    r = client.post("/dashboard/profile/", {"display_name": name})
    assert r.status_code == 400
    assert "This name is already taken by another trader." in r.content.decode()


def test_two_look_alike_display_names_cannot_both_be_stored(db):
    TraderProfile.objects.create(user=make_user("one"), display_name="TraderAce")
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        TraderProfile.objects.create(user=make_user("two"), display_name="Tr\u0430derAce")


def test_a_display_name_with_invisible_characters_is_refused(client):
    client.force_login(make_user("mallory"))
    r = client.post("/dashboard/profile/", {"display_name": "Ace\u200d"})
    assert "invisible characters" in r.content.decode()


# Each shows as nothing or as a blank: Unicode's default-ignorable code points (a variation selector,
# the grapheme joiner, Hangul fillers, a Mongolian selector, a Khmer inherent vowel) and the Braille blank.
INVISIBLES = ["\ufe0f", "\u034f", "\u3164", "\uffa0", "\u1160", "\u2800", "\u180b", "\u17b4"]


@pytest.mark.parametrize("invisible", INVISIBLES)
def test_a_public_name_with_an_invisible_character_added_is_refused(client, invisible):
    TraderProfile.objects.create(user=make_user("someone"), display_name="TraderAce")
    client.force_login(make_user("mallory"))
    for name in ("TraderAce" + invisible, "Trader" + invisible + "Ace", "someone" + invisible):
        r = client.post("/dashboard/profile/", {"display_name": name})
        assert r.status_code == 400, name
    assert not TraderProfile.objects.filter(user__username="mallory").exists()


@pytest.mark.parametrize("invisible", INVISIBLES)
def test_look_alikes_that_differ_by_an_invisible_character_cannot_both_be_stored(invisible):
    from django.db import IntegrityError

    TraderProfile.objects.create(user=make_user("one"), display_name="TraderAce")
    with pytest.raises(IntegrityError):
        TraderProfile.objects.create(user=make_user("two"), display_name="Trader" + invisible + "Ace")


@pytest.mark.parametrize("name", ["\u2800", "\u3164\u3164", "\u115f\u1160", "\ufe0f"])
def test_a_display_name_of_nothing_but_blanks_is_refused(client, name):
    client.force_login(make_user("mallory"))
    r = client.post("/dashboard/profile/", {"display_name": name})
    assert r.status_code == 400
    assert not TraderProfile.objects.filter(user__username="mallory").exists()


def test_names_that_differ_only_in_their_spacing_look_alike(client):
    TraderProfile.objects.create(user=make_user("someone"), display_name="Ace Trader")
    client.force_login(make_user("mallory"))
    r = client.post("/dashboard/profile/", {"display_name": "Ace  Trader"})
    assert "This name is already taken by another trader." in r.content.decode()


def test_a_username_that_looks_like_a_stored_name_with_invisible_characters_is_refused(client):
    TraderProfile.objects.create(user=make_user("someone"), display_name="bob\u3164")
    r = signup(client, "bob")
    assert r.status_code == 400
    assert not get_user_model().objects.filter(username="bob").exists()


@pytest.mark.parametrize("username", ["\u0430lice", "Alice", "AIice"])
def test_a_username_that_looks_like_a_public_name_is_refused_at_sign_up(client, username):
    TraderProfile.objects.create(user=make_user("someone"), display_name="alice")
    r = signup(client, username)
    assert r.status_code == 400
    assert not get_user_model().objects.filter(username=username).exists()


def test_the_page_showing_a_new_key_is_never_cached(client):
    client.force_login(make_user("dana"))
    r = client.post("/dashboard/keys/", {"name": "phone", "scopes": ["trades:read"]})
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]


@pytest.mark.parametrize("path", ["/api/v1/trades", "/api/v1/stats", "/api/v1/leaderboard", "/api/v1/key"])
def test_options_answers_what_allow_lists(api, path):
    r = api.options(path)
    assert r.status_code == 200, r.content
    assert "OPTIONS" in r["Allow"]
    assert r.json() == {"methods": [m.strip() for m in r["Allow"].split(",")]}


def test_purge_deletes_what_has_expired_and_keeps_the_rest(api, user):
    for key in ("old", "new"):
        api.post("/api/v1/trades", REFERENCE_BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    now = int(time.time())
    RateLimitCounter.objects.create(bucket="authfail:192.0.2.1", window_start=now - 90_000, hits=9)
    RateLimitCounter.objects.create(bucket="authfail:192.0.2.2", window_start=now - 60, hits=1)
    call_command("purge")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert set(RateLimitCounter.objects.values_list("bucket", flat=True)) >= {"authfail:192.0.2.2"}
    assert not RateLimitCounter.objects.filter(bucket="authfail:192.0.2.1").exists()
