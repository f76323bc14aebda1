"""Our own trade export (GET /api/v1/trades/export) read back: one trade per row, an entry fill and,
for a closed trade, an exit fill.

COLUMNS is the one definition of the layout; the export writes it.
Times are ISO 8601 UTC, numbers plain decimals kept to the last digit (a round trip is exact), `tags`
a comma-separated list in one quoted field, text that starts like a formula after a `'` (taken off
again). `id`, `pnl` and `net_pnl` are recomputed, never read.
"""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.cells import unquoted
from imports.formats import base

NAME = "tradejournal"
BROKER = "TradeJournal"
TRADE_LEVEL = True
KEEPS_NAMES = True

COLUMNS = (
    "id", "account", "account_number", "currency", "instrument", "side", "quantity", "multiplier",
    "entry_time", "entry_price", "exit_time", "exit_price", "commission", "pnl", "net_pnl", "stop_loss",
    "take_profit", "initial_risk", "setup_type", "notes", "tags",
)  # fmt: skip
# Written as text (the rest are numbers and times): quoted by the export where a spreadsheet would
# take them for a formula (imports/cells.py), unquoted here.
TEXT_COLUMNS = ("account", "account_number", "currency", "instrument", "side", "setup_type", "notes", "tags")
ENTRY_SIDE = {"long": base.BUY, "short": base.SELL}
EXIT_SIDE = {"long": base.SELL, "short": base.BUY}

NOT_OURS = "this is not a TradeJournal export: its header must start with " + ",".join(COLUMNS)


def _is_header(cells: list[str]) -> bool:
    return tuple(c.replace("\ufeff", "").strip() for c in cells[: len(COLUMNS)]) == COLUMNS


def detect(head: str) -> bool:
    first_line = next((line for line in head.splitlines() if line.strip()), "")
    return _is_header([c.strip() for c in first_line.split(",")])


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Like base.csv_rows, but cells unstripped: a note keeps its spaces and newlines exactly."""
    reader = csv.reader(io.StringIO(text, newline=""))  # a note may hold any line separator
    try:
        for row, record in enumerate(reader, start=1):
            if any(cell.strip() for cell in record):
                yield row, record
    except csv.Error as exc:
        msg = f"the file is not a readable CSV ({exc})"
        raise base.FormatError(msg) from None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    rows = _records(text.removeprefix("\ufeff"))
    first = next(rows, None)
    if first is None or not _is_header(first[1]):
        raise base.FormatError(NOT_OURS)
    for row, cells in rows:
        if _is_header(cells):
            continue
        values = dict(zip(COLUMNS, cells, strict=False))
        values = {name: unquoted(cell) if name in TEXT_COLUMNS else cell for name, cell in values.items()}
        yield from base.read_row(row, _fills, row, values, tz)


def _fills(row: int, values: dict[str, str], tz: ZoneInfo) -> list[base.Fill]:
    def text(name: str) -> str:
        return values.get(name, "").strip()

    def number(name: str) -> Decimal | None:
        return base.parse_decimal(text(name))

    side = text("side").lower()
    if side not in ENTRY_SIDE:
        raise base.RowProblem(f"the side {text('side')!r} is not long or short")
    instrument = text("instrument")
    if not instrument:
        raise base.RowProblem("the instrument is missing")
    quantity = base.require_decimal(text("quantity"), "quantity")
    entry_price = base.require_decimal(text("entry_price"), "entry price")
    exit_price = number("exit_price")
    if quantity <= 0 or entry_price <= 0 or (exit_price is not None and exit_price < 0):
        raise base.RowProblem("quantity and prices must be above 0")
    multiplier = number("multiplier")
    if multiplier is not None and multiplier <= 0:
        raise base.RowProblem("the multiplier must be above 0")
    if bool(text("exit_time")) != (exit_price is not None):
        raise base.RowProblem("exit_time and exit_price go together: both or neither")
    account = None
    if text("account") or text("account_number") or text("currency"):
        account = base.AccountRef(
            number=text("account_number") or None, name=text("account") or None, currency=text("currency") or None
        )
    common = {"row": row, "instrument": instrument, "quantity": quantity, "account": account, "multiplier": multiplier}
    entry = base.Fill(
        **common,
        time=base.parse_time(text("entry_time"), (), tz, "entry time"),
        side=ENTRY_SIDE[side],
        price=entry_price,
        commission=number("commission") or Decimal(0),
        effect=base.OPEN,
        trade={
            "setup_type": values.get("setup_type") or None,  # kept exactly, like the notes
            "notes": values.get("notes") or None,
            "stop_loss": number("stop_loss"),
            "take_profit": number("take_profit"),
            "initial_risk": number("initial_risk"),
            "tags": [tag.strip() for tag in text("tags").split(",") if tag.strip()],
        },
    )
    if exit_price is None:
        return [entry]
    exit_time = base.parse_time(text("exit_time"), (), tz, "exit time")
    return [entry, base.Fill(**common, time=exit_time, side=EXIT_SIDE[side], price=exit_price, effect=base.CLOSE)]
