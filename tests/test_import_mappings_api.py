"""/api/v1/import-mappings: CRUD of the owner's column mappings, names unique in any case, the rules
a mapping must follow in the API's messages, isolation between owners, scopes and the schema."""

import pytest
from rest_framework.test import APIClient

from apikeys.scopes import ALL_SCOPES
from imports.models import ImportMapping
from tests.factories import make_key, make_user

pytestmark = pytest.mark.django_db

KEYS = ["id", "name", "level", "columns", "values", "date_format", "tz", "header_signature", "created_at"]
ZENITH = {
    "name": "Zenith Securities",
    "columns": {"date": "Trade Date", "time_of_day": "Exec Time", "instrument": "Ticker", "side": "B/S",
                "quantity": "Shares", "price": "Fill Px", "commission": "Comm", "fees": "Reg Fee",
                "exec_id": "Confirmation No."},
    "values": {"side": {"B": "buy", "S": "sell"}},
    "date_format": "%d/%m/%Y %H:%M:%S",
    "header_signature": "Trade Date|Exec Time|Ticker|B/S|Shares|Fill Px|Comm|Reg Fee|Confirmation No.|Ord #|Venue",
}  # fmt: skip
TRADES = {
    "name": "Journal export", "level": "trades",
    "columns": {"entry_time": "Opened", "exit_time": "Closed", "instrument": "Market", "side": "Direction",
                "quantity": "Size", "entry_price": "Open Price", "exit_price": "Close Price", "pnl": "Profit"},
}  # fmt: skip


def create(api, body: dict, status: int = 201) -> dict:
    r = api.post("/api/v1/import-mappings", body, format="json")
    assert r.status_code == status, r.content
    return r.json()


def details(r) -> dict:
    assert r.status_code == 422, r.content
    assert r.json()["error"] == "Validation failed"
    return r.json()["details"]


def test_create_answers_the_mapping_with_its_signature_normalised_and_location(api, user):
    r = api.post("/api/v1/import-mappings", ZENITH, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    mapping = ImportMapping.objects.get()
    assert list(body) == KEYS
    assert body == {
        **ZENITH, "id": mapping.pk, "level": "fills", "tz": None, "created_at": body["created_at"],
        "header_signature": "trade date|exec time|ticker|b/s|shares|fill px|comm|reg fee|confirmation no|ord #|venue",
    }  # fmt: skip
    assert r["Location"] == f"http://testserver/api/v1/import-mappings/{mapping.pk}"
    assert mapping.user == user


def test_a_trades_level_mapping_takes_the_trade_fields_and_long_short_values(api):
    body = create(api, {**TRADES, "values": {"side": {"Long": "long", "Short": "short"}}, "tz": "America/Chicago"})
    assert (body["level"], body["values"], body["tz"], body["date_format"]) == (
        "trades", {"side": {"Long": "long", "Short": "short"}}, "America/Chicago", None
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": None}, {"name": ["The name field is required."]}),
        ({"columns": {**ZENITH["columns"], "stop": "Stop"}}, {"columns.stop": ["Unknown field."]}),
        ({"columns": {**ZENITH["columns"], "price": ""}}, {"columns.price": ["This field may not be blank."]}),
        ({"level": "orders"}, {"level": ['"orders" is not a valid choice.']}),
        ({"columns": {**ZENITH["columns"], "time": "Exec Time"}},
         {"columns.time": ["Map either time, or date (with time_of_day when the time has a column of its own)."]}),
        ({"columns": {k: v for k, v in ZENITH["columns"].items() if k != "quantity"}},
         {"columns.quantity": ["The quantity column is required."]}),
        ({"columns": {k: v for k, v in ZENITH["columns"].items() if k != "date"}},
         {"columns.time": ["The time column is required (or date, with time_of_day)."],
          "columns.time_of_day": ["A time_of_day column goes with a date column."]}),
        ({"columns": {**ZENITH["columns"], "pnl": "Venue"}},
         {"columns.pnl": ["A fills-level mapping has no pnl; its fields are time, date, time_of_day, instrument, side, "
                          "quantity, price, commission, fees, account, exec_id, order_id, multiplier, currency."]}),
        ({"values": {"side": {"B": "long"}}}, {"values.side": ["At the fills level a side is one of buy, sell, "
                                                                "buy_to_open, buy_to_close, sell_to_open, sell_to_close."]}),
        ({"values": {"side": {"B": "hold"}}}, {"values.side.B": ['"hold" is not a valid choice.']}),
        ({"values": {"effect": {"O": "open"}}}, {"values.effect": ["Unknown field."]}),
        ({"values": {"side": {"B\x00": "buy"}}}, {"values.side": ["Null characters are not allowed."]}),
        ({"values": {"side": {f"B{n}": "buy" for n in range(101)}}},
         {"values.side": ["Ensure there are no more than 100 values."]}),
        ({"date_format": "%H:%M"}, {"date_format": ["The date_format must name the day, the month and the year with "
                                                    "strftime directives, e.g. %d.%m.%Y %H:%M:%S."]}),
        ({"date_format": "%d.%Q.%Y"}, {"date_format": ["The date_format must name the day, the month and the year "
                                                       "with strftime directives, e.g. %d.%m.%Y %H:%M:%S."]}),
        ({"tz": "Mars/Olympus"}, {"tz": ['"Mars/Olympus" is not a valid choice.']}),
        ({"header_signature": "Trade Date|Exec Time|Ticker|B/S|Shares|Fill Px|Comm|Reg Fee"},
         {"columns.exec_id": ["'Confirmation No.' is not a column of the header_signature."]}),
    ],
)  # fmt: skip
def test_a_mapping_that_cannot_read_a_file_is_422_with_a_message_per_field(api, change, expected):
    body = {**ZENITH, **change}
    assert details(api.post("/api/v1/import-mappings", {k: v for k, v in body.items() if v is not None},
                            format="json")) == expected  # fmt: skip
    assert not ImportMapping.objects.exists()


