"""Importing a file no format reads: the failed import's suggested mapping, `format=mapped` with a
saved mapping or a JSON one, `auto` choosing the owner's mapping by the file's header, and mapped
rows going through the same engine as every format (dry runs, duplicates, undo, the report); an
Excel workbook mapped as its CSV is."""

import csv
import io
import json
import re
from datetime import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from imports import formats
from imports.apply import import_run
from imports.formats import base, spreadsheet
from imports.models import Execution, Import, ImportMapping
from imports.services import UNRECOGNISED, head_text
from imports.undo import undo_run
from journal.models import Account, Trade
from tests.factories import api_client, make_user

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "mapping"
ZENITH = (DATA / "zenith_blotter.csv").read_bytes()
NEXT_WEEK = (DATA / "zenith_blotter_next_week.csv").read_bytes()
JOURNAL = (DATA / "journal_trades.csv").read_bytes()
ANY = quote(json.dumps({"columns": {"time": "t", "instrument": "i", "quantity": "q", "price": "p"}}))
XLSX = spreadsheet.MEDIA_TYPE
SIGNATURE = "trade date|exec time|ticker|b/s|shares|fill px|comm|reg fee|confirmation no|ord #|venue"


def upload(api, body: bytes, query: str = "", filename: str = "zenith_blotter.csv"):
    return api.generic("POST", f"/api/v1/imports{query}", body, content_type="text/csv",
                       HTTP_CONTENT_DISPOSITION=f'attachment; filename="{filename}"')  # fmt: skip


def run(api, r) -> dict:
    assert r.status_code == 202, r.content
    import_run(import_id=r.json()["id"])
    return api.get(f"/api/v1/imports/{r.json()['id']}").json()


def corrected(suggestion: dict, **changes) -> dict:
    """The suggested mapping as a trader confirms it: its exec id column named, without the keys a
    client never sends."""
    mapping = {k: v for k, v in suggestion.items() if k not in ("id", "created_at")}
    mapping["columns"] = {**mapping["columns"], "exec_id": "Confirmation No."}
    return {**mapping, **changes}


def trades(user) -> list[tuple]:
    rows = Trade.objects.filter(user=user).order_by("entry_time")
    return [(t.instrument, t.side, t.quantity, t.pnl, t.commission) for t in rows]


ZENITH_TRADES = [
    ("AAPL", "long", 100, Decimal("157"), Decimal("2.05")),
    ("MSFT", "long", 75, Decimal("-99"), Decimal("3.05")),
    ("TSLA", "short", 20, Decimal("105"), Decimal("2.03")),
    ("NVDA", "long", 40, Decimal("-74"), Decimal("2.03")),
]


def test_the_made_up_files_are_no_format_of_ours():
    for data in (ZENITH, NEXT_WEEK, JOURNAL):
        assert formats.detect(head_text(data)) is None


def test_a_table_no_format_reads_is_a_failed_import_that_suggests_a_mapping(api, user):
    r = upload(api, ZENITH)
    assert r.status_code == 202, r.content
    body = r.json()
    assert (body["status"], body["format"], body["errors"]) == (
        "failed",
        "auto",
        [{"row": None, "message": UNRECOGNISED}],
    )
    assert body["suggested_mapping"] == {
        "id": None, "name": "zenith blotter", "level": "fills",
        "columns": {"date": "Trade Date", "time_of_day": "Exec Time", "instrument": "Ticker", "side": "B/S",
                    "quantity": "Shares", "price": "Fill Px", "commission": "Comm", "fees": "Reg Fee"},
        "values": {"side": {"B": "buy", "S": "sell"}}, "date_format": "%d/%m/%Y %H:%M:%S", "tz": None,
        "header_signature": SIGNATURE, "created_at": None,
    }  # fmt: skip
    assert api.get(f"/api/v1/imports/{body['id']}").json() == body
    assert import_run(import_id=body["id"]) is None  # never queued
    assert bytes(Import.objects.get(pk=body["id"]).data) == ZENITH  # kept for the web journal to map


def test_a_json_mapping_reads_the_file_through_the_engine_dry_run_then_for_real_then_undone(api, user):
    mapping = corrected(upload(api, ZENITH).json()["suggested_mapping"], tz="Europe/London")
    query = f"?format=mapped&mapping={quote(json.dumps(mapping))}"
    dry = run(api, upload(api, ZENITH, query + "&dry_run=true"))
    assert {k: dry[k] for k in ("status", "format", "tz", "rows_total", "executions_created", "trades_created")} == {
        "status": "succeeded", "format": "mapped", "tz": "Europe/London", "rows_total": 9, "executions_created": 9,
        "trades_created": 4,
    }  # fmt: skip
    assert (dry["errors"], dry["skipped"], Trade.objects.count()) == ([], [], 0)

    done = run(api, upload(api, ZENITH, query))
    assert (done["executions_created"], done["trades_created"]) == (9, 4)
    assert trades(user) == ZENITH_TRADES
    first = Trade.objects.filter(user=user).order_by("entry_time").first()
    assert first.entry_time.isoformat() == "2025-03-24T09:31:05+00:00"  # 09:31:05 in London, still GMT
    assert first.account.name == "zenith blotter"  # no account column: the mapping's default account
    assert sorted(Execution.objects.values_list("exec_id", flat=True))[:2] == ["ZC-81001", "ZC-81002"]

    again = run(api, upload(api, ZENITH, query))
    assert (again["executions_created"], again["duplicates"]) == (0, 9)  # by their execution ids
    assert api.delete(f"/api/v1/imports/{done['id']}").status_code == 202
    undo_run(import_id=done["id"])
    assert Trade.objects.filter(user=user).count() == 0


