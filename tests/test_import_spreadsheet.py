"""Excel workbooks: the first sheet read as the CSV a spreadsheet would export, every CSV format
importing the same trades from it, and the limits a CSV file has (size, rows) plus the archive's own
(a zip bomb is refused by its directory)."""

import csv
import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from imports.apply import import_run
from imports.formats import base, spreadsheet
from imports.services import head_text
from journal.models import Trade
from tests.factories import make_key, make_user
from tests.formats_helpers import DATA

XLSX = spreadsheet.MEDIA_TYPE
EXCEL_NUMBER = re.compile(r"-?(0|[1-9]\d{0,14})(\.\d{1,14})?")


def workbook(*rows: list, sheets: int = 1) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    for n in range(sheets):
        sheet = book.create_sheet(f"Sheet{n + 1}")
        for row in rows if n == 0 else [["another sheet"]]:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_excel_saves_it(text: str) -> bytes:
    """A CSV file opened in Excel (en-US) and saved as .xlsx: plain numbers become numbers, US dates
    and times become dates, everything else stays text; blank lines stay blank rows."""

    def value(cell: str) -> object:
        if EXCEL_NUMBER.fullmatch(cell):
            return int(cell) if "." not in cell else float(Decimal(cell))
        try:
            return datetime.strptime(cell, "%m/%d/%Y %H:%M:%S")
        except ValueError:
            return cell

    return workbook(*([value(cell) for cell in record] for record in csv.reader(io.StringIO(text, newline=""))))


def test_a_sheet_reads_as_the_csv_text_a_spreadsheet_would_export():
    data = workbook(
        ["time", "price", "noise", "tiny", "big", "flag", "date", "clock", "held", "note"],
        [datetime(2025, 3, 3, 10, 15, 30), 1.12895, 0.1 + 0.2, 1e-7, 12345678901234567890, True, date(2025, 3, 3),
         time(9, 30), timedelta(hours=26, minutes=5), "a, b"],
        [],
        [datetime(2025, 3, 3, 10, 15, 30, 123000), -2.5, 3.0, None, None, False],
    )  # fmt: skip
    assert spreadsheet.xlsx_text(data, max_rows=10).splitlines() == [
        "time,price,noise,tiny,big,flag,date,clock,held,note",
        '2025-03-03T10:15:30,1.12895,0.3,0.0000001,12345678901234600000,TRUE,2025-03-03,09:30:00,26:05:00,"a, b"',
        "",
        "2025-03-03T10:15:30.123,-2.5,3,,,FALSE",
    ]


def test_float_noise_is_rounded_to_the_15_digits_excel_keeps():
    assert [spreadsheet._plain(x) for x in (0.1 + 0.2, 2.9999999999999996, 28531.75, 1 / 3, -0.0)] == [
        "0.3", "3", "28531.75", "0.333333333333333", "0",
    ]  # fmt: skip


def test_only_the_first_sheet_is_read_and_the_head_needs_only_its_first_rows():
    data = workbook(["time", "instrument"], *([f"2025-01-0{n % 9 + 1}", "ES"] for n in range(3000)), sheets=2)
    assert "another sheet" not in spreadsheet.xlsx_text(data, max_rows=5000)
    assert spreadsheet.xlsx_head(data, size=40) == "time,instrument\n2025-01-01,ES\n2025-01-02"
    assert head_text(data).startswith("time,instrument\n")


def test_a_sheet_over_the_row_limit_or_the_size_limit_is_refused(settings):
    data = workbook(*([n, "x" * 50] for n in range(200)))
    with pytest.raises(base.FormatError, match="more than 199 rows"):
        spreadsheet.xlsx_text(data, max_rows=199)
    assert spreadsheet.xlsx_text(data, max_rows=200).count("\n") == 200
    settings.IMPORT_MAX_BYTES = 5000
    with pytest.raises(base.FormatError, match="more than 5,000 characters"):
        spreadsheet.xlsx_text(data, max_rows=200)


