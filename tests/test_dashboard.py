"""The key dashboard: sign up, log in, generate a key (shown once), revoke it."""

import re

import pytest
from django.test import Client

from apikeys.models import ApiKey
from tests.factories import make_key, make_user

KEY_ON_PAGE = re.compile(r'id="new-api-key">(tj_[a-z0-9]{10}_[A-Za-z0-9]{40})<')


@pytest.fixture
def trader(db):
    return make_user("dana", password="correct horse battery")


@pytest.fixture
def logged_in(client, trader):
    client.force_login(trader)
    return client


def test_dashboard_requires_login(client, db):
    for page in ("/dashboard/", "/dashboard/keys/"):
        r = client.get(page)
        assert r.status_code == 302
        assert r["Location"].startswith("/accounts/login/")


def test_root_leads_to_the_dashboard(client, db):
    assert client.get("/")["Location"] == "/dashboard/"


def test_login_with_password_reaches_the_dashboard(client, trader):
    r = client.post("/accounts/login/", {"username": "dana", "password": "correct horse battery"}, follow=True)
    assert r.redirect_chain[-1][0] == "/dashboard/"
    assert "Generate API token" in client.get("/dashboard/keys/").content.decode()


def test_generate_shows_the_key_once_with_curl_and_it_works(logged_in, client, trader):
    r = logged_in.post(
        "/dashboard/keys/", {"name": "phone", "scopes": ["trades:read", "leaderboard:read"], "expires_in_days": "30"}
    )
    assert r.status_code == 200
    page = r.content.decode()
    key = KEY_ON_PAGE.search(page).group(1)
    assert f"Authorization: Bearer {key}" in page
    api_key = ApiKey.objects.get()
    assert (api_key.user, api_key.name, api_key.scopes) == (trader, "phone", ["trades:read", "leaderboard:read"])
    assert 29.9 < (api_key.expires_at - api_key.created_at).total_seconds() / 86400 <= 30
    again = logged_in.get("/dashboard/keys/").content.decode()
    assert key not in again
    assert api_key.display_prefix in again
    assert Client().get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_generate_without_scopes_is_refused(logged_in):
    r = logged_in.post("/dashboard/keys/", {"name": "x"})
    assert r.status_code == 400
    assert "This field is required." in r.content.decode()
    assert ApiKey.objects.count() == 0


def test_revoke_from_the_dashboard_stops_the_key(logged_in, trader):
    api_key, key = make_key(trader)
    r = logged_in.post(f"/dashboard/keys/{api_key.pk}/revoke/", follow=True)
    assert r.redirect_chain == [("/dashboard/keys/", 302)]
    assert f"({api_key.display_prefix}) is revoked" in r.content.decode()
    assert Client().get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_revoking_a_key_asks_first_and_a_look_at_the_question_revokes_nothing(logged_in, trader):
    api_key, key = make_key(trader, name="Bot")
    page = logged_in.get("/dashboard/keys/").content.decode()
    assert f'<a href="/dashboard/keys/{api_key.pk}/revoke/"' in page  # a link to the question, not a POST
    assert f'action="/dashboard/keys/{api_key.pk}/revoke/"' not in page
    r = logged_in.get(f"/dashboard/keys/{api_key.pk}/revoke/")
    assert r.status_code == 200
    question = r.content.decode()
    assert "Revoke key “Bot”?" in question and api_key.display_prefix in question
    assert '<button type="submit" class="danger">Revoke</button>' in question
    assert 'href="/dashboard/keys/">Cancel</a>' in question
    assert Client().get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200  # still works
    r = logged_in.post(f"/dashboard/keys/{api_key.pk}/revoke/", follow=True)
    assert r.redirect_chain == [("/dashboard/keys/", 302)]
    assert Client().get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_trader_cannot_see_or_revoke_anothers_keys(logged_in):
    other_key, key = make_key(make_user("eve"))
    assert other_key.display_prefix not in logged_in.get("/dashboard/keys/").content.decode()
    assert logged_in.post(f"/dashboard/keys/{other_key.pk}/revoke/").status_code == 404
    assert logged_in.get(f"/dashboard/keys/{other_key.pk}/revoke/").status_code == 404
    assert Client().get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_forms_are_csrf_protected(trader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trader)
    assert client.post("/dashboard/keys/", {"name": "x", "scopes": ["trades:read"]}).status_code == 403
    assert ApiKey.objects.count() == 0


def test_signup_creates_an_account_and_logs_in(client, db):
    r = client.post(
        "/accounts/signup/",
        {"username": "newbie", "password1": "a-long-unusual-pass-42", "password2": "a-long-unusual-pass-42"},
        follow=True,
    )
    assert r.redirect_chain[-1][0] == "/dashboard/"
    assert "newbie" in r.content.decode()


def test_operator_can_turn_signup_off(client, settings, db):
    settings.SIGNUP_ENABLED = False
    assert client.get("/accounts/signup/").status_code == 404
    assert "Sign up" not in client.get("/accounts/login/").content.decode()


def test_dashboard_has_its_title_and_each_form_once(logged_in):
    page = logged_in.get("/dashboard/keys/").content.decode()
    assert "<title>API keys · TradeJournal</title>" in page
    assert page.count('id="profile-form"') == 1
    assert page.count('id="generate-form"') == 1


def test_pages_are_made_for_phones_and_load_nothing_external(logged_in):
    page = logged_in.get("/dashboard/keys/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_trader_sets_a_display_name_and_can_leave_the_leaderboard(logged_in, trader):
    from leaderboard.models import TraderProfile

    r = logged_in.post("/dashboard/profile/", {"display_name": "  DanaTrades "})
    assert r.status_code == 302
    profile = TraderProfile.objects.get(user=trader)
    assert (profile.display_name, profile.hidden_from_leaderboard) == ("DanaTrades", False)
    logged_in.post("/dashboard/profile/", {"display_name": "DanaTrades", "hidden_from_leaderboard": "on"})
    profile.refresh_from_db()
    assert profile.hidden_from_leaderboard is True


@pytest.mark.parametrize("name", ["eve", "EVE", "TakenName", "takenname"])
def test_a_display_name_taken_by_another_trader_is_refused(logged_in, trader, name):
    from leaderboard.models import TraderProfile

    TraderProfile.objects.create(user=make_user("eve"), display_name="TakenName")
    r = logged_in.post("/dashboard/profile/", {"display_name": name})
    assert r.status_code == 400
    assert "This name is already taken by another trader." in r.content.decode()
    assert not TraderProfile.objects.filter(user=trader).exists()


def test_reloading_the_page_a_key_was_shown_on_shows_the_keys_not_the_key(logged_in):
    shown = logged_in.post("/dashboard/keys/", {"name": "x", "scopes": ["trades:read"]}).content.decode()
    key = KEY_ON_PAGE.search(shown).group(1)
    again = logged_in.get("/dashboard/keys/")
    assert again.status_code == 200
    assert key not in again.content.decode()
    assert "no-store" in again["Cache-Control"]


def test_a_saved_profile_says_so(logged_in):
    r = logged_in.post("/dashboard/profile/", {"display_name": "Saver"}, follow=True)
    assert "Leaderboard profile saved." in r.content.decode()


def test_the_favicon_is_served_without_a_warning(client, db):
    r = client.get("/favicon.ico", follow=True)
    assert r.status_code == 200
    assert r.redirect_chain[0][1] == 301
