"""POST/GET/DELETE /api/v1/imports: uploads in every shape, the parameters, limits and errors, live
state, undo; GET /api/v1/trades/{id}/executions."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from imports.apply import import_run
from imports.models import Import
from imports.undo import undo_run
from journal.models import Account, Trade
from tests.factories import make_key, make_user

DATA = Path(__file__).parent / "data" / "imports"
FILLS = (DATA / "generic" / "fills.csv").read_bytes()
ROUND_TRIP = (
    b"time,instrument,side,quantity,price,commission,exec_id\n"
    b"2025-01-06T14:30:00Z,AAPL,buy,100,200.10,1,E1\n"
    b"2025-01-06T14:45:00Z,AAPL,sell,100,201.35,1,E2\n"
)


def upload(api, body: bytes = ROUND_TRIP, content_type: str = "text/csv", query: str = "", **headers):
    return api.generic("POST", f"/api/v1/imports{query}", body, content_type=content_type, **headers)


def work(response) -> dict:
    """What the worker makes of the import the response announced, as GET then shows it."""
    import_run(import_id=response.json()["id"])
    return response


@pytest.mark.django_db
def test_a_raw_csv_body_is_accepted_at_once_and_a_worker_applies_it(api, user):
    r = upload(api)
    assert r.status_code == 202, r.content
    body = r.json()
    assert r["Location"].endswith(f"/api/v1/imports/{body['id']}")
    assert {k: body[k] for k in ("status", "format", "dry_run", "rows_total", "executions_created")} == {
        "status": "queued", "format": "generic", "dry_run": False, "rows_total": 0, "executions_created": 0,
    }  # fmt: skip
    assert list(body)[:15] == [
        "id", "status", "format", "filename", "dry_run", "rows_total", "rows_processed", "executions_created",
        "duplicates", "trades_created", "trades_updated", "skipped", "errors", "created_at", "finished_at",
    ]  # fmt: skip
    import_run(import_id=body["id"])
    done = api.get(f"/api/v1/imports/{body['id']}").json()
    assert {k: done[k] for k in ("status", "rows_total", "rows_processed", "executions_created", "trades_created")} == {
        "status": "succeeded", "rows_total": 2, "rows_processed": 2, "executions_created": 2, "trades_created": 1,
    }  # fmt: skip
    trade = Trade.objects.get(user=user)
    assert (trade.side, trade.quantity, trade.pnl, trade.commission) == ("long", 100, 125, 2)
    assert trade.account.broker == "Generic CSV" and trade.account.external_id is None


@pytest.mark.django_db
def test_a_multipart_file_with_its_parameters_in_the_form(api, user):
    r = api.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("fills.csv", FILLS), "tz": "America/New_York", "dry_run": "false"},
        format="multipart",
    )
    assert r.status_code == 202, r.content
    assert (r.json()["filename"], r.json()["tz"]) == ("fills.csv", "America/New_York")
    import_run(import_id=r.json()["id"])
    assert Trade.objects.filter(user=user).count() == 3


@pytest.mark.django_db
def test_json_fills_are_generic_fills_and_their_rows_are_their_positions(api, user):
    executions = [
        {"time": "2025-01-06T09:30:00", "instrument": "ESH5", "side": "buy", "quantity": 2, "price": 6000.25},
        {"time": "2025-01-06T09:31:00", "instrument": "ESH5", "side": "sell", "quantity": "2", "price": "6001.5",
         "commission": 4.5, "exec_id": "x-2"},
    ]  # fmt: skip
    r = api.post("/api/v1/imports?tz=America/New_York", {"executions": executions}, format="json")
    assert r.status_code == 202, r.content
    imp = work(r).json()
    imp = api.get(f"/api/v1/imports/{imp['id']}").json()
    assert (imp["format"], imp["status"], imp["executions_created"]) == ("generic", "succeeded", 2)
    trade = Trade.objects.get(user=user)
    assert (trade.multiplier, trade.pnl, trade.entry_time.hour) == (50, 125, 14)  # ES: 50 a point; 09:30 in New York


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("executions", "field"),
    [
        ([{"time": "2025-01-06T09:30:00", "instrument": "ES", "side": "buy", "quantity": 0, "price": 1}], "executions.0.quantity"),
        ([{"time": "yesterday", "instrument": "ES", "side": "buy", "quantity": 1, "price": 1}], "executions.0.time"),
        ([{"time": "2025-01-06T09:30:00", "instrument": "ES", "side": "hold", "quantity": 1, "price": 1}], "executions.0.side"),
        ([{"time": "2025-01-06T09:30:00", "instrument": "ES", "side": "buy", "quantity": 1, "price": 1, "x": 1}], "executions.0.x"),
        ([], "executions"),
    ],
)  # fmt: skip
def test_json_fills_are_checked_field_by_field_at_upload(api, executions, field):
    r = api.post("/api/v1/imports", {"executions": executions}, format="json")
    assert r.status_code == 422, r.content
    assert field in r.json()["details"], r.json()


@pytest.mark.django_db
def test_json_fills_named_as_another_format_are_422(api):
    fill = {"time": "2025-01-06T09:30:00", "instrument": "ES", "side": "buy", "quantity": 1, "price": 1}
    r = api.post("/api/v1/imports?format=ibkr", {"executions": [fill]}, format="json")
    assert r.status_code == 422 and "format" in r.json()["details"], r.content
    assert api.post("/api/v1/imports?format=generic", {"executions": [fill]}, format="json").status_code == 202


@pytest.mark.django_db
def test_a_parameter_in_both_the_query_and_the_form_must_have_one_value(api):
    form = {"file": SimpleUploadedFile("f.csv", ROUND_TRIP), "tz": "Europe/Paris"}
    r = api.post("/api/v1/imports?tz=UTC", form, format="multipart")
    assert r.status_code == 422 and "tz" in r.json()["details"], r.content
    form = {"file": SimpleUploadedFile("f.csv", ROUND_TRIP), "tz": "Europe/Paris"}
    assert api.post("/api/v1/imports?tz=Europe/Paris", form, format="multipart").status_code == 202


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [("?format=excel", "format"), ("?tz=Mars/Olympus", "tz"), ("?dry_run=maybe", "dry_run"), ("?account=x", "account")],
)
def test_bad_parameters_are_422(api, query, field):
    r = upload(api, query=query)
    assert r.status_code == 422, r.content
    assert field in r.json()["details"]


@pytest.mark.django_db
def test_another_owners_account_is_422_and_ones_own_takes_every_fill(api, user):
    theirs = Account.objects.create(user=make_user(), name="Theirs")
    assert upload(api, query=f"?account={theirs.pk}").status_code == 422
    mine = Account.objects.create(user=user, name="Mine")
    r = upload(api, body=FILLS, query=f"?account={mine.pk}&tz=America/New_York")
    assert r.status_code == 202, r.content
    import_run(import_id=r.json()["id"])
    assert set(Trade.objects.filter(user=user).values_list("account", flat=True)) == {mine.pk}


@pytest.mark.django_db
def test_an_undetectable_file_and_an_empty_one_are_422(api):
    r = upload(api, body=b"just some words\nthat are not a broker file\n", content_type="text/plain")
    assert r.status_code == 422 and "format" in r.json()["details"], r.content
    r = upload(api, body=b"")
    assert r.status_code == 422 and "file" in r.json()["details"], r.content
    r = upload(api, body=b"\n\n", query="?format=generic")
    assert r.status_code == 202, r.content  # named: read by the worker, which finds no rows
    r = api.post("/api/v1/imports", {}, format="multipart")
    assert r.status_code == 422 and "file" in r.json()["details"], r.content


@pytest.mark.django_db
def test_a_named_format_is_taken_as_said_and_a_wrong_one_fails_in_the_worker(api):
    r = upload(api, query="?format=ibkr")
    assert r.status_code == 202, r.content
    imp = api.get(f"/api/v1/imports/{work(r).json()['id']}").json()
    assert imp["status"] == "failed"
    assert imp["errors"][0]["row"] is None and "ibkr" in imp["errors"][0]["message"]


@pytest.mark.django_db
def test_a_file_over_import_max_bytes_is_413_and_a_wrong_content_type_415(api, settings):
    settings.IMPORT_MAX_BYTES = 100
    r = upload(api, body=ROUND_TRIP + b"#" * 100)
    assert r.status_code == 413, r.content
    r = api.post("/api/v1/imports", {"file": SimpleUploadedFile("f.csv", ROUND_TRIP * 3)}, format="multipart")
    assert r.status_code == 413, r.content
    assert upload(api, content_type="image/png").status_code == 415


@pytest.mark.django_db
def test_an_idempotency_key_replays_the_same_upload_and_refuses_another(api):
    first = upload(api, HTTP_IDEMPOTENCY_KEY="upload-1")
    again = upload(api, HTTP_IDEMPOTENCY_KEY="upload-1")
    assert first.status_code == again.status_code == 202, again.content
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Import.objects.count() == 1
    other = upload(api, body=FILLS, HTTP_IDEMPOTENCY_KEY="upload-1")
    assert other.status_code == 422, other.content


@pytest.mark.django_db
def test_the_list_is_newest_first_in_pages_and_others_imports_are_not_found(api, client):
    ids = [upload(api).json()["id"] for _ in range(3)]
    r = api.get("/api/v1/imports?per_page=2")
    assert r.status_code == 200, r.content
    assert [i["id"] for i in r.json()["data"]] == ids[::-1][:2]
    assert (r.json()["total"], r.json()["last_page"]) == (3, 2)
    _, other_key = make_key()
    assert client.get(f"/api/v1/imports/{ids[0]}", HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code == 404


@pytest.mark.django_db
def test_undo_cancels_a_queued_import_and_removes_what_a_finished_one_brought(api, user):
    queued = upload(api).json()["id"]
    assert api.delete(f"/api/v1/imports/{queued}").status_code == 204
    assert import_run(import_id=queued) is None  # the worker finds nothing to do
    assert api.get(f"/api/v1/imports/{queued}").status_code == 404
    import_id = upload(api).json()["id"]
    import_run(import_id=import_id)
    assert Trade.objects.filter(user=user).count() == 1
    r = api.delete(f"/api/v1/imports/{import_id}")
    assert r.status_code == 202, r.content
    assert (r.json()["status"], r.json()["stage"], r["Location"].endswith(f"/api/v1/imports/{import_id}")) == (
        "undoing", None, True,
    )  # fmt: skip
    assert Trade.objects.filter(user=user).count() == 1  # a worker undoes it
    undo_run(import_id=import_id)
    assert not Trade.objects.filter(user=user).exists()
    assert not Account.objects.filter(user=user).exists()  # the default account it created, now unused
    done = api.get(f"/api/v1/imports/{import_id}").json()
    assert (done["status"], done["executions_created"]) == ("undone", 2)


@pytest.mark.django_db
def test_asking_again_to_undo_answers_the_undo_as_it_stands(api, user):
    import_id = upload(api).json()["id"]
    import_run(import_id=import_id)
    assert api.delete(f"/api/v1/imports/{import_id}").status_code == 202
    again = api.delete(f"/api/v1/imports/{import_id}")
    assert (again.status_code, again.json()["status"]) == (202, "undoing"), again.content
    undo_run(import_id=import_id)
    assert undo_run(import_id=import_id) is None  # a second task for it finds nothing to do
    done = api.delete(f"/api/v1/imports/{import_id}")
    assert (done.status_code, done.json()["status"]) == (200, "undone"), done.content
    assert Import.objects.get(pk=import_id).status == "undone"


@pytest.mark.django_db
def test_undo_of_an_import_being_applied_is_409(api):
    imp = upload(api).json()["id"]
    Import.objects.filter(pk=imp).update(status="processing", started_at=timezone.now())
    r = api.delete(f"/api/v1/imports/{imp}")
    assert r.status_code == 409 and "being applied" in r.json()["error"], r.content


@pytest.mark.django_db
def test_a_trades_executions_are_its_fills_in_time_order(api, user, client):
    work(upload(api))
    trade = Trade.objects.get(user=user)
    r = api.get(f"/api/v1/trades/{trade.pk}/executions")
    assert r.status_code == 200, r.content
    rows = r.json()["data"]
    assert [(e["side"], e["quantity"], e["price"], e["commission"], e["fees"], e["exec_id"]) for e in rows] == [
        ("buy", 100, 200.1, 1, 0, "E1"), ("sell", 100, 201.35, 1, 0, "E2"),
    ]  # fmt: skip
    assert list(rows[0]) == ["id", "time", "side", "quantity", "price", "commission", "fees", "exec_id", "import"]
    assert rows[0]["time"] == "2025-01-06T14:30:00.000000Z"
    hand = Trade.objects.create(user=user, instrument="X", side="long", quantity=1, entry_price=1,
                                entry_time=trade.entry_time)  # fmt: skip
    assert api.get(f"/api/v1/trades/{hand.pk}/executions").json()["data"] == []
    _, other_key = make_key()
    r = client.get(f"/api/v1/trades/{trade.pk}/executions", HTTP_AUTHORIZATION=f"Bearer {other_key}")
    assert r.status_code == 404


@pytest.mark.django_db
def test_reading_needs_trades_read_and_importing_trades_write(client, user):
    _, reader = make_key(user, scopes=["trades:read"])
    r = client.generic(
        "POST", "/api/v1/imports", ROUND_TRIP, content_type="text/csv", HTTP_AUTHORIZATION=f"Bearer {reader}"
    )
    assert r.status_code == 403 and json.loads(r.content) == {"error": "Insufficient scope: trades:write required"}
    _, writer = make_key(user, scopes=["trades:write"])
    assert client.get("/api/v1/imports", HTTP_AUTHORIZATION=f"Bearer {writer}").status_code == 403


@pytest.mark.django_db
def test_a_query_of_thousands_of_parameters_is_a_422_not_a_server_error(api):
    r = api.get("/api/v1/imports?" + "&".join(f"page={n}" for n in range(2000)))
    assert r.status_code == 422, r.content
    assert r.json()["details"] == {"query": ["Too many query parameters."]}


def test_an_import_and_its_undo_are_seen_by_the_next_cached_read(api, user):
    stats = api.get("/api/v1/stats").json()  # cached under the journal's current version
    assert stats["total_trades"] == 0
    import_id = work(upload(api)).json()["id"]
    imported = api.get(f"/api/v1/imports/{import_id}").json()
    after = api.get("/api/v1/stats").json()
    assert after["total_trades"] == imported["trades_created"] > 0
    assert api.get("/api/v1/trades").json()["total"] == imported["trades_created"]
    assert api.delete(f"/api/v1/imports/{imported['id']}").status_code == 202
    undo_run(import_id=imported["id"])
    assert api.get("/api/v1/stats").json() == stats


FILL = {"time": "2025-01-06T09:30:00", "instrument": "ES", "side": "buy", "quantity": 1, "price": 1}
TOO_MANY_FILLS = "At most 10,000 fills a request; send more as a file (a generic CSV)."


@pytest.mark.django_db
def test_json_fills_over_the_limit_are_refused_before_any_fill_is_checked(api):
    r = api.post("/api/v1/imports", {"executions": [{**FILL, "side": "hold"}] * 10_001}, format="json")
    assert r.status_code == 422, r.content[:300]
    assert r.json()["details"] == {"executions": [TOO_MANY_FILLS]}
    r = api.post("/api/v1/imports", {"executions": [1] * 50_000}, format="json")
    assert r.json()["details"] == {"executions": [TOO_MANY_FILLS]}
    assert not Import.objects.exists()


@pytest.mark.django_db
def test_json_fills_are_counted_while_read_and_refused_at_the_one_past_the_limit(api):
    # Nothing after the limit is read: the text that follows is not even JSON.
    body = '{"executions": [' + ",".join([json.dumps(FILL)] * 10_002) + ", this is never read"
    r = upload(api, body.encode(), content_type="application/json")
    assert r.status_code == 422, r.content[:300]
    assert r.json()["details"] == {"executions": [TOO_MANY_FILLS]}


@pytest.mark.django_db
def test_a_refusal_names_twenty_fields_and_counts_the_rest(api):
    r = api.post("/api/v1/imports", {"executions": [{**FILL, "side": "hold"}] * 500}, format="json")
    assert r.status_code == 422, r.content[:300]
    details = r.json()["details"]
    assert list(details) == [*(f"executions.{n}.side" for n in range(20)), "non_field_errors"]
    assert details["non_field_errors"] == ["And 480 more fields with errors."]
