"""/api/v1/accounts: CRUD of the owner's accounts, names unique in any case, 409 on deleting one
with trades, isolation, and the account on a trade."""

import pytest
from rest_framework.test import APIClient

from apikeys.scopes import ALL_SCOPES
from journal.accounts_api import ACCOUNT_HOLDS_TRADES, AccountSerializer
from journal.models import Account, Trade
from tests.factories import REFERENCE_BODY, make_account, make_key, make_trade, make_user

pytestmark = pytest.mark.django_db

KEYS = ["id", "name", "broker", "external_id", "currency", "starting_balance", "created_at"]


def create(api, body: dict, status: int = 201) -> dict:
    r = api.post("/api/v1/accounts", body, format="json")
    assert r.status_code == status, r.content
    return r.json()


def details(r) -> dict:
    assert r.status_code == 422, r.content
    assert r.json()["error"] == "Validation failed"
    return r.json()["details"]


def test_create_answers_the_account_with_its_defaults_and_location(api, user):
    r = api.post("/api/v1/accounts", {"name": "IBKR margin"}, format="json")
    assert r.status_code == 201, r.content
    account = Account.objects.get()
    body = r.json()
    assert list(body) == KEYS
    assert body == {"id": account.pk, "name": "IBKR margin", "broker": "", "external_id": None, "currency": "USD",
                    "starting_balance": None, "created_at": body["created_at"]}  # fmt: skip
    assert body["created_at"].endswith("Z") and len(body["created_at"]) == 27
    assert r["Location"] == f"http://testserver/api/v1/accounts/{account.pk}"
    assert account.user == user


def test_create_with_every_field(api):
    body = create(api, {"name": "Prop", "broker": "Topstep", "external_id": "TS-0042", "currency": "eur",
                        "starting_balance": "50000.5"})  # fmt: skip
    assert {k: body[k] for k in KEYS[1:6]} == {"name": "Prop", "broker": "Topstep", "external_id": "TS-0042",
                                               "currency": "EUR", "starting_balance": 50000.5}  # fmt: skip


def test_a_quote_asset_is_a_currency_of_its_own_up_to_six_letters_or_digits(api):
    assert create(api, {"name": "Binance USDT", "currency": "usdt"})["currency"] == "USDT"
    assert create(api, {"name": "Binance FDUSD", "currency": "FDUSD"})["currency"] == "FDUSD"
    assert create(api, {"name": "Spot BTC", "currency": "BTC"})["currency"] == "BTC"
    assert set(Account.objects.values_list("currency", flat=True)) == {"USDT", "FDUSD", "BTC"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {"name": ["The name field is required."]}),
        ({"name": ""}, {"name": ["The name must be 1 to 64 characters, without control characters or a space at "
                                 "either end."]}),
        ({"name": " padded"}, {"name": ["The name must be 1 to 64 characters, without control characters or a "
                                        "space at either end."]}),
        ({"name": "x" * 65}, {"name": ["Ensure this field has no more than 64 characters."]}),
        ({"name": "A", "currency": "US"}, {"currency": ["The currency must be 3 to 6 letters or digits: an ISO 4217 code (USD) or a quote asset (USDT)."]}),
        ({"name": "A", "currency": "US-1"}, {"currency": ["The currency must be 3 to 6 letters or digits: an ISO 4217 code (USD) or a quote asset (USDT)."]}),
        ({"name": "A", "currency": "USDTUSD"}, {"currency": ["Ensure this field has no more than 6 characters."]}),
        ({"name": "A", "starting_balance": -1}, {"starting_balance": ["The starting_balance must be at least 0."]}),
        ({"name": "A", "external_id": ""}, {"external_id": ["The external_id must be 1 to 64 characters, without "
                                                            "control characters or a space at either end."]}),
        ({"name": "A", "balance": 5}, {"balance": ["Unknown field."]}),
    ],
)  # fmt: skip
def test_invalid_accounts_are_422_with_a_message_per_field(api, body, expected):
    assert details(api.post("/api/v1/accounts", body, format="json")) == expected
    assert not Account.objects.exists()


