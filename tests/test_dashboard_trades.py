"""The web journal's trade pages: the list selects and pages what the API does, a trade shows what
the API shows, and the forms refuse and save as the API does (checked against the API itself)."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from dashboard.api_forms import TradeForm, in_page_words
from imports.models import Execution, Import, TradeFill
from journal.models import Trade
from journal.pagination import MAX_PER_PAGE
from tests.factories import form_errors, make_account, make_tag, make_trade, make_user, read, tag_trade

ROW = re.compile(r'<tr data-trade="(\d+)">')
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def web(user) -> Client:
    """The user signed in on the web; `api` (conftest) holds a key of theirs."""
    client = Client()
    client.force_login(user)
    return client


def page_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(pk) for pk in ROW.findall(response.content.decode())]


def api_ids(api, query: str) -> tuple[list[int], dict]:
    body = read(api, f"/api/v1/trades?{query}")
    return [row["id"] for row in body["data"]], body


def journal(user, count: int = 60) -> dict:
    """`count` trades over two accounts, two sides, instruments, setups and tags; some open."""
    accounts = [make_account(user, "Main"), make_account(user, "Prop", currency="EUR")]
    tags = [make_tag(user, "Momentum"), make_tag(user, "fade")]
    for i in range(count):
        entry = START + timedelta(hours=7 * i)
        trade = make_trade(
            user, instrument=["BTCUSDT", "ES", "AAPL"][i % 3], side=["long", "short"][i % 2],
            entry_time=entry, exit_time=None if i % 9 == 0 else entry + timedelta(hours=1),
            exit_price=None if i % 9 == 0 else Decimal(95 + i % 20), setup_type=["breakout", "Pullback", ""][i % 3],
            account=accounts[i % 4 // 3] if i % 5 else None, commission=Decimal("1.25"),
        )  # fmt: skip
        if i % 4 == 0:
            tag_trade(trade, tags[i % 8 // 4])
    # Two trades at the same instant: the order falls back to the id, as the API's.
    make_trade(user, entry_time=START + timedelta(hours=14), exit_price=Decimal("120"))
    return {"accounts": accounts, "tags": tags}


def test_trade_pages_require_login(client, db):
    for path in ("/dashboard/trades/", "/dashboard/trades/new/", "/dashboard/trades/1/"):
        r = client.get(path)
        assert r.status_code == 302, path
        assert r["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=2",
        "page=3",
        "side=short",
        "instrument=es",
        "setup_type=BREAKOUT",
        "tag=Momentum",
        "from=2025-03-05&to=2025-03-12",
        "currency=EUR",
        "side=long&instrument=BTCUSDT&page=2&per_page=5",
        "per_page=100",
    ],
)
def test_the_list_shows_the_trades_the_api_lists_for_the_same_query(web, api, user, query):
    made = journal(user)
    query = query.replace("ACCOUNT", str(made["accounts"][0].pk))
    expected, body = api_ids(api, query)
    r = web.get(f"/dashboard/trades/?{query}")
    assert page_ids(r) == expected
    page = r.content.decode()
    assert f"<strong>{body['total']}</strong> trade" in page
    if body["last_page"] > 1:
        assert f"page {body['current_page']} of {body['last_page']}" in page


def test_the_account_filter_and_each_rows_net_pnl_equal_the_apis(web, api, user):
    made = journal(user)
    account = made["accounts"][1]
    expected, body = api_ids(api, f"account={account.pk}")
    r = web.get(f"/dashboard/trades/?account={account.pk}")
    assert page_ids(r) == expected and expected
    page = r.content.decode()
    shown = dict(re.findall(r'<tr data-trade="(\d+)">.*?data-net-pnl="([^"]*)"', page, re.S))
    for row in body["data"]:
        value = "—" if row["net_pnl"] is None else format(row["net_pnl"].normalize(), "f")
        assert shown[str(row["id"])] == value
    assert "EUR" in page  # the account's currency beside its P&L


def test_pages_link_to_each_other_keeping_the_filters(web, user):
    journal(user)
    page = web.get("/dashboard/trades/?side=long&page=2&per_page=5").content.decode()
    for rel, number in (("first", 1), ("prev", 1), ("next", 3)):
        assert re.search(rf'href="\?side=long&amp;page={number}&amp;per_page=5" rel="{rel}"', page), rel
    last = int(re.search(r'href="\?side=long&amp;page=(\d+)&amp;per_page=5" rel="last"', page).group(1))
    assert last == -(-Trade.objects.filter(side="long").count() // 5)


def test_each_row_links_to_its_trade(web, user):
    trade = make_trade(user)
    assert f'href="/dashboard/trades/{trade.pk}/"' in web.get("/dashboard/trades/").content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [("side=sideways", "side"), ("from=2025-13-01", "from"), ("from=2025-03-10&to=2025-03-01", "from"),
     ("currency=EU-R", "currency")],
)  # fmt: skip
def test_a_bad_filter_shows_the_apis_message_and_no_trades(web, api, user, query, field):
    make_trade(user)
    r = api.get(f"/api/v1/trades?{query}")
    assert r.status_code == 422, r.content
    message = r.json()["details"][field][0]
    page = web.get(f"/dashboard/trades/?{query}")
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert not ROW.search(html)


@pytest.mark.parametrize("query", ["page=0", "per_page=101", "page=abc"])
def test_a_page_out_of_the_apis_bounds_shows_its_message(web, api, user, query):
    r = api.get(f"/api/v1/trades?{query}")
    assert r.status_code == 422, r.content
    (message,) = next(iter(r.json()["details"].values()))
    page = web.get(f"/dashboard/trades/?{query}")
    assert page.status_code == 400
    assert message in page.content.decode()
    assert str(MAX_PER_PAGE) in message or "page" in message


def test_the_total_is_the_trade_lists_even_right_after_other_lists_were_counted(web, api, user):
    for _ in range(3):
        make_trade(user)
    make_account(user)
    assert read(api, "/api/v1/accounts")["total"] == 1
    assert read(api, "/api/v1/tags")["total"] == 0
    assert read(api, "/api/v1/trades")["total"] == 3
    assert "<strong>3</strong> trades" in web.get("/dashboard/trades/").content.decode()


def test_another_traders_trade_is_not_found(web, user):
    other = make_trade(make_user("eve"), notes="eve's secret")
    for path in ("", "edit/", "delete/"):
        assert web.get(f"/dashboard/trades/{other.pk}/{path}").status_code == 404, path
    assert web.post(f"/dashboard/trades/{other.pk}/delete/").status_code == 404
    assert web.post(f"/dashboard/trades/{other.pk}/edit/", {"instrument": "X"}).status_code == 404
    assert Trade.objects.filter(pk=other.pk).exists()
    assert "eve's secret" not in web.get("/dashboard/trades/").content.decode()
    assert web.get("/dashboard/trades/9999999999999999999999/").status_code == 404


def test_a_trade_page_shows_every_field_as_the_api_does(web, api, user):
    account = make_account(user, "Futures", currency="EUR")
    r = api.post(
        "/api/v1/trades",
        {"instrument": "es", "side": "short", "quantity": "2", "multiplier": "50", "entry_time": "2025-03-15T10:30:00Z",
         "entry_price": "5010.25", "exit_time": "2025-03-15T11:45:30Z", "exit_price": "5001.5", "commission": "4.5",
         "stop_loss": "5020", "take_profit": "4990", "initial_risk": "975", "setup_type": "fade",
         "notes": "Faded the open.\nSecond line.", "account": account.pk, "tags": ["Opening", "a+"]},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201, r.content
    body = read(api, f"/api/v1/trades/{r.json()['id']}")
    page = web.get(f"/dashboard/trades/{body['id']}/").content.decode()
    fields = dict(re.findall(r'<dd data-field="(\w+)"[^>]*>(.*?)</dd>', page, re.S))
    for name in ("quantity", "multiplier", "entry_price", "exit_price", "commission", "stop_loss", "take_profit",
                 "initial_risk"):  # fmt: skip
        assert fields[name] == format(Decimal(body[name]).normalize(), "f"), name
    assert body["pnl"] == Decimal("875") and fields["pnl"] == "+875.00"
    assert body["net_pnl"] == Decimal("870.5") and fields["net_pnl"] == "+870.50"
    assert 'class="pnl-gain"' in page
    assert f'datetime="{body["entry_time"]}"' in fields["entry_time"]
    assert f'datetime="{body["exit_time"]}"' in fields["exit_time"]
    assert (fields["instrument"], fields["side"], fields["setup_type"]) == ("ES", "short", "fade")
    assert fields["account"] == "Futures (EUR)"
    assert re.findall(r'<span class="tag">([^<]*)</span>', fields["tags"]) == body["tags"] == ["a+", "Opening"]
    assert "Faded the open.<br>Second line." in page
    assert f'href="/dashboard/trades/{body["id"]}/edit/"' in page
    assert f'href="/dashboard/trades/{body["id"]}/delete/"' in page


def test_a_trade_page_lists_its_executions_as_the_api_does(web, api, user):
    trade = make_trade(user, quantity=Decimal("3"))
    imp = Import.objects.create(user=user, format="generic", filename="fills.csv")
    for i, (side, quantity, price) in enumerate([("buy", "1", "100"), ("buy", "2", "101.5"), ("sell", "3", "110")]):
        execution = Execution.objects.create(
            user=user, instrument="BTCUSDT", side=side, quantity=Decimal(quantity), price=Decimal(price),
            time=START + timedelta(minutes=i), commission=Decimal("0.5"), exec_id=f"X{i}", source=imp, row=i + 1,
        )  # fmt: skip
        TradeFill.objects.create(trade=trade, execution=execution, quantity=Decimal(quantity),
                                 commission=Decimal("0.5"), fees=Decimal(0), opening=side == "buy")  # fmt: skip
    fills = read(api, f"/api/v1/trades/{trade.pk}/executions")["data"]
    page = web.get(f"/dashboard/trades/{trade.pk}/").content.decode()
    table = page[page.index('<table id="executions"') :]
    rows = re.findall(r'<tr data-execution="(\d+)">(.*?)</tr>', table, re.S)
    assert [int(pk) for pk, _ in rows] == [fill["id"] for fill in fills]
    for (_, cells), fill in zip(rows, fills, strict=True):
        texts = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        assert texts[1:7] == [fill["side"], *(format(Decimal(fill[k]).normalize(), "f") for k in
                              ("quantity", "price", "commission", "fees")), fill["exec_id"]]  # fmt: skip
        assert f'datetime="{fill["time"]}"' in texts[0]


def test_a_trade_entered_by_hand_says_it_has_no_executions(web, user):
    trade = make_trade(user)
    assert "None: this trade was entered by hand" in web.get(f"/dashboard/trades/{trade.pk}/").content.decode()


# --- Add, edit, delete ------------------------------------------------------------------------------

FORM = {
    "instrument": "btcusdt", "side": "long", "quantity": "0.5", "entry_time": "2025-03-15T10:30",
    "entry_price": "65000", "exit_time": "2025-03-15T14:00", "exit_price": "66500", "commission": "1.5",
    "multiplier": "", "stop_loss": "64000", "take_profit": "", "initial_risk": "", "setup_type": "breakout",
    "account": "", "new_tags": "", "notes": "Strong momentum\r\nbreakout",
}  # fmt: skip


def test_adding_a_trade_saves_what_the_api_then_returns(web, api, user):
    make_tag(user, "Momentum")
    account = make_account(user, "Main")
    r = web.post("/dashboard/trades/new/", {**FORM, "account": str(account.pk), "tags": ["Momentum"],
                                             "new_tags": "news, A+ setup"}, follow=True)  # fmt: skip
    trade = Trade.objects.get()
    assert r.redirect_chain == [(f"/dashboard/trades/{trade.pk}/", 302)]
    assert f"Trade {trade.pk} saved" in r.content.decode()
    body = read(api, f"/api/v1/trades/{trade.pk}")
    assert body == {
        "id": trade.pk, "instrument": "BTCUSDT", "side": "long", "quantity": Decimal("0.5"),
        "entry_time": "2025-03-15T10:30:00.000000Z", "entry_price": Decimal("65000"),
        "exit_time": "2025-03-15T14:00:00.000000Z", "exit_price": Decimal("66500"), "pnl": Decimal("750"),
        "net_pnl": Decimal("748.5"), "commission": Decimal("1.5"), "setup_type": "breakout",
        "notes": "Strong momentum\nbreakout", "stop_loss": Decimal("64000"), "take_profit": None,
        "account": account.pk, "tags": ["A+ setup", "Momentum", "news"], "multiplier": Decimal("1"),
        "initial_risk": None, "realized_pnl": Decimal("748.5"),
    }  # fmt: skip


def api_errors(api, body: dict) -> dict:
    r = api.post("/api/v1/trades", body, format="json")
    assert r.status_code == 422, r.content
    # The API names a list item's errors field.index (tags.1); the page shows them by the field.
    # A page says the fields' names as words (exit time), not as the API's keys (exit_time).
    errors: dict[str, list[str]] = {}
    for name, messages in r.json()["details"].items():
        errors.setdefault(name.split(".")[0], []).extend(in_page_words(m, TradeForm.base_fields) for m in messages)
    return errors


@pytest.mark.parametrize(
    ("changes", "api_body"),
    [
        ({"instrument": "", "quantity": "", "side": ""}, {"instrument": None, "quantity": None, "side": None}),
        ({"quantity": "-1", "entry_price": "0"}, {}),
        ({"quantity": "1.123456789"}, {}),
        ({"exit_time": "2025-03-15T09:00"}, {"exit_time": "2025-03-15T09:00"}),
        ({"exit_price": ""}, {"exit_price": None}),
        ({"exit_time": ""}, {"exit_time": None}),
        ({"side": "sideways", "commission": "-2", "stop_loss": "abc"}, {}),
        ({"entry_time": "2125-01-01T00:00"}, {}),
        ({"new_tags": "ok, bad\ttag"}, {"tags": ["ok", "bad\ttag"]}),
        ({"account": "999999"}, {"account": 999999}),
        ({"account": "x"}, {"account": "x"}),
    ],
)
def test_a_refused_trade_shows_the_apis_messages_next_to_its_fields(web, api, user, changes, api_body):
    body = {k: v for k, v in FORM.items() if v and k not in ("new_tags", "account")} | {**changes, **api_body}
    body = {k: v for k, v in body.items() if v is not None}
    body["notes"] = FORM["notes"].replace("\r\n", "\n")
    body.pop("new_tags", None)
    expected = api_errors(api, body)
    r = web.post("/dashboard/trades/new/", {**FORM, **changes})
    assert r.status_code == 400
    errors = form_errors(r)
    errors["tags"] = errors.pop("new_tags", []) + errors.pop("tags", [])
    assert {name: messages for name, messages in errors.items() if messages} == expected
    assert not Trade.objects.exists()


def test_the_form_names_fields_in_words_not_the_apis_keys(web, user):
    r = web.post("/dashboard/trades/new/", {**FORM, "exit_price": ""})
    assert form_errors(r) == {"exit_price": ["The exit price field is required when exit time is present."]}


def test_another_traders_account_is_no_account_on_the_form(web, api, user):
    other = make_account(make_user("eve"), "Eve's")
    r = web.post("/dashboard/trades/new/", {**FORM, "account": str(other.pk)})
    assert form_errors(r) == {"account": ["You have no account with this id."]}
    page = web.get("/dashboard/trades/new/").content.decode()
    assert "Eve&#x27;s" not in page


def test_the_form_lists_the_traders_own_accounts_and_tags(web, user):
    make_account(user, "Main", currency="GBP")
    make_tag(user, "Momentum")
    make_account(make_user("eve"), "Hidden account")
    make_tag(make_user("fred"), "Hidden tag")
    page = web.get("/dashboard/trades/new/").content.decode()
    assert "Main (GBP)" in page and 'value="Momentum"' in page
    assert "Hidden" not in page


def test_editing_a_trade_changes_what_the_api_returns(web, api, user):
    tag = make_tag(user, "Momentum")
    trade = tag_trade(
        make_trade(user, multiplier=Decimal("2"), entry_time=datetime(2025, 3, 15, 10, 30, 15, 123456, tzinfo=UTC)),
        tag,
    )
    before = read(api, f"/api/v1/trades/{trade.pk}")
    form = web.get(f"/dashboard/trades/{trade.pk}/edit/").content.decode()
    assert 'value="2025-03-15T10:30:15"' in form and 'value="2"' in form
    assert re.search(r'value="Momentum"[^>]*checked', form)
    # What the form shows, posted back with two changes: the exit, and one tag off.
    r = web.post(
        f"/dashboard/trades/{trade.pk}/edit/",
        {"instrument": "BTCUSDT", "side": "long", "quantity": "1", "multiplier": "2", "entry_time": "2025-03-15T10:30:15",
         "entry_price": "100", "exit_time": "2025-03-15T14:00", "exit_price": "90", "commission": "0",
         "notes": "Stopped out"},
        follow=True,
    )  # fmt: skip
    assert r.redirect_chain == [(f"/dashboard/trades/{trade.pk}/", 302)]
    assert f"Trade {trade.pk} updated." in r.content.decode()
    after = read(api, f"/api/v1/trades/{trade.pk}")
    assert after["entry_time"] == before["entry_time"] == "2025-03-15T10:30:15.123456Z"  # every digit kept
    assert (after["exit_price"], after["net_pnl"], after["tags"], after["notes"]) == (
        Decimal("90"), Decimal("-20"), [], "Stopped out")  # fmt: skip
    assert 'class="pnl-loss"' in r.content.decode()


def test_an_edit_the_api_refuses_changes_nothing(web, api, user):
    trade = make_trade(user)
    before = read(api, f"/api/v1/trades/{trade.pk}")
    r = web.post(f"/dashboard/trades/{trade.pk}/edit/", {**FORM, "exit_time": "2025-03-15T09:00"})
    assert r.status_code == 400
    assert form_errors(r) == {"exit_time": ["The exit time must be a date after or equal to entry time."]}
    assert read(api, f"/api/v1/trades/{trade.pk}") == before


def test_deleting_a_trade_asks_first_then_the_api_no_longer_has_it(web, api, user):
    trade = make_trade(user)
    confirm = web.get(f"/dashboard/trades/{trade.pk}/delete/")
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert f"Delete trade {trade.pk}?" in page and '<form method="post"' in page
    assert Trade.objects.filter(pk=trade.pk).exists()  # a GET deletes nothing
    r = web.post(f"/dashboard/trades/{trade.pk}/delete/", follow=True)
    assert r.redirect_chain == [("/dashboard/trades/", 302)]
    assert f"Trade {trade.pk} (long 1 BTCUSDT @ 100 on 2025-03-15 10:30 UTC) deleted." in r.content.decode()
    assert api.get(f"/api/v1/trades/{trade.pk}").status_code == 404
    assert read(api, "/api/v1/trades")["total"] == 0


def test_a_change_on_the_web_is_seen_by_the_apis_cached_list_at_once(web, api, user):
    trade = make_trade(user)
    assert read(api, "/api/v1/trades")["data"][0]["exit_price"] == Decimal("110")
    web.post(f"/dashboard/trades/{trade.pk}/edit/", {**FORM, "entry_time": "2025-03-15T10:30", "exit_price": "120"})
    assert read(api, "/api/v1/trades")["data"][0]["exit_price"] == Decimal("120")
    web.post(f"/dashboard/trades/{trade.pk}/delete/")
    assert read(api, "/api/v1/trades")["total"] == 0


def test_forms_work_without_javascript_and_label_every_input(web, user):
    make_tag(user, "Momentum")
    page = web.get("/dashboard/trades/new/").content.decode()
    form = page[page.index('id="trade-form"') : page.index("</form>", page.index('id="trade-form"'))]
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', form)
    labelled = set(re.findall(r'<label for="([^"]+)"', form)) | set(re.findall(r'<label><input[^>]*id="([^"]+)"', form))
    assert ids and set(ids) <= labelled, set(ids) - labelled
    assert "<script" not in form


def test_an_edit_on_the_web_saves_what_the_apis_put_saves_for_the_same_values(web, api, user):
    on_web, on_api = make_trade(user, setup_type="old"), make_trade(user, setup_type="old")
    values = {**FORM, "new_tags": "Momentum", "take_profit": "70000"}
    r = web.post(f"/dashboard/trades/{on_web.pk}/edit/", values)
    assert r.status_code == 302, form_errors(r)
    body = {k: v for k, v in values.items() if v and k not in ("new_tags", "account")}
    body.update(notes=FORM["notes"].replace("\r\n", "\n"), tags=["Momentum"])
    assert api.put(f"/api/v1/trades/{on_api.pk}", body, format="json").status_code == 200
    web_side, api_side = read(api, f"/api/v1/trades/{on_web.pk}"), read(api, f"/api/v1/trades/{on_api.pk}")
    assert {**web_side, "id": None} == {**api_side, "id": None}
    assert (web_side["take_profit"], web_side["setup_type"], web_side["tags"]) == (
        Decimal("70000"),
        "breakout",
        ["Momentum"],
    )
