"""Bad input to the trades API: a clear error in the contract's shape, never a 500, nothing stored."""

import json

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal import instruments
from journal.models import Trade
from journal.serializers import TradeSerializer
from tests.factories import REFERENCE_BODY

pytestmark = pytest.mark.django_db


def post_raw(api, body: bytes | str, content_type: str = "application/json"):
    return api.generic("POST", "/api/v1/trades", body, content_type=content_type)


def test_malformed_json_is_400(api):
    r = post_raw(api, '{"instrument": "BTCUSDT",')
    assert r.status_code == 400, r.content
    assert r.json()["error"].startswith("Malformed JSON")
    assert Trade.objects.count() == 0


@pytest.mark.parametrize("body", [b'{"quantity": NaN}', b'{"quantity": Infinity}', b"\xff\xfe{}"])
def test_non_json_numbers_and_bad_encoding_are_400(api, body):
    r = post_raw(api, body)
    assert r.status_code == 400, r.content
    assert "error" in r.json()


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", ""]
)
def test_wrong_or_missing_content_type_is_415(api, content_type):
    r = post_raw(api, json.dumps(REFERENCE_BODY), content_type=content_type)
    assert r.status_code == 415, r.content
    assert r.json()["error"].startswith("Unsupported media type")
    assert Trade.objects.count() == 0


def test_oversized_body_is_413(api):
    r = post_raw(api, json.dumps({**REFERENCE_BODY, "notes": "x" * 100_000}))
    assert r.status_code == 413, r.content
    assert r.json() == {"error": "Request body too large."}
    assert Trade.objects.count() == 0


@pytest.mark.parametrize("body", ["[]", "[1, 2]", '"trade"', "42", "null", "true"])
def test_json_that_is_not_an_object_is_422(api, body):
    r = post_raw(api, body)
    assert r.status_code == 422, r.content
    assert r.json()["error"] == "Validation failed"
    assert list(r.json()["details"]) == ["non_field_errors"]


def test_every_missing_required_field_reads_like_the_reference(api):
    r = post_raw(api, "{}")
    assert r.status_code == 422
    assert r.json() == {
        "error": "Validation failed",
        "details": {name: [f"The {name} field is required."]
                    for name in ("instrument", "side", "quantity", "entry_time", "entry_price")},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"instrument": None}, "instrument", "The instrument field is required."),
        ({"instrument": "   "}, "instrument", "The instrument field is required."),
        (
            {"instrument": "BTC\tUSDT"},
            "instrument",
            instruments.MESSAGE,
        ),
        (
            {"instrument": " BTCUSDT"},
            "instrument",
            instruments.MESSAGE,
        ),
        (
            {"instrument": "BTCÜSDT"},
            "instrument",
            instruments.MESSAGE,
        ),
        ({"instrument": "X" * 33}, "instrument", "Ensure this field has no more than 32 characters."),
        ({"side": "buy"}, "side", "The side must be long or short."),
        ({"quantity": 0}, "quantity", "The quantity must be greater than 0."),
        ({"quantity": -1}, "quantity", "The quantity must be greater than 0."),
        ({"quantity": "abc"}, "quantity", "A valid number is required."),
        ({"quantity": True}, "quantity", "A valid number is required."),
        ({"quantity": "0.000000001"}, "quantity", "Ensure that there are no more than 8 decimal places."),
        (
            {"entry_price": 10**15},
            "entry_price",
            "Ensure that there are no more than 12 digits before the decimal point.",
        ),
        ({"entry_price": 0}, "entry_price", "The entry_price must be greater than 0."),
        (
            {"exit_price": -5},
            "exit_price",
            "The exit_price must be at least 0 (0 for an option that expired worthless).",
        ),
        ({"stop_loss": 0}, "stop_loss", "The stop_loss must be greater than 0."),
        ({"take_profit": -1}, "take_profit", "The take_profit must be greater than 0."),
        ({"commission": -0.01}, "commission", "The commission must be at least 0."),
        (
            {"entry_time": "yesterday"},
            "entry_time",
            "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
        ),
        ({"entry_time": "0001-01-01T00:00:00+01:00"}, "entry_time", "The entry_time must be between 1970 and 2099."),
        ({"entry_time": "1900-01-01T00:00:00Z"}, "entry_time", "The entry_time must be between 1970 and 2099."),
        ({"exit_time": "9999-12-31T23:59:59Z"}, "exit_time", "The exit_time must be between 1970 and 2099."),
        (
            {"exit_time": "2025-03-15T10:29:59Z"},
            "exit_time",
            "The exit_time must be a date after or equal to entry_time.",
        ),
        ({"exit_time": None}, "exit_time", "The exit_time field is required when exit_price is present."),
        ({"exit_price": None}, "exit_price", "The exit_price field is required when exit_time is present."),
        ({"notes": "n" * 10_001}, "notes", "Ensure this field has no more than 10000 characters."),
        ({"bogus": 1}, "bogus", "Unknown field."),
    ],
)
def test_each_bad_field_is_a_clear_422_and_stores_nothing(api, change, field, message):
    r = api.post("/api/v1/trades", {**REFERENCE_BODY, **change}, format="json")
    assert r.status_code == 422, r.content
    assert r.json()["error"] == "Validation failed"
    assert r.json()["details"][field] == [message]
    assert Trade.objects.count() == 0