def test_names_are_unique_per_owner_in_any_case(api, user):
    create(api, {"name": "Futures"})
    assert details(api.post("/api/v1/accounts", {"name": "FUTURES"}, format="json")) == {
        "name": ["You already have an account named 'FUTURES'."]
    }
    make_account(make_user(), "Futures")  # someone else's: no clash
    create(api, {"name": "Futures 2"})
    assert Account.objects.owned_by(user).count() == 2


def test_account_numbers_are_unique_per_owner_when_set(api):
    create(api, {"name": "A", "external_id": "U123"})
    create(api, {"name": "B"})
    create(api, {"name": "C", "external_id": None})  # several accounts without a number
    assert details(api.post("/api/v1/accounts", {"name": "D", "external_id": "U123"}, format="json")) == {
        "external_id": ["You already have an account with the number 'U123'."]
    }
    make_account(make_user(), "A", external_id="U123")


def test_a_clash_that_slips_past_the_check_is_still_a_422_not_a_500(api, user, monkeypatch):
    # Two requests racing: both pass the check, the database's unique constraint stops the second.
    create(api, {"name": "Main"})
    original, calls = AccountSerializer.unique_errors, []

    def check_missing_the_clash_at_first(self, attrs):
        calls.append(attrs["name"])
        return {} if len(calls) == 1 else original(self, attrs)

    monkeypatch.setattr(AccountSerializer, "unique_errors", check_missing_the_clash_at_first)
    assert details(api.post("/api/v1/accounts", {"name": "main"}, format="json")) == {
        "name": ["You already have an account named 'main'."]
    }
    assert calls == ["main", "main"]  # the check, then the report after the constraint's refusal
    assert Account.objects.count() == 1


def test_list_is_the_page_envelope_by_name_in_any_case(api, user):
    for name in ("zeta", "Alpha", "beta"):
        make_account(user, name)
    make_account(make_user(), "Aardvark")
    r = api.get("/api/v1/accounts")
    assert r.status_code == 200, r.content
    body = r.json()
    assert [a["name"] for a in body["data"]] == ["Alpha", "beta", "zeta"]
    assert {k: body[k] for k in ("current_page", "last_page", "per_page", "total")} == {
        "current_page": 1, "last_page": 1, "per_page": 25, "total": 3,
    }  # fmt: skip
    second = api.get("/api/v1/accounts?per_page=2&page=2").json()
    assert [a["name"] for a in second["data"]] == ["zeta"]
    assert details(api.get("/api/v1/accounts?page=0")) == {"page": ["The page must be a whole number of at least 1."]}


def test_read_and_change_one(api, user):
    account = make_account(user, "Main", broker="IBKR")
    r = api.get(f"/api/v1/accounts/{account.pk}/")
    assert r.status_code == 200, r.content
    assert r.json()["broker"] == "IBKR"
    r = api.patch(f"/api/v1/accounts/{account.pk}", {"name": "MAIN", "starting_balance": 1000}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["name"], r.json()["broker"], r.json()["starting_balance"]) == ("MAIN", "IBKR", 1000)
    account.refresh_from_db()
    assert account.name == "MAIN"


def test_renaming_onto_another_of_ones_accounts_is_422(api, user):
    make_account(user, "Main")
    other = make_account(user, "Futures")
    r = api.patch(f"/api/v1/accounts/{other.pk}", {"name": "main"}, format="json")
    assert details(r) == {"name": ["You already have an account named 'main'."]}


def test_put_is_not_offered(api, user):
    account = make_account(user)
    r = api.put(f"/api/v1/accounts/{account.pk}", {"name": "x"}, format="json")
    assert r.status_code == 405, r.content


