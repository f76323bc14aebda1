"""The trade list as a trader works in it: sorted by a column, totalled over everything the filters
match, and edited in bulk (a tag, a setup, an account on the ticked trades), each figure and each
change checked against the API's own answer."""

import re
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.test import Client
from django.utils.html import escape

from core import versions
from journal.models import DEFAULT_SORT, Tag, Trade
from journal.serializers import MAX_TAGS_PER_TRADE
from tests.factories import make_account, make_tag, make_trade, make_user, read, tag_trade

ROW = re.compile(r'<tr data-trade="(\d+)">')
TOTALS = re.compile(r'<tr class="totals" id="totals"([^>]*)>')
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def page_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(pk) for pk in ROW.findall(response.content.decode())]


def attributes(tag: str) -> dict[str, str]:
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))


def totals(response) -> dict[str, str]:
    assert response.status_code == 200, response.content
    (found,) = TOTALS.findall(response.content.decode())
    return attributes(found)


def all_api_trades(api, query: str = "") -> list[dict]:
    rows, page = [], 1
    while True:
        body = read(api, f"/api/v1/trades?per_page=100&page={page}&{query}")
        rows += body["data"]
        if page >= body["last_page"]:
            return rows
        page += 1


def journal(user, count: int = 40) -> dict:
    """`count` trades: two sides, three instruments, quantities and P&Ls that repeat (ties), some
    open, two accounts in one currency and some trades in none."""
    accounts = [make_account(user, "Main"), make_account(user, "Prop")]
    momentum = make_tag(user, "Momentum")
    for i in range(count):
        entry = START + timedelta(hours=5 * i)
        trade = make_trade(
            user, instrument=["ES", "AAPL", "BTCUSDT"][i % 3], side=["long", "short"][i % 2],
            quantity=Decimal(1 + i % 4), entry_time=entry, entry_price=Decimal(100),
            exit_time=None if i % 7 == 0 else entry + timedelta(minutes=30 + 17 * (i % 5)),
            exit_price=None if i % 7 == 0 else Decimal(95 + i % 11), commission=Decimal("0.75"),
            account=accounts[i % 2] if i % 5 else None,
        )  # fmt: skip
        if i % 3 == 0:
            tag_trade(trade, momentum)
    return {"accounts": accounts, "momentum": momentum}


def api_order(rows: list[dict], sort: str) -> list[int]:
    """The API's trades in the order `sort` names, worked out here: ties by id in the same
    direction, a missing value last either way."""
    name, descending = sort.removeprefix("-"), sort.startswith("-")

    def value(row):
        raw = row[name]
        return Decimal(str(raw)) if name in ("quantity", "net_pnl") and raw is not None else raw

    present = sorted((row for row in rows if row[name] is not None), key=lambda row: (value(row), row["id"]),
                     reverse=descending)  # fmt: skip
    missing = sorted((row for row in rows if row[name] is None), key=lambda row: row["id"], reverse=descending)
    return [row["id"] for row in present + missing]


@pytest.mark.parametrize(
    "sort",
    ["", "entry_time", "exit_time", "-exit_time", "instrument", "-instrument", "side", "quantity", "-quantity",
     "net_pnl", "-net_pnl"],
)  # fmt: skip
def test_sorting_by_a_column_lists_the_apis_trades_in_that_order_across_pages(web, api, user, sort):
    journal(user)
    expected = api_order(all_api_trades(api), sort or DEFAULT_SORT)
    shown = []
    for page in (1, 2, 3):
        shown += page_ids(web.get(f"/dashboard/trades/?sort={sort}&per_page=15&page={page}"))
    assert shown == expected


def test_sorting_keeps_the_filters_and_the_api_list_for_them(web, api, user):
    journal(user)
    expected = api_order(all_api_trades(api, "side=long&instrument=es"), "-net_pnl")
    assert page_ids(web.get("/dashboard/trades/?side=long&instrument=es&sort=-net_pnl&per_page=100")) == expected


