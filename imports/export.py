"""The journal as CSV (GET /api/v1/trades/export): one trade a row in the layout of
imports/formats/tradejournal.COLUMNS, streamed in chunks so that any number of trades costs the
server little memory. Importing the file with format=tradejournal reproduces the trades.

Numbers are written exactly (`plain_decimal`), times as the API writes them, tags as one
comma-separated field, text that a spreadsheet would run as a formula after a `'` (imports/cells.py);
trades come oldest first, like a ledger.
"""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from core.renderers import format_timestamp, plain_decimal
from imports import cells
from imports.formats.tradejournal import COLUMNS, TEXT_COLUMNS
from journal.models import Trade

CHUNK = 2000


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, datetime):
        return format_timestamp(value)
    return str(value)


def _cell(name: str, value) -> str:
    # Only text is quoted: a number is a plain decimal (digits, a point, maybe a leading minus),
    # which a spreadsheet reads as the number it is, and quoting it would make it text.
    return cells.quoted(_text(value)) if name in TEXT_COLUMNS else _text(value)


def _row(trade: Trade) -> list[str]:
    account = trade.account
    values = {
        "account": account.name if account else None,
        "account_number": account.external_id if account else None,
        "currency": account.currency if account else None,
        "tags": ",".join(sorted(tag.name for tag in trade.tags.all())),
    }
    return [_cell(name, values[name] if name in values else getattr(trade, name)) for name in COLUMNS]


def export_lines(trades: QuerySet) -> Iterator[str]:
    """The CSV text of `trades`, header first, a chunk of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    rows = trades.select_related("account").prefetch_related("tags").order_by("entry_time", "id")
    for count, trade in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
        writer.writerow(_row(trade))
        if count % CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