def test_another_owners_account_is_404_for_every_method(api):
    theirs = make_account(make_user(), "Theirs")
    url = f"/api/v1/accounts/{theirs.pk}"
    for r in (api.get(url), api.patch(url, {"name": "Mine"}, format="json"), api.delete(url)):
        assert r.status_code == 404, r.content
        assert r.json() == {"error": "Not found."}
    assert Account.objects.get(pk=theirs.pk).name == "Theirs"


def test_deleting_an_account_with_trades_is_409_and_keeps_it(api, user):
    account = make_account(user)
    make_trade(user, account=account)
    r = api.delete(f"/api/v1/accounts/{account.pk}")
    assert r.status_code == 409, r.content
    assert r.json() == {"error": ACCOUNT_HOLDS_TRADES}
    assert Account.objects.filter(pk=account.pk).exists()


def test_deleting_an_empty_account_is_204(api, user):
    account = make_account(user)
    make_trade(user)  # a trade in no account does not hold it
    assert api.delete(f"/api/v1/accounts/{account.pk}").status_code == 204
    assert not Account.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "needed"),
    [("get", "", "trades:read"), ("post", "", "trades:write"), ("get", "/{id}", "trades:read"),
     ("patch", "/{id}", "trades:write"), ("delete", "/{id}", "trades:write")],
)  # fmt: skip
@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_each_method_needs_exactly_its_scope(method, path, needed, scope):
    owner = make_user()
    account = make_account(owner, "Main")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(owner, scopes=[scope])[1]}")
    r = getattr(client, method)(f"/api/v1/accounts{path.format(id=account.pk)}", {"name": "Other"}, format="json")
    if scope == needed:
        assert r.status_code in (200, 201, 204), r.content
    else:
        assert r.status_code == 403, r.content
        assert r.json() == {"error": f"Insufficient scope: {needed} required"}


# --- the account on a trade -----------------------------------------------------------------


def test_a_trade_is_put_in_an_account_by_id_and_shows_it(api, user):
    account = make_account(user, "Main")
    r = api.post("/api/v1/trades", {**REFERENCE_BODY, "account": account.pk}, format="json")
    assert r.status_code == 201, r.content
    trade_id = r.json()["id"]
    assert api.get(f"/api/v1/trades/{trade_id}").json()["account"] == account.pk
    r = api.patch(f"/api/v1/trades/{trade_id}", {"account": None}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["account"] is None


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_another_owners_account_on_a_trade_is_422_like_a_missing_one(api, user, method):
    theirs = make_account(make_user(), "Theirs")
    trade = make_trade(user)
    url = "/api/v1/trades" if method == "post" else f"/api/v1/trades/{trade.pk}"
    for account_id in (theirs.pk, theirs.pk + 1000):
        r = getattr(api, method)(url, {**REFERENCE_BODY, "account": account_id}, format="json")
        assert details(r) == {"account": ["You have no account with this id."]}
    assert Trade.objects.filter(account=theirs).count() == 0


@pytest.mark.parametrize("value", ["1", True, 0, -1, 1.5, 10**18, [1]])
def test_an_account_id_must_be_a_positive_json_integer(api, user, value):
    make_account(user)
    r = api.post("/api/v1/trades", {**REFERENCE_BODY, "account": value}, format="json")
    assert details(r) == {"account": ["Enter the id as a whole number from 1 to 999999999999999999."]}


def test_an_account_id_written_as_an_integral_number_is_that_id(api, user):
    account = make_account(user)
    r = api.post("/api/v1/trades", {**REFERENCE_BODY, "account": float(account.pk)}, format="json")
    assert r.status_code == 201, r.content
    assert Trade.objects.get().account == account


def test_put_without_an_account_takes_the_trade_out_of_it(api, user):
    trade = make_trade(user, account=make_account(user))
    r = api.put(f"/api/v1/trades/{trade.pk}", REFERENCE_BODY, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["account"] is None
