"""A column mapping: which of a file's columns hold which of our fields, how its side values and
times are read, and the header it was made for. Its rules are stated here once; the API
(imports/serializers.py), the reader (imports/formats/mapped.py), the suggestion
(imports/mapping_suggest.py) and the web journal apply them.

A mapping is `{name, level, columns: {field: column}, values: {"side": {value: ours}}, date_format,
tz, header_signature}`. `level` "fills" reads each row as one fill, "trades" as a whole trade (an
entry fill and, once closed, an exit fill). Times are read with `date_format` (strftime
directives; ISO 8601 reads whatever it says, as an Excel workbook's dates are written, and null
means ISO 8601 only) in `tz` (null: the import's), an offset in the text always winning; with
`date` and `time_of_day` in two columns they are read joined by a space, and a `date` alone is a
day (its fills at the US close, in the order they happened). A side value the mapping does
not list is read by the common spellings in SIDE_WORDS. `header_signature` is the file's header
row normalised: an `auto` import of a file with that header is read by the owner's newest such
mapping, before any format is tried (the trader chose it; re-imports read the same way).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice

from imports.formats import base

MAPPED = "mapped"  # the import format that reads a file by a mapping
KEYS = ("name", "level", "columns", "values", "date_format", "tz", "header_signature")
FILLS, TRADES = "fills", "trades"
LEVELS = (FILLS, TRADES)
FIELDS = {
    FILLS: (
        "time", "date", "time_of_day", "instrument", "side", "quantity", "price", "commission", "fees", "account",
        "exec_id", "order_id", "multiplier", "currency",
    ),
    TRADES: (
        "entry_time", "exit_time", "entry_price", "exit_price", "quantity", "side", "pnl", "commission",
        "instrument", "account",
    ),
}  # fmt: skip
ALL_FIELDS = tuple(dict.fromkeys(FIELDS[FILLS] + FIELDS[TRADES]))
REQUIRED = {FILLS: ("instrument", "quantity", "price"), TRADES: ("instrument", "side", "quantity", "entry_time",
                                                                   "entry_price")}  # fmt: skip
FIELD_HELP = {
    "time": "the date and time of the fill",
    "date": "the date of the fill (with time_of_day when the time is in a column of its own)",
    "time_of_day": "the time of the fill, when the date is in a column of its own",
    "instrument": "the symbol",
    "side": "buy or sell (see values)",
    "quantity": "a negative quantity is a sell when there is no side",
    "price": "the fill price (at the trades level: see entry_price, exit_price)",
    "commission": "a cost: its sign is ignored",
    "fees": "a cost: its sign is ignored",
    "account": "the broker's account number",
    "exec_id": "the broker's execution id: a fill already imported with it is a duplicate",
    "order_id": "named so it is never taken for an execution id (one order can fill several times); not stored",
    "multiplier": "the point value",
    "currency": "the account's currency",
    "entry_time": "when the trade opened",
    "exit_time": "when it closed (empty: still open)",
    "entry_price": "the average entry price",
    "exit_price": "the average exit price",
    "pnl": "the trade's gross P&L, from which a contract's point value is read",
}
# Our side values: a fill's, optionally with its position effect, and a trade's.
SIDES = {
    FILLS: ("buy", "sell", "buy_to_open", "buy_to_close", "sell_to_open", "sell_to_close"),
    TRADES: ("long", "short"),
}
ALL_SIDES = SIDES[FILLS] + SIDES[TRADES]
# The spellings brokers use, read without a mapping (case and spaces aside).
SIDE_WORDS = {
    FILLS: {
        **dict.fromkeys(("buy", "b", "bot", "bought", "long"), "buy"),
        **dict.fromkeys(("sell", "s", "sld", "sold", "short"), "sell"),
        **dict.fromkeys(("buy to open", "bto", "buy_to_open"), "buy_to_open"),
        **dict.fromkeys(("buy to close", "btc", "buy_to_close", "buy to cover"), "buy_to_close"),
        **dict.fromkeys(("sell to open", "sto", "sell_to_open", "sell short"), "sell_to_open"),
        **dict.fromkeys(("sell to close", "stc", "sell_to_close"), "sell_to_close"),
    },
    TRADES: {
        **dict.fromkeys(("long", "l", "buy", "b", "bot", "bought"), "long"),
        **dict.fromkeys(("short", "s", "sell", "sld", "sold", "sell short"), "short"),
    },
}  # fmt: skip
SIDE_EFFECTS = {
    "buy": (base.BUY, None), "sell": (base.SELL, None), "buy_to_open": (base.BUY, base.OPEN),
    "buy_to_close": (base.BUY, base.CLOSE), "sell_to_open": (base.SELL, base.OPEN),
    "sell_to_close": (base.SELL, base.CLOSE),
}  # fmt: skip

DELIMITERS = (",", ";", "\t")
HEADER_SEARCH = 20  # records at the top of a file among which its header is
COLUMN_LENGTH = 200
SIGNATURE_LENGTH = 4000
SEPARATOR = "|"
_HOURS = re.compile(r"%[HIXcTRr]")


@dataclass(frozen=True, slots=True)
class Header:
    row: int
    cells: list[str]
    delimiter: str


def find_header(text: str) -> Header | None:
    """A table's header: with the delimiter that makes the widest records at the top of the file,
    the first of them with two or more cells, at least half the widest, none a number (nor holding
    a NUL, which no name can), and a record below it. None for a file that is no table."""
    if text.lstrip()[:1] in ("<", "{", "["):
        return None  # XML, HTML or JSON
    best: tuple[int, list[tuple[int, list[str]]], str] | None = None
    for delimiter in DELIMITERS:
        try:
            records = list(islice(base.csv_rows(text, delimiter=delimiter), HEADER_SEARCH + 1))
        except base.FormatError:
            return None
        width = max((len(cells) for _, cells in records), default=0)
        if best is None or width > best[0]:
            best = (width, records, delimiter)
    width, records, delimiter = best
    for row, cells in records[:-1]:
        if len(cells) >= max(2, width / 2) and all(_is_name(cell) for cell in cells):
            return Header(row, cells, delimiter)
    return None


def _is_name(cell: str) -> bool:
    return bool(cell) and "\x00" not in cell and not _is_number(cell)


def _is_number(text: str) -> bool:
    try:
        return base.parse_decimal(text) is not None
    except base.RowProblem:
        return False


def signature(cells: list[str]) -> str:
    """A header row as mappings are matched to files: its names normalised, in order."""
    return SEPARATOR.join(base.normalise_header(name) for name in cells)


def normalise_signature(text: str) -> str:
    """A signature as a client wrote it (`Date|Time|Symbol`), in the form files are matched by."""
    return signature(text.split(SEPARATOR))


def file_signature(head: str) -> str | None:
    header = find_header(head)
    if header is None:
        return None
    text = signature(header.cells)
    return text if len(text) <= SIGNATURE_LENGTH else None


def has_clock(date_format: str | None) -> bool:
    """Whether times read with `date_format` have a time of day (null: ISO 8601, which may)."""
    return date_format is None or bool(_HOURS.search(date_format))


def file_zone(mapping: Mapping, tz: str) -> str:
    """The zone a file's times without an offset are in: the mapping's, else the import's."""
    return mapping.get("tz") or tz