def test_a_heading_sorts_by_its_column_then_the_other_way_and_goes_back_to_the_first_page(web, user):
    journal(user)
    html = web.get("/dashboard/trades/?side=long&page=2&per_page=5").content.decode()
    link = re.search(r'data-sort="net_pnl"[^>]*><a href="\?([^"]+)"', html).group(1).replace("&amp;", "&")
    assert sorted(link.split("&")) == ["per_page=5", "side=long", "sort=-net_pnl"]
    html = web.get(f"/dashboard/trades/?{link}").content.decode()
    assert 'data-sort="net_pnl" aria-sort="descending"' in html
    again = re.search(r'data-sort="net_pnl"[^>]*><a href="\?([^"]+)"', html).group(1)
    assert "sort=net_pnl" in again.split("&amp;")


def test_an_unknown_sort_is_refused_with_a_message_naming_the_columns(web, user):
    journal(user, count=3)
    r = web.get("/dashboard/trades/?sort=notes")
    assert r.status_code == 400, r.content
    assert "The sort must be one of: entry_time, exit_time, instrument, side, quantity, net_pnl" in r.content.decode()
    assert not ROW.findall(r.content.decode())


@pytest.mark.parametrize("query", ["", "side=short", "instrument=aapl&per_page=5&page=2", "tag=Momentum",
                                   "account={main}", "from=2025-03-05&to=2025-03-09&sort=net_pnl"])  # fmt: skip
def test_the_totals_row_is_the_apis_count_and_stats_over_every_matching_trade(web, api, user, query):
    made = journal(user)
    query = query.format(main=made["accounts"][0].pk)
    filters = "&".join(part for part in query.split("&") if not part.startswith(("page", "per_page", "sort")))
    listed = read(api, f"/api/v1/trades?{filters}")
    stats = read(api, f"/api/v1/stats?{filters}")
    shown = totals(web.get(f"/dashboard/trades/?{query}"))
    assert int(shown["trades"]) == listed["total"]
    assert int(shown["closed"]) == stats["total_trades"]
    assert Decimal(shown["net-pnl"]) == stats["net_pnl"]
    assert Decimal(shown["commission"]) == stats["total_commission"]
    assert shown["currency"] == stats["currency"] == "USD"
    # Over every matching trade, not the page: worked out here from the API's trades.
    closed = [row for row in all_api_trades(api, filters) if row["exit_time"] is not None]
    assert Decimal(shown["net-pnl"]) == sum(Decimal(str(row["net_pnl"])) for row in closed)


def test_trades_in_several_currencies_have_no_total_but_the_apis_message(web, api, user):
    journal(user, count=6)
    make_trade(user, account=make_account(user, "Europe", currency="EUR"))
    r = web.get("/dashboard/trades/")
    answer = api.get("/api/v1/stats")
    assert answer.status_code == 422, answer.content
    assert "net-pnl" not in totals(r)
    assert escape(answer.json()["error"]) in r.content.decode()


def test_the_totals_follow_a_change_at_once(web, api, user):
    journal(user, count=6)
    before = totals(web.get("/dashboard/trades/"))
    Trade.objects.filter(user=user, exit_time__isnull=False).first().delete()
    after = totals(web.get("/dashboard/trades/"))
    assert int(after["trades"]) == int(before["trades"]) - 1
    assert Decimal(after["net-pnl"]) == read(api, "/api/v1/stats")["net_pnl"]


# --- Bulk edits ------------------------------------------------------------------------------------


def bulk(web, ids, **fields):
    data = {"trade": [str(pk) for pk in ids], "next": "/dashboard/trades/?side=long", **fields}
    return web.post("/dashboard/trades/bulk/", data)


def api_trade(api, pk: int) -> dict:
    return read(api, f"/api/v1/trades/{pk}")


def test_adding_a_tag_to_ticked_trades_tags_them_and_no_other(web, api, user):
    journal(user, count=8)
    ids = list(Trade.objects.filter(user=user).order_by("id").values_list("id", flat=True))
    r = bulk(web, ids[:3], action="tag", tag="A+ setup")
    assert r.status_code == 302, r.content
    assert r["Location"] == "/dashboard/trades/?side=long"
    page = web.get(r["Location"]).content.decode()
    assert "Tag “A+ setup” added to 3 trades." in page
    for pk in ids:
        assert ("A+ setup" in api_trade(api, pk)["tags"]) == (pk in ids[:3])
    assert read(api, "/api/v1/trades?tag=a%2B%20setup")["total"] == 3
    # Trades keep their other tags; adding it again changes nothing.
    assert "Momentum" in api_trade(api, ids[0])["tags"]
    bulk(web, ids[:3], action="tag", tag="a+ SETUP")
    assert api_trade(api, ids[0])["tags"].count("A+ setup") == 1


