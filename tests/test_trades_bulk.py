"""POST /api/v1/trades/bulk: many trades at once, all or nothing, each as the trade list shows it."""

import json
from decimal import Decimal

import pytest

from core import versions
from journal import bulk
from journal.models import Account, Tag, Trade
from tests.factories import REFERENCE_BODY, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/trades/bulk"


def post(api, trades, **extra):
    return api.post(URL, {"trades": trades}, format="json", **extra)


def body(i: int, **fields) -> dict:
    return {**REFERENCE_BODY, "instrument": f"sym{i}", **fields}


def test_the_trades_are_created_in_order_and_answered_as_the_list_shows_them(api, user):
    account = Account.objects.create(user=user, name="Main")
    sent = [body(0, tags=["FOMO", "a+"]), body(1, account=account.pk), body(2, exit_time=None, exit_price=None)]
    r = post(api, sent)
    assert r.status_code == 201, r.content
    data = r.json()["data"]
    assert [t["instrument"] for t in data] == ["SYM0", "SYM1", "SYM2"]
    listed = {t["id"]: t for t in api.get("/api/v1/trades").json()["data"]}
    assert data == [listed[t["id"]] for t in data]
    assert data[0]["tags"] == ["a+", "FOMO"] and data[0]["net_pnl"] == 748.5
    assert data[1]["account"] == account.pk
    assert data[2]["pnl"] is None and data[2]["realized_pnl"] == 0


def test_tags_are_matched_to_the_owners_in_any_case_and_new_ones_created_once(api, user):
    Tag.objects.create(user=user, name="Breakout")
    r = post(api, [body(0, tags=["breakout", "new"]), body(1, tags=["NEW", "New", "breakout"])])
    assert r.status_code == 201, r.content
    assert [t["tags"] for t in r.json()["data"]] == [["Breakout", "new"], ["Breakout", "new"]]
    assert sorted(Tag.objects.filter(user=user).values_list("name", flat=True)) == ["Breakout", "new"]


def test_a_bad_item_is_named_by_its_index_and_nothing_is_created(api):
    r = post(api, [body(0), body(1, side="up"), body(2), body(3, quantity=0, instrument="")])
    assert r.status_code == 422, r.content
    details = r.json()["details"]
    assert details == {
        "trades.1.side": ["The side must be long or short."],
        "trades.3.quantity": ["The quantity must be greater than 0."],
        "trades.3.instrument": ["The instrument field is required."],
    }
    assert Trade.objects.count() == 0


def test_an_item_that_is_no_object_or_carries_an_unknown_field_is_named_too(api):
    r = post(api, [body(0), 7, body(2, colour="red")])
    assert r.status_code == 422, r.content
    assert set(r.json()["details"]) == {"trades.1.non_field_errors", "trades.2.colour"}


def test_another_traders_account_is_refused_by_index(api):
    theirs = Account.objects.create(user=make_user(), name="Theirs")
    r = post(api, [body(0), body(1, account=theirs.pk)])
    assert r.status_code == 422, r.content
    assert r.json()["details"] == {"trades.1.account": ["You have no account with this id."]}
    assert Trade.objects.count() == 0


@pytest.mark.parametrize("count", [0, bulk.MAX_TRADES + 1])
def test_none_or_more_than_the_limit_is_a_422(api, count):
    r = post(api, [{"instrument": "X"}] * count)
    assert r.status_code == 422, r.content
    assert r.json()["details"] == {"trades": [bulk.TOO_MANY_TRADES]}


@pytest.mark.parametrize("sent", [{}, {"trades": None}, {"trades": {"a": 1}}, [REFERENCE_BODY], {"trade": []}])
def test_a_body_without_a_list_of_trades_is_a_422(api, sent):
    r = api.post(URL, sent, format="json")
    assert r.status_code == 422, r.content
    assert Trade.objects.count() == 0


def test_the_limit_is_taken_and_the_body_may_exceed_a_single_trades(api, user):
    sent = [body(i, notes="n" * 200) for i in range(bulk.MAX_TRADES)]
    assert len(json.dumps({"trades": sent})) > 64 * 1024
    r = post(api, sent)
    assert r.status_code == 201, r.content
    assert Trade.objects.filter(user=user).count() == bulk.MAX_TRADES


def test_an_oversized_body_is_a_413(api):
    r = api.post(URL, b'{"trades": ["' + b"x" * bulk.MAX_BYTES + b'"]}', content_type="application/json")
    assert r.status_code == 413, r.content


def test_one_idempotency_key_covers_the_whole_request(api):
    first = post(api, [body(0), body(1)], HTTP_IDEMPOTENCY_KEY="sync-1")
    again = post(api, [body(0), body(1)], HTTP_IDEMPOTENCY_KEY="sync-1")
    assert first.status_code == again.status_code == 201, again.content
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Trade.objects.count() == 2
    other = post(api, [body(0)], HTTP_IDEMPOTENCY_KEY="sync-1")
    assert other.status_code == 422, other.content


def test_a_failed_request_keeps_no_key_so_the_fixed_one_goes_through(api):
    assert post(api, [body(0, side="up")], HTTP_IDEMPOTENCY_KEY="sync-2").status_code == 422
    assert post(api, [body(0)], HTTP_IDEMPOTENCY_KEY="sync-2").status_code == 201


def test_the_journal_version_moves_once_and_the_queries_do_not_grow_with_the_trades(
    api, user, monkeypatch, django_assert_max_num_queries
):
    account = Account.objects.create(user=user, name="Main")
    moves = []
    monkeypatch.setattr(versions, "changed", moves.append)
    # A few for the key, one for the accounts, then one INSERT per batch (SQLite's bound on
    # parameters makes a batch about 50 trades; PostgreSQL takes all 300 in one).
    with django_assert_max_num_queries(20):
        r = post(api, [body(i, account=account.pk) for i in range(300)])
    assert r.status_code == 201, r.content
    assert moves == [user.pk]


def test_the_cached_list_and_stats_see_the_new_trades(api):
    assert api.get("/api/v1/stats").json()["total_trades"] == 0
    post(api, [body(0), body(1)])
    assert api.get("/api/v1/stats").json()["total_trades"] == 2
    assert Decimal(str(api.get("/api/v1/stats").json()["net_pnl"])) == Decimal("1497")