# --- The rules a mapping must follow, beyond the shape of its fields ------------------------------

DATE_FORMAT = "The date_format must name the day, the month and the year with strftime directives, e.g. {example}."
EXAMPLE_FORMAT = "%d.%m.%Y %H:%M:%S"


def date_format_problem(date_format: str) -> str | None:
    """Why `date_format` cannot read a date (a directive missing or unknown), or None."""
    sample = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)  # every part different from the others
    try:
        read = datetime.strptime(sample.strftime(date_format), date_format)
    except ValueError:
        read = None
    if read is None or read.date() != sample.date():
        return DATE_FORMAT.format(example=EXAMPLE_FORMAT)
    return None


def problems(mapping: Mapping) -> dict[str, list[str]]:
    """What makes a mapping unable to read a file, by field (`columns.price`), beyond its fields'
    own shapes: a field of the other level, a required column missing, times named twice or not at
    all, side values of the other level, a column that is not in its header_signature."""
    level, columns, values = mapping["level"], mapping["columns"], mapping.get("values") or {}
    errors: dict[str, list[str]] = {}

    def refuse(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    for name in columns:
        if name not in FIELDS[level]:
            fields = ", ".join(FIELDS[level])
            refuse(f"columns.{name}", f"A {level}-level mapping has no {name}; its fields are {fields}.")
    for name in REQUIRED[level]:
        if name not in columns:
            refuse(f"columns.{name}", f"The {name} column is required.")
    if level == FILLS:
        if "time" in columns and ("date" in columns or "time_of_day" in columns):
            refuse("columns.time", "Map either time, or date (with time_of_day when the time has a column of its own).")
        elif "time" not in columns and "date" not in columns:
            refuse("columns.time", "The time column is required (or date, with time_of_day).")
        if "time_of_day" in columns and "date" not in columns:
            refuse("columns.time_of_day", "A time_of_day column goes with a date column.")
    elif ("exit_time" in columns) != ("exit_price" in columns):
        refuse("columns.exit_time", "Map exit_time and exit_price together, or neither (open trades only).")
    sides = (values.get("side") or {}).values()
    if values.get("side") and "side" not in columns:
        refuse("values.side", "Side values need a side column.")
    elif any(side not in SIDES[level] for side in sides):
        refuse("values.side", f"At the {level} level a side is one of {', '.join(SIDES[level])}.")
    header = mapping.get("header_signature")
    if header is not None:
        names = set(header.split(SEPARATOR))
        for name, column in columns.items():
            if base.normalise_header(column) not in names:
                refuse(f"columns.{name}", f"{column!r} is not a column of the header_signature.")
    return errors