def test_a_saved_mapping_is_named_by_id_and_then_chosen_by_auto_for_a_file_with_its_header(api, user):
    suggestion = upload(api, ZENITH).json()["suggested_mapping"]
    r = api.post("/api/v1/import-mappings", corrected(suggestion, name="Zenith"), format="json")
    assert r.status_code == 201, r.content
    saved = r.json()
    run(api, upload(api, ZENITH, f"?format=mapped&mapping={saved['id']}"))
    later = run(api, upload(api, NEXT_WEEK, filename="zenith_blotter_next_week.csv"))
    assert (later["format"], later["status"], later["suggested_mapping"]) == ("mapped", "succeeded", None)
    assert (later["executions_created"], later["trades_created"]) == (4, 2)
    assert trades(user)[-2:] == [
        ("AMD", "long", 60, Decimal("99"), Decimal("2.03")),
        ("META", "short", 10, Decimal("513.8"), Decimal("2.03")),
    ]
    assert set(Account.objects.filter(user=user).values_list("name", flat=True)) == {"Zenith"}


def test_an_import_keeps_the_mapping_it_was_read_by_whatever_becomes_of_the_saved_one(api, user):
    suggestion = upload(api, ZENITH).json()["suggested_mapping"]
    saved = api.post("/api/v1/import-mappings", corrected(suggestion, name="Zenith"), format="json").json()
    r = upload(api, ZENITH, f"?format=mapped&mapping={saved['id']}")
    api.patch(f"/api/v1/import-mappings/{saved['id']}", {"columns": {**saved["columns"], "price": "Venue"}},
              format="json")  # fmt: skip
    api.delete(f"/api/v1/import-mappings/{saved['id']}")
    assert run(api, r)["executions_created"] == 9


def test_the_newest_of_an_owners_mappings_for_a_header_wins_and_another_owners_never_counts(api, user):
    suggestion = upload(api, ZENITH).json()["suggested_mapping"]
    other = api_client(make_user())
    other.post("/api/v1/import-mappings", corrected(suggestion, name="Theirs", tz="Asia/Tokyo"), format="json")
    assert upload(api, ZENITH).json()["format"] == "auto"  # still unrecognised for this owner
    api.post("/api/v1/import-mappings", corrected(suggestion, name="Old", tz="Asia/Tokyo"), format="json")
    api.post("/api/v1/import-mappings", corrected(suggestion, name="New", tz="America/New_York"), format="json")
    assert upload(api, ZENITH).json()["tz"] == "America/New_York"


def test_a_trades_level_mapping_makes_a_trade_a_row_with_the_point_value_its_profit_states(api, user):
    suggestion = upload(api, JOURNAL, filename="journal_trades.csv").json()["suggested_mapping"]
    assert (suggestion["level"], suggestion["date_format"], suggestion["values"]) == (
        "trades", None, {"side": {"Long": "long", "Short": "short"}}
    )  # fmt: skip
    mapping = {k: v for k, v in suggestion.items() if k not in ("id", "created_at")}
    done = run(api, upload(api, JOURNAL, f"?format=mapped&mapping={quote(json.dumps(mapping))}&tz=America/New_York"))
    assert (done["executions_created"], done["trades_created"], done["errors"]) == (7, 4, [])
    assert trades(user) == [
        ("ESM25", "long", 2, Decimal("1250"), Decimal("4.5")),
        ("NQM25", "short", 1, Decimal("605"), Decimal("2.25")),
        ("CLK25", "long", 1, None, Decimal("2.1")),
        ("AAPL", "short", 100, Decimal("-50"), Decimal("1")),
    ]
    assert Trade.objects.get(instrument="ESM25").entry_time.isoformat() == "2025-04-01T18:30:00+00:00"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?format=mapped", "mapping", "The mapping field is required with format=mapped."),
        (f"?mapping={ANY}", "mapping", "A mapping goes with format=mapped."),
        (f"?format=generic&mapping={ANY}", "mapping", "A mapping goes with format=mapped."),
        ("?format=mapped&mapping=[1]", "mapping",
         "The mapping must be the id of one of your mappings, or a mapping as a JSON object."),
        ("?format=mapped&mapping={nope", "mapping",
         "The mapping must be the id of one of your mappings, or a mapping as a JSON object."),
        ("?format=mapped&mapping=" + quote('{"columns": {"instrument": "Ticker"}}'), "mapping.columns.quantity",
         "The quantity column is required."),
    ],
)  # fmt: skip
def test_a_mapping_parameter_that_cant_be_used_is_422_naming_what_is_wrong(api, query, field, message):
    r = upload(api, ZENITH, query)
    assert r.status_code == 422, r.content
    assert message in r.json()["details"][field], r.json()