@pytest.mark.parametrize("number", ["1e400", "1E+21", "123456789012345678901234567890"])
def test_absurdly_large_numbers_are_422(api, number):
    r = post_raw(api, json.dumps(REFERENCE_BODY).replace('"quantity": 0.5', f'"quantity": {number}'))
    assert r.status_code == 422, r.content
    assert r.json()["details"]["quantity"][0].startswith("Ensure that there are no more than")


@pytest.mark.parametrize(
    ("quantity", "net_pnl"),
    [
        ("1234567.12345678", "0.02469134"),  # 15 significant digits: exact on every database
        pytest.param(
            "123456789012.12345678",
            "2469.13578024",
            marks=pytest.mark.skipif(
                connection.vendor != "postgresql", reason="SQLite keeps 15 significant digits (see README)"
            ),
        ),
    ],
)
def test_numbers_keep_every_digit_from_request_to_response(api, quantity, net_pnl):
    # Sent as raw JSON text: a Python float could not even hold these numbers.
    body = json.dumps({**REFERENCE_BODY, "quantity": "Q", "entry_price": 0.00000001, "exit_price": 0.00000003,
                       "commission": 0}).replace('"Q"', quantity)  # fmt: skip
    r = post_raw(api, body)
    assert r.status_code == 201, r.content
    got = api.get(f"/api/v1/trades/{r.json()['id']}")
    assert f'"quantity":{quantity},'.encode() in got.content
    assert f'"net_pnl":{net_pnl},'.encode() in got.content


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
FIELDS = [*REFERENCE_BODY, "id", "pnl", "net_pnl", "user"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.dictionaries(
        st.sampled_from(FIELDS), JSON_VALUES | st.sampled_from(["", "0", "-1", "1e999", "2025-13-01"]), max_size=5
    ),
    drop=st.sets(st.sampled_from(list(REFERENCE_BODY))),
    whole=st.none() | JSON_VALUES,
)
def test_random_bodies_never_cause_a_500(api, django_settings_override, changes, drop, whole):
    body = whole if whole is not None else {k: v for k, v in {**REFERENCE_BODY, **changes}.items() if k not in drop}
    created = api.post("/api/v1/trades", body, format="json")
    assert created.status_code in (201, 400, 422), created.content
    assert "error" in created.json() or created.status_code == 201
    if created.status_code == 201:
        changed = api.patch(f"/api/v1/trades/{created.json()['id']}", body, format="json")
        assert changed.status_code in (200, 422), changed.content


def test_each_request_validates_with_fields_of_its_own(api):
    first, second = TradeSerializer(data={}), TradeSerializer(data={})
    for name, field in first.fields.items():
        assert field is not second.fields[name], name
        assert field.parent is first and second.fields[name].parent is second, name
    # One request's errors never leak into the next one's.
    bad_quantity = post_raw(api, json.dumps({**REFERENCE_BODY, "quantity": 0})).json()["details"]
    bad_side = post_raw(api, json.dumps({**REFERENCE_BODY, "side": "up"})).json()["details"]
    assert (set(bad_quantity), set(bad_side)) == ({"quantity"}, {"side"})