def zipped(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_zip_bomb_is_refused_by_its_declared_sizes_before_it_is_inflated(settings):
    bomb = zipped(**{"xl/worksheets/sheet1.xml": b"<" + b"a" * (50 << 20)})
    assert len(bomb) < 100_000
    with pytest.raises(base.FormatError, match=r"sheet1\.xml inflates [\d,]+ times"):
        spreadsheet.xlsx_text(bomb, max_rows=10)
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(base.FormatError, match="inflates to more than 12,000 bytes"):
        spreadsheet.xlsx_text(workbook(["a"]), max_rows=10)


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\x00" * 100,
        zipped(**{"readme.txt": b"not a workbook"}),
        zipped(**{"[Content_Types].xml": b"<Types", "xl/workbook.xml": b"<workbook"}),
        workbook(["a"])[:-200],
    ],
    ids=["a zip header alone", "a zip of something else", "a workbook of broken XML", "a truncated workbook"],
)
def test_anything_else_in_a_zip_is_a_format_error_and_a_422_when_detecting(data):
    with pytest.raises(base.FormatError, match="not a readable Excel workbook"):
        spreadsheet.xlsx_text(data, max_rows=10)
    with pytest.raises(Exception, match="Excel workbook") as problem:
        head_text(data)
    assert problem.type.__name__ == "ValidationError"


def test_a_row_beyond_the_columns_a_sheet_may_have_is_refused():
    with pytest.raises(base.FormatError, match="row 2 reaches column 1,001"):
        spreadsheet.xlsx_text(workbook(["a"], [None] * 1000 + ["far"]), max_rows=10)


def imported_trades(user, data: bytes, content_type: str) -> list[tuple]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(user, scopes=['trades:write'])[1]}")
    r = client.generic("POST", "/api/v1/imports?tz=America/New_York", data, content_type=content_type)
    assert r.status_code == 202, r.content
    done = import_run(import_id=r.json()["id"])
    assert (done.status, done.errors) == ("succeeded", []), done.errors
    return sorted(
        (t.account.external_id, t.instrument, t.side, t.quantity, t.entry_price, t.exit_price, t.entry_time,
         t.exit_time, t.pnl, t.commission, t.multiplier)
        for t in Trade.objects.filter(user=user).select_related("account")
    )  # fmt: skip


@pytest.mark.django_db
def test_a_csv_export_saved_as_xlsx_imports_to_the_same_trades():
    text = base.decode((DATA / "tradovate_orders" / "orders.csv").read_bytes())
    as_csv = imported_trades(make_user(), text.encode(), "text/csv")
    as_xlsx = imported_trades(make_user(), as_excel_saves_it(text), XLSX)
    assert len(as_csv) == 6 and as_xlsx == as_csv


@pytest.mark.django_db
def test_a_workbook_comes_as_a_multipart_file_too(api, user):
    data = workbook(["time", "instrument", "side", "quantity", "price"], ["2025-01-06T14:30:00Z", "AAPL", "buy", 10, 200.1],
                    ["2025-01-06T14:45:00Z", "AAPL", "sell", 10, 201.35])  # fmt: skip
    r = api.post("/api/v1/imports", {"file": SimpleUploadedFile("fills.xlsx", data, XLSX)}, format="multipart")
    assert r.status_code == 202, r.content
    assert r.json()["format"] == "generic"
    assert import_run(import_id=r.json()["id"]).status == "succeeded"
    assert Trade.objects.get(user=user).pnl == Decimal("12.5")


@pytest.mark.django_db
def test_a_sheet_over_the_row_limit_fails_the_import_saying_so(api, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [["2025-01-06T14:30:00Z", "AAPL", "buy", 1, 200]] * 4
    r = api.generic("POST", "/api/v1/imports", workbook(["time", "instrument", "side", "quantity", "price"], *rows),
                    content_type=XLSX)  # fmt: skip
    assert r.status_code == 202, r.content
    done = import_run(import_id=r.json()["id"])
    assert done.status == "failed" and "more than 4 rows" in done.errors[0]["message"]
