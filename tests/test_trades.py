"""The trades resource, exactly as the reference documents it: create, list, read, change, delete."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal.models import Trade
from tests.factories import REFERENCE_BODY, make_trade, make_user

REFERENCE_TRADE = {
    "instrument": "BTCUSDT",
    "side": "long",
    "quantity": 0.5,
    "entry_time": "2025-03-15T10:30:00.000000Z",
    "entry_price": 65000,
    "exit_time": "2025-03-15T14:00:00.000000Z",
    "exit_price": 66500,
    "pnl": 750,
    "net_pnl": 748.5,
    "commission": 1.5,
    "setup_type": "breakout",
    "notes": "Strong momentum breakout",
    "stop_loss": 64000,
    "take_profit": 68000,
    # v1.1's keys, after the reference's: a trade sent without them has no account, no tags,
    # multiplier 1 and no initial risk.
    "account": None,
    "tags": [],
    "multiplier": 1,
    "initial_risk": None,
    # v1.2's: a closed trade has realized its net P&L.
    "realized_pnl": 748.5,
}

pytestmark = pytest.mark.django_db


def post(api, body, **extra):
    return api.post("/api/v1/trades", body, format="json", **extra)


def test_reference_create_answers_exactly_the_reference_201(api):
    r = post(api, REFERENCE_BODY)
    assert r.status_code == 201, r.content
    trade = Trade.objects.get()
    assert r.json() == {"id": trade.pk, "instrument": "BTCUSDT", "side": "long", "entry_price": 65000,
                        "message": "Trade created"}  # fmt: skip
    assert r["Location"] == f"http://testserver/api/v1/trades/{trade.pk}"
    assert b'"entry_price":65000,' in r.content  # a JSON number, not "65000.00000000"


def test_reference_list_answers_the_reference_trade_object(api):
    trade_id = post(api, REFERENCE_BODY).json()["id"]
    r = api.get("/api/v1/trades?from=2025-01-01&to=2025-12-31&instrument=BTCUSDT&side=long&per_page=25")
    assert r.status_code == 200, r.content
    assert r.json() == {"data": [{"id": trade_id, **REFERENCE_TRADE}], "current_page": 1, "last_page": 1,
                        "per_page": 25, "total": 1}  # fmt: skip
    assert list(r.json()["data"][0])[:13] == ["id", "instrument", "side", "quantity", "entry_time", "entry_price",
                                              "exit_time", "exit_price", "pnl", "net_pnl", "commission",
                                              "setup_type", "notes"]  # fmt: skip
    assert b'"quantity":0.5,' in r.content and b'"net_pnl":748.5,' in r.content


def test_read_one_trade(api):
    trade_id = post(api, REFERENCE_BODY).json()["id"]
    for path in (f"/api/v1/trades/{trade_id}", f"/api/v1/trades/{trade_id}/"):
        r = api.get(path)
        assert r.status_code == 200, r.content
        assert r.json() == {"id": trade_id, **REFERENCE_TRADE}


@pytest.mark.parametrize(
    ("side", "entry", "exit_", "quantity", "commission", "pnl", "net_pnl"),
    [
        ("long", "100", "110", "2", "1", 20, 19),
        ("long", "100", "90", "2", "1", -20, -21),
        ("short", "100", "90", "2", "1", 20, 19),
        ("short", "100", "110", "2", "0.25", -20, -20.25),
        ("long", "0.00001234", "0.00001334", "1000000.5", "0", 1.0000005, 1.0000005),
    ],
)
def test_pnl_for_long_and_short(api, side, entry, exit_, quantity, commission, pnl, net_pnl):
    body = {**REFERENCE_BODY, "side": side, "entry_price": entry, "exit_price": exit_, "quantity": quantity,
            "commission": commission}  # fmt: skip
    trade_id = post(api, body).json()["id"]
    got = api.get(f"/api/v1/trades/{trade_id}").json()
    assert (got["pnl"], got["net_pnl"]) == (pnl, net_pnl)


def test_open_trade_has_null_exit_and_pnl(api):
    body = {k: v for k, v in REFERENCE_BODY.items() if k not in ("exit_time", "exit_price", "stop_loss", "take_profit")}
    trade_id = post(api, body).json()["id"]
    got = api.get(f"/api/v1/trades/{trade_id}").json()
    assert {
        k: got[k] for k in ("exit_time", "exit_price", "pnl", "net_pnl", "stop_loss", "take_profit")
    } == dict.fromkeys(("exit_time", "exit_price", "pnl", "net_pnl", "stop_loss", "take_profit"))


def test_commission_defaults_to_zero_and_optional_text_to_empty(api):
    body = {k: REFERENCE_BODY[k] for k in ("instrument", "side", "quantity", "entry_time", "entry_price")}
    got = api.get(f"/api/v1/trades/{post(api, body).json()['id']}").json()
    assert (got["commission"], got["notes"], got["setup_type"]) == (0, "", "")


def test_instrument_is_stored_upper_cased(api):
    r = post(api, {**REFERENCE_BODY, "instrument": "ethusdt"})
    assert r.json()["instrument"] == "ETHUSDT"


def test_naive_and_offset_timestamps_are_stored_in_utc(api):
    body = {**REFERENCE_BODY, "entry_time": "2025-03-15T12:30:00+02:00", "exit_time": "2025-03-15T14:00:00"}
    got = api.get(f"/api/v1/trades/{post(api, body).json()['id']}").json()
    assert (got["entry_time"], got["exit_time"]) == ("2025-03-15T10:30:00.000000Z", "2025-03-15T14:00:00.000000Z")


def test_patch_recomputes_pnl(api):
    trade_id = post(api, REFERENCE_BODY).json()["id"]
    r = api.patch(f"/api/v1/trades/{trade_id}", {"exit_price": 64000}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["pnl"], r.json()["net_pnl"]) == (-500, -501.5)
    r = api.patch(f"/api/v1/trades/{trade_id}", {"side": "short", "commission": 0}, format="json")
    assert (r.json()["pnl"], r.json()["net_pnl"]) == (500, 500)
    stored = Trade.objects.get()
    assert (stored.pnl, stored.net_pnl) == (Decimal("500"), Decimal("500"))


def test_patch_can_close_and_reopen_a_trade(api):
    body = {k: v for k, v in REFERENCE_BODY.items() if k not in ("exit_time", "exit_price")}
    trade_id = post(api, body).json()["id"]
    closed = api.patch(f"/api/v1/trades/{trade_id}", {"exit_time": "2025-03-16T00:00:00Z", "exit_price": 66000},
                       format="json")  # fmt: skip
    assert closed.json()["net_pnl"] == 498.5
    reopened = api.patch(f"/api/v1/trades/{trade_id}", {"exit_time": None, "exit_price": None}, format="json")
    assert (reopened.json()["pnl"], reopened.json()["net_pnl"]) == (None, None)


def test_patch_is_validated_against_the_whole_trade(api):
    trade_id = post(api, REFERENCE_BODY).json()["id"]
    r = api.patch(f"/api/v1/trades/{trade_id}", {"exit_time": "2025-03-14T00:00:00Z"}, format="json")
    assert r.status_code == 422
    assert r.json()["details"] == {"exit_time": ["The exit_time must be a date after or equal to entry_time."]}
    r = api.patch(f"/api/v1/trades/{trade_id}", {"exit_price": None}, format="json")
    assert r.json()["details"] == {"exit_price": ["The exit_price field is required when exit_time is present."]}
    assert api.get(f"/api/v1/trades/{trade_id}").json() == {"id": trade_id, **REFERENCE_TRADE}


def test_put_replaces_the_trade(api):
    trade_id = post(api, REFERENCE_BODY).json()["id"]
    body = {"instrument": "ethusdt", "side": "short", "quantity": 2, "entry_time": "2025-04-01T00:00:00Z",
            "entry_price": 3000}  # fmt: skip
    r = api.put(f"/api/v1/trades/{trade_id}/", body, format="json")
    assert r.status_code == 200, r.content
    got = r.json()
    assert (got["instrument"], got["side"], got["quantity"], got["entry_price"]) == ("ETHUSDT", "short", 2, 3000)
    assert (got["exit_price"], got["pnl"], got["stop_loss"], got["commission"], got["notes"]) == (
        None,
        None,
        None,
        0,
        "",
    )


def test_put_requires_the_required_fields(api):
    trade_id = post(api, REFERENCE_BODY).json()["id"]
    r = api.put(f"/api/v1/trades/{trade_id}", {"notes": "x"}, format="json")
    assert r.status_code == 422
    assert r.json()["details"]["instrument"] == ["The instrument field is required."]


def test_delete_answers_204_and_the_trade_is_gone(api):
    trade_id = post(api, REFERENCE_BODY).json()["id"]
    r = api.delete(f"/api/v1/trades/{trade_id}")
    assert r.status_code == 204
    assert r.content == b""
    assert api.get(f"/api/v1/trades/{trade_id}").status_code == 404
    assert api.delete(f"/api/v1/trades/{trade_id}").status_code == 404


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_another_owners_trade_is_404_for_every_method_and_untouched(api, method):
    theirs = make_trade(make_user(), notes="private")
    r = getattr(api, method)(f"/api/v1/trades/{theirs.pk}", {**REFERENCE_BODY, "notes": "mine"}, format="json")
    assert r.status_code == 404, r.content
    assert r.json() == {"error": "Not found."}
    theirs.refresh_from_db()
    assert theirs.notes == "private"


def test_list_shows_only_the_key_owners_trades(api, user):
    mine = make_trade(user)
    make_trade(make_user())
    body = api.get("/api/v1/trades").json()
    assert [t["id"] for t in body["data"]] == [mine.pk]
    assert body["total"] == 1


def test_created_trade_belongs_to_the_key_owner_whatever_the_body_says(api, user):
    other = make_user()
    r = post(api, {**REFERENCE_BODY, "user": other.pk, "id": 12345, "pnl": 1, "net_pnl": 1})
    assert r.status_code == 422
    assert r.json()["details"] == {"user": ["Unknown field."]}
    r = post(api, {**REFERENCE_BODY, "id": 12345, "pnl": 1, "net_pnl": 1})
    assert r.status_code == 201, r.content
    trade = Trade.objects.get()
    assert trade.user == user and trade.pk != 12345 and trade.pnl == Decimal("750")


@pytest.mark.parametrize("suffix", ["", "/"])
def test_every_method_works_with_and_without_trailing_slash(api, suffix):
    r = api.post(f"/api/v1/trades{suffix}", REFERENCE_BODY, format="json")
    assert r.status_code == 201, r.content
    trade_id = r.json()["id"]
    assert api.get(f"/api/v1/trades{suffix}").status_code == 200
    assert api.get(f"/api/v1/trades/{trade_id}{suffix}").status_code == 200
    assert api.patch(f"/api/v1/trades/{trade_id}{suffix}", {"notes": "n"}, format="json").status_code == 200
    assert api.put(f"/api/v1/trades/{trade_id}{suffix}", REFERENCE_BODY, format="json").status_code == 200
    assert api.delete(f"/api/v1/trades/{trade_id}{suffix}").status_code == 204


@pytest.mark.parametrize("path", ["/api/v1/trades/abc", "/api/v1/trades/1.5", "/api/v1/trades/99999999999999999999"])
def test_non_numeric_or_huge_ids_are_404(api, path):
    r = api.get(path)
    assert r.status_code == 404
    assert r.json() == {"error": "Not found."}


def test_wrong_method_on_the_collection_is_405(api):
    r = api.delete("/api/v1/trades")
    assert r.status_code == 405
    assert r.json() == {"error": 'Method "DELETE" not allowed.'}
    assert "POST" in r["Allow"]


def test_list_costs_a_page_query_and_one_count_then_only_the_page(api, user):
    for i in range(30):
        make_trade(user, entry_time=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=i))
    api.get("/api/v1/trades")  # records the key's last use, and caches the count
    with CaptureQueriesContext(connection) as captured:
        r = api.get("/api/v1/trades?page=2&per_page=10")
    trade_queries = [q["sql"] for q in captured.captured_queries if "journal_trade" in q["sql"]]
    assert len(trade_queries) == 1 and "COUNT(" not in trade_queries[0].upper(), trade_queries
    assert len(r.json()["data"]) == 10 and r.json()["total"] == 30
    make_trade(user)
    assert api.get("/api/v1/trades?per_page=10").json()["total"] == 31