def test_setting_a_setup_and_an_account_changes_what_the_api_returns(web, api, user):
    made = journal(user, count=6)
    ids = list(Trade.objects.filter(user=user).order_by("id").values_list("id", flat=True))
    bulk(web, ids[1:4], action="setup_type", setup_type="Opening drive")
    prop = made["accounts"][1]
    r = bulk(web, ids[2:5], action="account", account=str(prop.pk))
    assert "3 trades moved to Prop (USD)." in web.get(r["Location"]).content.decode()
    for pk in ids:
        trade = api_trade(api, pk)
        assert (trade["setup_type"] == "Opening drive") == (pk in ids[1:4])
        if pk in ids[2:5]:
            assert trade["account"] == prop.pk
    bulk(web, ids[2:3], action="account", account="none")
    assert api_trade(api, ids[2])["account"] is None
    bulk(web, ids[1:2], action="setup_type", setup_type="")
    assert api_trade(api, ids[1])["setup_type"] == ""


def test_select_all_on_the_page_edits_the_pages_trades_whatever_is_ticked(web, api, user):
    journal(user, count=8)
    page = page_ids(web.get("/dashboard/trades/?per_page=5"))
    data = {"scope": "page", "page_trade": [str(pk) for pk in page], "trade": [str(page[0])],
            "action": "setup_type", "setup_type": "Fade", "next": "/dashboard/trades/?per_page=5"}  # fmt: skip
    r = web.post("/dashboard/trades/bulk/", data)
    assert r.status_code == 302, r.content
    assert sorted(row["id"] for row in read(api, "/api/v1/trades?setup_type=fade")["data"]) == sorted(page)


def test_another_traders_trades_are_left_alone(web, api, user):
    journal(user, count=3)
    other = make_user()
    theirs = make_trade(other, setup_type="Theirs")
    mine = Trade.objects.filter(user=user).first()
    r = bulk(web, [mine.pk, theirs.pk], action="setup_type", setup_type="Mine")
    assert "Setup set to “Mine” on 1 trade." in web.get(r["Location"]).content.decode()
    theirs.refresh_from_db()
    assert theirs.setup_type == "Theirs"
    r = bulk(web, [theirs.pk], action="tag", tag="Stolen")
    assert "none of the selected trades is in your journal" in web.get(r["Location"]).content.decode()
    assert not theirs.tags.exists()
    assert not Tag.objects.filter(name="Stolen").exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"action": "tag", "tag": ""}, "The tag name must be 1 to 64 characters"),
        (
            {"action": "tag", "tag": "a,b"},
            "The tag name must be 1 to 64 characters, without control characters, commas",
        ),
        ({"action": "setup_type", "setup_type": "x" * 65}, "Ensure this field has no more than 64 characters."),
        ({"action": "account", "account": "999999"}, "Select a valid choice."),
        ({"action": "rename"}, "Select a valid choice."),
    ],
)
def test_a_bad_value_changes_nothing_and_says_why(web, api, user, fields, message):
    journal(user, count=3)
    ids = list(Trade.objects.filter(user=user).values_list("id", flat=True))
    before = all_api_trades(api)
    r = bulk(web, ids, **fields)
    assert r.status_code == 302, r.content
    page = web.get(r["Location"]).content.decode()
    assert "Nothing changed:" in page
    assert message in page.replace("&#x27;", "'")
    assert all_api_trades(api) == before


@pytest.mark.parametrize("ids", [[], ["abc"], [str(n) for n in range(1, 102)]])
def test_a_selection_of_none_or_of_no_ids_or_of_too_many_is_refused(web, api, user, ids):
    journal(user, count=3)
    before = all_api_trades(api)
    r = web.post("/dashboard/trades/bulk/", {"trade": ids, "action": "setup_type", "setup_type": "x"})
    assert "Nothing changed:" in web.get(r["Location"]).content.decode()
    assert all_api_trades(api) == before