def test_another_owners_mapping_id_is_no_mapping_of_yours(api, user):
    theirs = ImportMapping.objects.create(user=make_user(), name="Theirs", level="fills",
                                          columns={"time": "t", "instrument": "i", "quantity": "q", "price": "p"})  # fmt: skip
    r = upload(api, ZENITH, f"?format=mapped&mapping={theirs.pk}")
    assert r.json()["details"] == {"mapping": ["No such mapping among yours."]}


def test_a_file_without_the_mapped_columns_fails_saying_which(api, user):
    mapping = {"columns": {"time": "When", "instrument": "Ticker", "quantity": "Shares", "price": "Fill Px"}}
    done = run(api, upload(api, ZENITH, f"?format=mapped&mapping={quote(json.dumps(mapping))}"))
    assert done["status"] == "failed"
    assert done["errors"] == [{"row": None, "message": "The file can't be read as Mapped file (mapped): the file has "
                               "no column 'When' (its time), which the mapping reads"}]  # fmt: skip


def test_a_bad_row_is_an_error_on_its_row_and_the_rest_imports(api, user):
    text = ZENITH.decode().replace("25/03/2025,14:12:33,MSFT,S", "25/03/2025,14:12:33,MSFT,X")
    mapping = corrected(upload(api, ZENITH).json()["suggested_mapping"])
    done = run(api, upload(api, text.encode(), f"?format=mapped&mapping={quote(json.dumps(mapping))}"))
    assert done["errors"] == [{"row": 10, "message": "the side 'X' is not mapped to buy or sell"}]
    assert done["executions_created"] == 8


def test_the_mapped_reader_is_the_format_of_mapped_imports():
    reader = formats.get("mapped", {"name": "Zenith", "level": "trades", "columns": {}})
    assert isinstance(reader, formats.Format)
    assert (reader.NAME, reader.BROKER, formats.trade_level(reader)) == ("mapped", "Zenith", True)
    assert not reader.detect(base.decode(ZENITH))
    with pytest.raises(KeyError):
        formats.get("mapped")


def as_excel_saves_it(text: str) -> bytes:
    """The CSV opened in Excel (en-GB) and saved as .xlsx: day-first dates and times become date and
    time cells, plain numbers numbers, the rest text (the workbook's text is then ISO 8601)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Blotter")
    for record in csv.reader(io.StringIO(text, newline="")):
        row = []
        for cell in record:
            for fmt, kind in (("%d/%m/%Y", "date"), ("%H:%M:%S", "time")):
                try:
                    parsed = datetime.strptime(cell, fmt)
                except ValueError:
                    continue
                row.append(parsed.date() if kind == "date" else parsed.time())
                break
            else:
                row.append(float(cell) if re.fullmatch(r"\d+\.\d+", cell) else cell)
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_no_format_reads_is_suggested_a_mapping_and_the_csvs_mapping_reads_it(api, user):
    workbook = as_excel_saves_it(ZENITH.decode())
    r = api.generic("POST", "/api/v1/imports", workbook, content_type=XLSX)
    suggestion = r.json()["suggested_mapping"]
    assert (r.json()["status"], suggestion["header_signature"], suggestion["date_format"]) == (
        "failed", SIGNATURE, "%Y-%m-%d %H:%M:%S"
    )  # fmt: skip
    assert suggestion["columns"] == upload(api, ZENITH).json()["suggested_mapping"]["columns"]
    # The mapping made from the CSV, day-first, is chosen by the header and reads the workbook's ISO dates.
    csv_mapping = corrected(upload(api, ZENITH).json()["suggested_mapping"], name="Zenith")
    api.post("/api/v1/import-mappings", csv_mapping, format="json")
    done = run(api, api.generic("POST", "/api/v1/imports", workbook, content_type=XLSX))
    assert (done["format"], done["errors"], done["executions_created"]) == ("mapped", [], 9)
    assert trades(user) == ZENITH_TRADES


def test_importtrades_shows_the_suggestion_and_imports_by_a_mapping(tmp_path, user):
    path = tmp_path / "zenith_blotter.csv"
    path.write_bytes(ZENITH)
    out = StringIO()
    with pytest.raises(CommandError, match="No format recognises this file"):
        call_command("importtrades", str(path), "--user", user.username, stdout=out, stderr=StringIO())
    suggestion = json.loads(out.getvalue())["suggested_mapping"]
    saved = ImportMapping.objects.create(user=user, **corrected(suggestion, name="Zenith"))
    out = StringIO()
    call_command("importtrades", str(path), "--user", user.username, "--format", "mapped", "--mapping", str(saved.pk),
                 stdout=out, stderr=StringIO())  # fmt: skip
    assert (json.loads(out.getvalue())["status"], trades(user)) == ("succeeded", ZENITH_TRADES)