def test_a_trades_level_mapping_maps_exit_time_and_price_together(api):
    columns = {k: v for k, v in TRADES["columns"].items() if k != "exit_price"}
    assert details(api.post("/api/v1/import-mappings", {**TRADES, "columns": columns}, format="json")) == {
        "columns.exit_time": ["Map exit_time and exit_price together, or neither (open trades only)."]
    }


def test_names_are_unique_per_owner_in_any_case_and_free_across_owners(api, user):
    create(api, ZENITH)
    assert details(api.post("/api/v1/import-mappings", {**ZENITH, "name": "ZENITH securities"}, format="json")) == {
        "name": ["You already have an import mapping named 'ZENITH securities'."]
    }
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(make_user())[1]}")
    create(other, ZENITH)


def test_list_is_the_page_envelope_by_name_in_any_case(api, user):
    for name in ("beta", "Alpha", "gamma"):
        create(api, {**ZENITH, "name": name})
    create(APIClient(), {}, status=401)
    body = api.get("/api/v1/import-mappings").json()
    assert [m["name"] for m in body["data"]] == ["Alpha", "beta", "gamma"]
    assert (body["total"], body["current_page"], body["last_page"]) == (3, 1, 1)


def test_read_change_and_delete_one(api):
    mapping = create(api, ZENITH)
    path = f"/api/v1/import-mappings/{mapping['id']}"
    assert api.get(path).json() == mapping
    r = api.patch(path, {"name": "Zenith", "tz": "Europe/London", "values": {"side": {"BOT": "buy"}}}, format="json")
    assert r.status_code == 200, r.content
    assert {k: r.json()[k] for k in ("name", "tz", "values", "columns")} == {
        "name": "Zenith", "tz": "Europe/London", "values": {"side": {"BOT": "buy"}}, "columns": ZENITH["columns"],
    }  # fmt: skip
    assert api.get(f"{path}/").json()["name"] == "Zenith"
    assert api.put(path, ZENITH, format="json").status_code == 405
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404


def test_a_change_is_checked_against_what_is_stored(api):
    mapping = create(api, ZENITH)
    r = api.patch(f"/api/v1/import-mappings/{mapping['id']}", {"level": "trades"}, format="json")
    assert "columns.date" in details(r) and "columns.entry_time" in details(r)
    r = api.patch(f"/api/v1/import-mappings/{mapping['id']}", {"columns": {"instrument": "Ticker"}}, format="json")
    assert details(r)["columns.quantity"] == ["The quantity column is required."]
    assert api.get(f"/api/v1/import-mappings/{mapping['id']}").json() == mapping


def test_another_owners_mapping_is_404_for_every_method(api):
    theirs = APIClient()
    theirs.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(make_user())[1]}")
    path = f"/api/v1/import-mappings/{create(theirs, ZENITH)['id']}"
    assert api.get(path).status_code == 404
    assert api.patch(path, {"name": "Mine now"}, format="json").status_code == 404
    assert api.delete(path).status_code == 404
    assert api.get("/api/v1/import-mappings").json()["total"] == 0
    assert theirs.get(path).json()["name"] == "Zenith Securities"


@pytest.mark.parametrize(
    ("method", "path", "needed"),
    [("get", "", "trades:read"), ("post", "", "trades:write"), ("get", "/{id}", "trades:read"),
     ("patch", "/{id}", "trades:write"), ("delete", "/{id}", "trades:write")],
)  # fmt: skip
@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_each_method_needs_exactly_its_scope(method, path, needed, scope):
    owner = make_user()
    mapping = ImportMapping.objects.create(user=owner, name="Zenith", level="fills", columns=ZENITH["columns"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(owner, scopes=[scope])[1]}")
    r = getattr(client, method)(f"/api/v1/import-mappings{path.format(id=mapping.pk)}", {**ZENITH, "name": "Other"},
                                format="json")  # fmt: skip
    if scope == needed:
        assert r.status_code in (200, 201, 204), r.content
    else:
        assert r.status_code == 403, r.content
        assert r.json() == {"error": f"Insufficient scope: {needed} required"}


def test_the_schema_documents_the_mappings_with_an_example_and_the_suggestion_on_an_import(client):
    schema = client.get("/api/v1/schema?format=json").json()
    operations = schema["paths"]["/api/v1/import-mappings"]
    assert operations["post"]["summary"] == "Create an import mapping"
    assert set(operations["post"]["responses"]) >= {"201", "401", "403", "422"}
    assert set(schema["paths"]["/api/v1/import-mappings/{id}"]) == {"get", "patch", "delete"}
    example = next(iter(operations["post"]["requestBody"]["content"]["application/json"]["examples"].values()))
    assert example["value"]["columns"]["exec_id"] == "Ref #"
    request = schema["components"]["schemas"]["ImportMappingRequest"]
    assert request["additionalProperties"] is False
    assert set(request["properties"]["columns"]["$ref"].rsplit("/", 1)[1:]) == {"MappingColumnsRequest"}
    columns = schema["components"]["schemas"]["MappingColumnsRequest"]["properties"]
    assert {"time", "date", "time_of_day", "exec_id", "order_id", "entry_time", "pnl"} <= set(columns)
    imported = schema["components"]["schemas"]["Import"]["properties"]
    assert "suggested_mapping" in imported
    parameters = {p["name"] for p in schema["paths"]["/api/v1/imports"]["post"]["parameters"]}
    assert "mapping" in parameters
