"""The web journal's accounts and tags pages: the same records, refusals and effects as the API's
/accounts and /tags (checked against the API itself)."""

import re
from decimal import Decimal

import pytest

from dashboard.api_forms import AccountForm, TagForm, in_page_words
from journal.models import Account, Tag
from journal.writes import ACCOUNT_HOLDS_TRADES
from tests.factories import form_errors, make_account, make_tag, make_trade, make_user, read, tag_trade


def api_errors(response) -> dict[str, list[str]]:
    """The API's messages as a page says them (its keys, starting_balance, as words)."""
    assert response.status_code == 422, response.content
    fields = [*AccountForm.base_fields, *TagForm.base_fields]
    return {name: [in_page_words(m, fields) for m in messages] for name, messages in response.json()["details"].items()}


def rows(page: str, kind: str) -> dict[int, list[str]]:
    """A list page's table: {id: [cell texts]}."""
    found = re.findall(rf'<tr data-{kind}="(\d+)">(.*?)</tr>', page, re.S)
    return {
        int(pk): [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
        for pk, cells in found
    }


def test_pages_require_login(client, db):
    for path in (
        "/dashboard/accounts/",
        "/dashboard/tags/",
        "/dashboard/accounts/1/edit/",
        "/dashboard/tags/1/delete/",
    ):
        assert client.get(path)["Location"].startswith("/accounts/login/"), path


# --- Accounts -----------------------------------------------------------------------------------------


def test_accounts_list_what_the_api_lists_with_their_trade_counts(web, api, user):
    main = make_account(user, "main", broker="IBKR", external_id="U123", starting_balance=Decimal("25000.50"))
    prop = make_account(user, "Prop", currency="EUR")
    for _ in range(3):
        make_trade(user, account=main)
    make_trade(user, account=prop)
    make_trade(user)
    make_account(make_user("eve"), "Eve's")
    page = web.get("/dashboard/accounts/").content.decode()
    table = rows(page, "account")
    listed = read(api, "/api/v1/accounts")["data"]
    assert list(table) == [account["id"] for account in listed] == [main.pk, prop.pk]
    for account in listed:
        name, currency, broker, number, balance, _, _ = table[account["id"]]
        assert (name, currency, broker, number) == (
            account["name"],
            account["currency"],
            account["broker"] or "—",
            account["external_id"] or "—",
        )
        assert balance == (
            "—" if account["starting_balance"] is None else f"{account['starting_balance']:,.2f} {account['currency']}"
        )
    assert [table[main.pk][5], table[prop.pk][5]] == ["3", "1"]
    assert "Eve" not in page


def test_creating_an_account_saves_what_the_api_then_returns(web, api):
    r = web.post(
        "/dashboard/accounts/",
        {"name": "Futures", "broker": "Tradovate", "external_id": "", "currency": "eur", "starting_balance": "5000"},
        follow=True,
    )
    assert r.redirect_chain == [("/dashboard/accounts/", 302)]
    assert "Account “Futures” created." in r.content.decode()
    (account,) = read(api, "/api/v1/accounts")["data"]
    assert {k: v for k, v in account.items() if k not in ("id", "created_at")} == {
        "name": "Futures", "broker": "Tradovate", "external_id": None, "currency": "EUR",
        "starting_balance": Decimal("5000"),
    }  # fmt: skip


@pytest.mark.parametrize(("typed", "saved"), [("25,000", "25000"), ("1,234,567.89", "1234567.89"), ("25000", "25000")])
def test_a_balance_typed_with_thousands_separators_is_taken(web, api, typed, saved):
    r = web.post(
        "/dashboard/accounts/", {"name": "Futures", "broker": "", "currency": "USD", "starting_balance": typed}
    )
    assert r.status_code == 302, form_errors(r)
    (account,) = read(api, "/api/v1/accounts")["data"]
    assert account["starting_balance"] == Decimal(saved)


@pytest.mark.parametrize("typed", ["25,00", "2,5000", "25,000,0", ",250"])
def test_commas_that_are_not_thousands_separators_are_refused(web, typed):
    r = web.post(
        "/dashboard/accounts/", {"name": "Futures", "broker": "", "currency": "USD", "starting_balance": typed}
    )
    assert r.status_code == 400
    assert list(form_errors(r)) == ["starting_balance"]
    assert Account.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "main"},
        {"name": "New", "external_id": "U123"},
        {"name": "New", "currency": "EU-R", "starting_balance": "-1"},
        {"name": "New", "starting_balance": "lots"},
    ],
)
def test_a_refused_account_shows_the_apis_messages(web, api, user, body):
    make_account(user, "Main", external_id="U123")
    expected = api_errors(api.post("/api/v1/accounts", {k: v for k, v in body.items() if v}, format="json"))
    r = web.post("/dashboard/accounts/", {"name": "", "broker": "", "currency": "", **body})
    assert r.status_code == 400
    assert form_errors(r) == expected
    assert Account.objects.count() == 1


