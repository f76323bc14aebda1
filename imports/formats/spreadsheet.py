"""Excel workbooks (.xlsx) as the CSV text every format reads: the first sheet, cell by cell as a CSV
export of it would hold it, within the limits a CSV file has.

Read with openpyxl in read-only mode (it streams the sheet's XML, through defusedxml when that is
installed, as it is here). Before openpyxl sees the file, the archive's declared sizes are checked:
zipfile never inflates a member past its declared size, so a zip bomb is refused by its directory,
not found out by running out of memory.

Cells: text as it is; numbers as their digits without float noise; dates and times as ISO 8601;
TRUE/FALSE; formulas as the value Excel stored with them. openpyxl hands a number over as the int
or float its stored text reads as; a float is written as repr() gives it (the shortest text that
reads back as the same double, which is the stored text for every number of up to 15 significant
digits, since any 15 digits survive a double) and rounded to 15 significant digits, the precision
Excel keeps, shows and exports: `0.30000000000000004` is written `0.3`, `1.12895` stays `1.12895`.
"""

import csv
import io
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import openpyxl
from django.conf import settings

from imports.formats import base

ZIP_MAGIC = b"PK\x03\x04"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a workbook may inflate to, all members together, against the upload limit: a sheet's XML
# is about six times the CSV it holds (tags around every cell); the rest is styles and themes.
INFLATION = 12
# Deflate can reach 1032:1; the XML of real workbooks compresses 5-30:1.
MAX_RATIO = 200
MAX_MEMBERS = 1000
MAX_COLUMNS = 1000
SIGNIFICANT = 15

NOT_A_WORKBOOK = "the file is not a readable Excel workbook (.xlsx)"
TOO_LARGE = "the workbook inflates to more than {limit:,} bytes: not a spreadsheet we read"
BOMB = "the workbook's {name} inflates {ratio:,.0f} times: not a spreadsheet we read"
TOO_MANY_ROWS = "the sheet has more than {limit:,} rows; split it into smaller files"
TOO_MUCH_TEXT = "the sheet holds more than {limit:,} characters, more than a file may; split it into smaller files"
TOO_WIDE = "row {row} reaches column {width:,}; a sheet we read has at most {limit:,} columns"


def is_xlsx(data: bytes) -> bool:
    """Whether the file is a zip archive: the only one we read is an Excel workbook."""
    return data[:4] == ZIP_MAGIC


def xlsx_text(data: bytes, *, max_rows: int) -> str:
    """The first sheet as CSV text, a line per sheet row (a blank row stays a blank line, so rows
    keep their numbers). FormatError for an unreadable workbook, a zip bomb, more than `max_rows`
    rows or more text than IMPORT_MAX_BYTES."""
    out = io.StringIO()
    limit = settings.IMPORT_MAX_BYTES
    for rows, line in enumerate(_lines(data), start=1):
        if rows > max_rows:
            raise base.FormatError(TOO_MANY_ROWS.format(limit=max_rows))
        out.write(line)
        if out.tell() > limit:
            raise base.FormatError(TOO_MUCH_TEXT.format(limit=limit))
    return out.getvalue()


def xlsx_head(data: bytes, *, size: int) -> str:
    """The first `size` characters of xlsx_text, reading no more of the sheet than they need."""
    out = io.StringIO()
    for line in _lines(data):
        out.write(line)
        if out.tell() >= size:
            break
    return out.getvalue()[:size]


def file_text(data: bytes, *, max_rows: int) -> str:
    """The text a format reads from an uploaded file: a workbook's first sheet as CSV, any other
    file decoded as base.decode does."""
    return xlsx_text(data, max_rows=max_rows) if is_xlsx(data) else base.decode(data)


def _lines(data: bytes) -> Iterator[str]:
    archive = _checked_archive(data)
    try:
        with warnings.catch_warnings():
            # Its notes on styles and extensions it skips ("no default style", "Data Validation
            # extension is not supported") concern formatting, never a cell's value.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(archive, read_only=True, data_only=True)
    except Exception:
        raise base.FormatError(NOT_A_WORKBOOK) from None
    try:
        if not workbook.worksheets:
            raise base.FormatError(NOT_A_WORKBOOK)
        sheet = workbook.worksheets[0]
        # The sheet's declared dimension may claim 16,384 columns; rows are sized by their cells.
        sheet.reset_dimensions()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for number, values in enumerate(_values(sheet), start=1):
            if len(values) > MAX_COLUMNS:
                raise base.FormatError(TOO_WIDE.format(row=number, width=len(values), limit=MAX_COLUMNS))
            writer.writerow(_row(values))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    finally:
        workbook.close()


def _values(sheet) -> Iterator[tuple]:
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception:
            raise base.FormatError(NOT_A_WORKBOOK) from None
        yield values


def _checked_archive(data: bytes) -> io.BytesIO:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise base.FormatError(NOT_A_WORKBOOK) from None
    if len(members) > MAX_MEMBERS:
        raise base.FormatError(NOT_A_WORKBOOK)
    limit = INFLATION * settings.IMPORT_MAX_BYTES
    if sum(member.file_size for member in members) > limit:
        raise base.FormatError(TOO_LARGE.format(limit=limit))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1 << 20 and ratio > MAX_RATIO:
            raise base.FormatError(BOMB.format(name=member.filename[:100], ratio=ratio))
    return io.BytesIO(data)


def _row(values: tuple) -> list[str]:
    cells = [_cell(value) for value in values]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _plain(value)
    if isinstance(value, datetime):
        return _moment(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        seconds = round(value.total_seconds())
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return str(value)  # rich text and error values read as their text


def _plain(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return ""  # no workbook stores these; a hand-made one that does holds no number
    number = Decimal(repr(value))
    if len(number.as_tuple().digits) > SIGNIFICANT:
        number = number.quantize(Decimal(1).scaleb(number.adjusted() - SIGNIFICANT + 1))
    return "0" if not number else format(number.normalize(), "f")


def _moment(value: datetime) -> str:
    """A date and time to the millisecond (Excel's resolution: a serial number's float noise is
    below it); a date at midnight is the day alone, as a date column's cells are."""
    milliseconds = round(value.microsecond / 1000)
    value = value.replace(microsecond=0) + timedelta(milliseconds=milliseconds)
    if value.time() == time(0):
        return value.date().isoformat()
    return value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