def test_a_bulk_edit_needs_the_csrf_token_and_a_post(user):
    journal(user, count=2)
    pk = Trade.objects.filter(user=user).first().pk
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    r = client.post("/dashboard/trades/bulk/", {"trade": [pk], "action": "setup_type", "setup_type": "x"})
    assert r.status_code == 403
    assert client.get("/dashboard/trades/bulk/").status_code == 405
    assert Trade.objects.get(pk=pk).setup_type == ""
    # The list's form carries the token.
    assert 'name="csrfmiddlewaretoken"' in client.get("/dashboard/trades/").content.decode()


def test_a_bulk_edit_never_sends_the_trader_to_another_site(web, user):
    journal(user, count=2)
    pk = Trade.objects.filter(user=user).first().pk
    for next_url in ("https://evil.example/dashboard/trades/", "//evil.example/", "/dashboard/"):
        r = web.post("/dashboard/trades/bulk/", {"trade": [pk], "action": "tag", "tag": "x", "next": next_url})
        assert r["Location"] == "/dashboard/trades/"


def test_the_apis_cached_list_and_stats_see_a_bulk_edit_at_once(web, api, user):
    journal(user, count=6)
    ids = list(Trade.objects.filter(user=user).values_list("id", flat=True))
    assert read(api, "/api/v1/trades?setup_type=scalp")["total"] == 0
    read(api, "/api/v1/stats?setup_type=scalp")
    bulk(web, ids[:2], action="setup_type", setup_type="Scalp")
    assert read(api, "/api/v1/trades?setup_type=scalp")["total"] == 2
    closed = [pk for pk in ids[:2] if Trade.objects.get(pk=pk).exit_time]
    assert read(api, "/api/v1/stats?setup_type=scalp")["total_trades"] == len(closed)


def test_a_tag_that_would_give_a_trade_more_than_the_apis_limit_changes_nothing(web, api, user):
    journal(user, count=2)
    full, other = Trade.objects.filter(user=user).order_by("id")
    tag_trade(full, *(make_tag(user, f"t{n}") for n in range(MAX_TAGS_PER_TRADE - 1)))  # and Momentum: 50
    r = bulk(web, [full.pk, other.pk], action="tag", tag="One more")
    page = web.get(r["Location"]).content.decode()
    assert f"A trade has at most {MAX_TAGS_PER_TRADE} tags, and these already have as many: {full.pk}." in page
    assert "One more" not in api_trade(api, other.pk)["tags"]
    assert not Tag.objects.filter(name="One more").exists()
    # A tag it already has is no new one.
    r = bulk(web, [full.pk, other.pk], action="tag", tag="t1")
    assert "Tag “t1” added to 2 trades." in web.get(r["Location"]).content.decode()


@pytest.mark.parametrize(
    "fields", [{"action": "setup_type", "setup_type": "Scalp"}, {"action": "tag", "tag": "Momentum"}]
)
def test_a_bulk_edit_moves_the_journal_version_once(web, user, monkeypatch, fields):
    journal(user, count=4)
    moves = []
    monkeypatch.setattr(versions, "changed", moves.append)
    bulk(web, Trade.objects.filter(user=user).values_list("id", flat=True), **fields)
    assert moves == [user.pk]


@pytest.mark.django_db(transaction=True)
def test_while_an_import_holds_the_journal_a_bulk_edit_is_refused_and_changes_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: one writer at a time anyway")
    user = make_user()
    trade = make_trade(user)
    web = Client()
    web.force_login(user)
    held, release = threading.Event(), threading.Event()

    def importing():  # as imports.apply holds the owner while it rebuilds their trades
        try:
            with transaction.atomic():
                list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
                held.set()
                release.wait(timeout=120)
        finally:
            connections.close_all()

    worker = threading.Thread(target=importing)
    worker.start()
    try:
        assert held.wait(timeout=120)
        r = bulk(web, [trade.pk], action="setup_type", setup_type="Scalp")
    finally:
        release.set()
        worker.join(timeout=120)
    assert "Nothing changed: An import of yours is being applied or undone" in web.get(r["Location"]).content.decode()
    trade.refresh_from_db()
    assert trade.setup_type == ""
    r = bulk(web, [trade.pk], action="setup_type", setup_type="Scalp")
    assert "Setup set to “Scalp” on 1 trade." in web.get(r["Location"]).content.decode()