def test_editing_an_account_changes_what_the_api_returns(web, api, user):
    account = make_account(user, "Main", broker="IBKR", external_id="U1", starting_balance=Decimal("100"))
    form = web.get(f"/dashboard/accounts/{account.pk}/edit/").content.decode()
    assert 'value="Main"' in form and 'value="U1"' in form and 'value="100"' in form
    r = web.post(
        f"/dashboard/accounts/{account.pk}/edit/",
        {"name": "Main cash", "broker": "", "external_id": "", "currency": "GBP", "starting_balance": ""},
        follow=True,
    )
    assert r.redirect_chain == [("/dashboard/accounts/", 302)]
    assert "Account “Main cash” saved." in r.content.decode()
    body = read(api, f"/api/v1/accounts/{account.pk}")
    assert (body["name"], body["broker"], body["external_id"], body["currency"], body["starting_balance"]) == (
        "Main cash", "", None, "GBP", None)  # fmt: skip


def test_renaming_an_account_to_anothers_name_is_refused_with_the_apis_message(web, api, user):
    account, _ = make_account(user, "Main"), make_account(user, "Prop")
    expected = api_errors(api.patch(f"/api/v1/accounts/{account.pk}", {"name": "PROP"}, format="json"))
    r = web.post(f"/dashboard/accounts/{account.pk}/edit/", {"name": "PROP", "currency": "USD"})
    assert r.status_code == 400
    assert form_errors(r) == expected
    account.refresh_from_db()
    assert account.name == "Main"


def test_an_emptied_name_is_refused_not_ignored(web, api, user):
    account = make_account(user, "Main")
    expected = api_errors(api.patch(f"/api/v1/accounts/{account.pk}", {"name": ""}, format="json"))
    r = web.post(f"/dashboard/accounts/{account.pk}/edit/", {"name": "", "currency": "USD"})
    assert form_errors(r) == expected


def test_deleting_an_account_asks_then_the_api_no_longer_has_it(web, api, user):
    account = make_account(user, "Old")
    confirm = web.get(f"/dashboard/accounts/{account.pk}/delete/").content.decode()
    assert "Delete account “Old”?" in confirm and '<form method="post"' in confirm
    assert Account.objects.filter(pk=account.pk).exists()
    r = web.post(f"/dashboard/accounts/{account.pk}/delete/", follow=True)
    assert r.redirect_chain == [("/dashboard/accounts/", 302)]
    assert "Account “Old” deleted." in r.content.decode()
    assert api.get(f"/api/v1/accounts/{account.pk}").status_code == 404


def test_an_account_holding_trades_is_kept_with_the_apis_409_message(web, api, user):
    account = make_account(user, "Busy")
    make_trade(user, account=account)
    r = api.delete(f"/api/v1/accounts/{account.pk}")
    assert r.status_code == 409
    assert r.json() == {"error": ACCOUNT_HOLDS_TRADES}
    page = web.post(f"/dashboard/accounts/{account.pk}/delete/", follow=True)
    assert page.redirect_chain == [("/dashboard/accounts/", 302)]
    assert f'<li class="message error">{ACCOUNT_HOLDS_TRADES}</li>' in page.content.decode().replace("&#x27;", "'")
    assert read(api, f"/api/v1/accounts/{account.pk}")["name"] == "Busy"


def test_another_traders_account_is_not_found(web, user):
    other = make_account(make_user("eve"), "Eve's")
    for path in ("edit/", "delete/"):
        assert web.get(f"/dashboard/accounts/{other.pk}/{path}").status_code == 404
        assert web.post(f"/dashboard/accounts/{other.pk}/{path}", {"name": "Mine now"}).status_code == 404
    other.refresh_from_db()
    assert other.name == "Eve's"


# --- Tags ---------------------------------------------------------------------------------------------


def test_tags_list_with_their_colour_and_trade_count(web, api, user):
    momentum, fade = make_tag(user, "Momentum", color="#1f77b4"), make_tag(user, "fade")
    for _ in range(2):
        tag_trade(make_trade(user), momentum)
    make_tag(make_user("eve"), "Eve's tag")
    page = web.get("/dashboard/tags/").content.decode()
    table = rows(page, "tag")
    assert list(table) == [tag["id"] for tag in read(api, "/api/v1/tags")["data"]] == [fade.pk, momentum.pk]
    assert table[momentum.pk][:3] == ["Momentum", "#1f77b4", "2"]
    assert table[fade.pk][:3] == ["fade", "none", "0"]
    assert 'style="background: #1f77b4"' in page
    assert "Eve" not in page


def test_creating_a_tag(web, api):
    r = web.post("/dashboard/tags/", {"name": "A+ setup", "color": "#FFAA00"}, follow=True)
    assert "Tag “A+ setup” created." in r.content.decode()
    assert [(t["name"], t["color"]) for t in read(api, "/api/v1/tags")["data"]] == [("A+ setup", "#ffaa00")]


@pytest.mark.parametrize(
    "body", [{"name": "MOMENTUM"}, {"name": "a,b"}, {"name": "ok", "color": "blue"}, {"name": "x" * 65}]
)
def test_a_refused_tag_shows_the_apis_messages(web, api, user, body):
    make_tag(user, "Momentum")
    expected = api_errors(api.post("/api/v1/tags", body, format="json"))
    r = web.post("/dashboard/tags/", {"color": "", **body})
    assert r.status_code == 400
    assert form_errors(r) == expected
    assert Tag.objects.count() == 1


def test_a_rename_shows_on_every_trade_at_once(web, api, user):
    tag = make_tag(user, "momo")
    trades = [tag_trade(make_trade(user), tag) for _ in range(3)]
    assert read(api, f"/api/v1/trades/{trades[0].pk}")["tags"] == ["momo"]
    form = web.get(f"/dashboard/tags/{tag.pk}/edit/").content.decode()
    assert 'value="momo"' in form
    r = web.post(f"/dashboard/tags/{tag.pk}/edit/", {"name": "Momentum", "color": "#00aa00"}, follow=True)
    assert r.redirect_chain == [("/dashboard/tags/", 302)]
    assert "Tag “Momentum” saved." in r.content.decode()
    assert {tuple(row["tags"]) for row in read(api, "/api/v1/trades")["data"]} == {("Momentum",)}
    page = web.get(f"/dashboard/trades/{trades[2].pk}/").content.decode()
    assert '<span class="tag">Momentum</span>' in page


def test_renaming_a_tag_to_another_in_any_case_is_refused(web, api, user):
    tag, _ = make_tag(user, "momo"), make_tag(user, "Fade")
    expected = api_errors(api.patch(f"/api/v1/tags/{tag.pk}", {"name": "fade"}, format="json"))
    r = web.post(f"/dashboard/tags/{tag.pk}/edit/", {"name": "fade", "color": ""})
    assert r.status_code == 400
    assert form_errors(r) == expected == {"name": ["You already have a tag named 'fade'."]}


def test_renaming_a_tag_to_its_own_name_in_another_case_is_allowed(web, api, user):
    tag = make_tag(user, "momo")
    r = web.post(f"/dashboard/tags/{tag.pk}/edit/", {"name": "MOMO", "color": ""})
    assert r.status_code == 302
    assert read(api, f"/api/v1/tags/{tag.pk}")["name"] == "MOMO"


def test_deleting_a_tag_asks_then_takes_it_off_every_trade(web, api, user):
    tag = make_tag(user, "Mistake")
    trade = tag_trade(make_trade(user), tag)
    confirm = web.get(f"/dashboard/tags/{tag.pk}/delete/").content.decode()
    assert "Delete tag “Mistake”?" in confirm and "it comes off 1 trade" in confirm
    assert Tag.objects.filter(pk=tag.pk).exists()
    r = web.post(f"/dashboard/tags/{tag.pk}/delete/", follow=True)
    assert "Tag “Mistake” deleted." in r.content.decode()
    assert read(api, f"/api/v1/trades/{trade.pk}")["tags"] == []
    assert read(api, "/api/v1/tags")["total"] == 0


def test_another_traders_tag_is_not_found(web, user):
    other = make_tag(make_user("eve"), "Eve's")
    for path in ("edit/", "delete/"):
        assert web.get(f"/dashboard/tags/{other.pk}/{path}").status_code == 404
        assert web.post(f"/dashboard/tags/{other.pk}/{path}", {"name": "Mine"}).status_code == 404
    assert Tag.objects.get(pk=other.pk).name == "Eve's"


def test_forms_label_every_input_and_point_errors_at_it(web, user):
    r = web.post("/dashboard/accounts/", {"name": "", "currency": "EU-R"})
    page = r.content.decode()
    for name in ("name", "broker", "external_id", "currency", "starting_balance"):
        assert f'<label for="id_{name}">' in page, name
    assert re.search(r'<input[^>]*aria-describedby="currency-help currency-errors"[^>]*id="id_currency"', page)
    assert '<div id="currency-errors" class="field-errors"><ul class="errorlist' in page


def test_a_tags_colour_can_be_picked_and_still_left_empty(web, api):
    page = web.get("/dashboard/tags/").content.decode()
    picker = re.search(r'<input type="color"[^>]*>', page).group(0)
    assert 'data-colour-for="id_color"' in picker and "hidden" in picker and "name=" not in picker
    assert 'name="color"' in page  # the field, not the picker, is what the form sends
    web.post("/dashboard/tags/", {"name": "picked", "color": "#A1B2C3"})
    web.post("/dashboard/tags/", {"name": "plain", "color": ""})
    colours = {tag["name"]: tag["color"] for tag in read(api, "/api/v1/tags")["data"]}
    assert colours == {"picked": "#a1b2c3", "plain": None}
