"""What every broker format reads into: fills, skipped rows and row errors, and the shared readers
for the text real exports are made of (BOMs, `$1,234.50`, `(75.90)`, local times, blank rows)."""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

BUY, SELL = "buy", "sell"
OPEN, CLOSE = "open", "close"

# Asset classes the multiplier rule distinguishes (imports/multipliers.py).
STOCK, FUTURE, OPTION, FUTURE_OPTION, CRYPTO, FOREX, CFD = (
    "stock", "future", "option", "future_option", "crypto", "forex", "cfd",
)  # fmt: skip


class FormatError(Exception):
    """The file as a whole cannot be read as this format (not one bad row: those are RowErrors)."""


class RowProblem(Exception):
    """Raised while reading one row; the parser turns it into a RowError for that row."""


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account as the file names it. `number` is the broker's account number (our external_id)."""

    number: str | None = None
    name: str | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution as the file states it.

    `row` is the 1-based record number a spreadsheet would show (the header is row 1). Trade-level
    formats produce two fills per row (entry and exit), both with that row; `trade` carries what the
    row says about the trade besides its fills (setup_type, notes, stop_loss, take_profit,
    initial_risk, tags), on the entry fill only.
    """

    row: int
    instrument: str
    time: datetime  # aware
    side: str  # BUY | SELL
    quantity: Decimal  # > 0
    price: Decimal  # > 0; 0 only for an expiration
    commission: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    exec_id: str | None = None
    account: AccountRef | None = None
    multiplier: Decimal | None = None  # from the file; None: the table decides (imports/multipliers.py)
    asset_class: str = ""
    effect: str | None = None  # OPEN | CLOSE where the file states the position effect
    trade: dict | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    row: int
    reason: str


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    message: str


Item = Fill | Skip | RowError

OUT_OF_RANGE = "a number is out of range"


def read_row(row: int, read: Callable[..., Item | Iterable[Item]], *args: object, **kwargs: object) -> list[Item]:
    """What `read(*args, **kwargs)` makes of a row, or a RowError on it: one bad row never fails a file."""
    try:
        result = read(*args, **kwargs)
    except RowProblem as problem:
        return [RowError(row, str(problem))]
    except ArithmeticError:  # Decimal overflow: 1E+999 * 1E+999
        return [RowError(row, OUT_OF_RANGE)]
    return [result] if isinstance(result, Fill | Skip | RowError) else list(result)


@dataclass
class Summary:
    """What a parse produced, with every data row accounted for exactly once (fills may share a row)."""

    fills: list[Fill] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows_total(self) -> int:
        return len({item.row for item in (*self.fills, *self.skipped, *self.errors)})

    @classmethod
    def of(cls, items: Iterable[Item]) -> "Summary":
        summary = cls()
        for item in items:
            if isinstance(item, Fill):
                summary.fills.append(item)
            elif isinstance(item, Skip):
                summary.skipped.append(item)
            else:
                summary.errors.append(item)
        return summary


# --- Text -------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The text of a broker file: UTF-8 (with or without BOM), UTF-16 with a BOM, else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows tools (NinjaTrader, MetaTrader, Excel "Save as CSV") write the ANSI code page.
        return data.decode("cp1252", errors="replace")


def csv_rows(text: str, *, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every non-blank CSV record; cells stripped, trailing empty cells dropped.

    Row numbers count records as a spreadsheet shows them (a quoted newline stays in its record).
    """
    # Records end at \r, \n or \r\n only, as the csv module expects (str.splitlines would also
    # split a cell holding a form feed or U+2028).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row, record in enumerate(reader, start=1):
            cells = [cell.strip() for cell in record]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                yield row, cells
    except csv.Error as exc:
        # A field past the csv module's size limit, a NUL byte: the file as a whole is unreadable.
        msg = f"the file is not a readable CSV ({exc})"
        raise FormatError(msg) from None


def sniff_delimiter(header_line: str) -> str:
    """`;` for a header written by a decimal-comma locale (more semicolons than commas), else `,`."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def header_record(text: str) -> tuple[int, list[str], str] | None:
    """(row, cells, delimiter) of a CSV's first record, the delimiter sniffed from its first line."""
    line = next((line for line in text.splitlines() if line.strip()), None)
    if line is None:
        return None
    delimiter = sniff_delimiter(line)
    first = next(csv_rows(text, delimiter=delimiter), None)
    return (*first, delimiter) if first else None


def find_columns(header: list[str], names: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """{field: column index} for each field whose name (or an alias) is in `header`, matched with
    normalise_header; the first column wins when a name repeats. Absent fields are left out."""
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        positions.setdefault(normalise_header(title), index)
    found = {}
    for field_name, aliases in names.items():
        for alias in aliases:
            if alias in positions:
                found[field_name] = positions[alias]
                break
    return found


def cell(cells: list[str], index: int | None) -> str:
    """The cell at `index`; "" when the column is absent or the row is short (trailing cells dropped)."""
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def normalise_header(name: str) -> str:
    """'Exec Time ' / 'exec_time' / 'Exec. Time' → 'exec time' (for matching column names)."""
    return re.sub(r"[\s_.]+", " ", name.replace("\ufeff", "")).strip().lower()


# --- Numbers ----------------------------------------------------------------------------------

_MONEY_JUNK = re.compile(r"[\s$€£¥'\u00a0\u202f]|USD|EUR|GBP", re.IGNORECASE)
# What most cells hold (`-12.5`, `100`): read directly, since a file of 100,000 fills has half a
# million of them and the general path below costs several times more.
_PLAIN = re.compile(r"-?\d{1,30}(?:\.\d{1,30})?")
_NUMBER = re.compile(r"\d+(\.\d*)?|\.\d+|\d+(\.\d*)?[eE][-+]?\d{1,3}")


def parse_decimal(text: str | None, *, decimal_comma: bool = False) -> Decimal | None:
    """A number as brokers write it; None for an empty cell. RowProblem when it is not a number.

    Handles `$1,234.50`, `(75.90)` (negative), `-$75.90`, `75.90-`, `1.234,50` with
    `decimal_comma=True`, thousands separators and a Unicode minus.
    """
    if text is None:
        return None
    raw = text.strip()
    if raw in ("", "-", "--", "—", "N/A", "n/a"):
        return None
    if not decimal_comma and _PLAIN.fullmatch(raw):
        return Decimal(raw)
    value = _MONEY_JUNK.sub("", raw).replace("\u2212", "-")
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1]
    if value.endswith("-"):
        negative, value = True, value[:-1]
    if value.startswith("-"):
        negative, value = not negative, value[1:]
    elif value.startswith("+"):
        value = value[1:]
    value = value.replace(".", "").replace(",", ".") if decimal_comma else value.replace(",", "")
    if not _NUMBER.fullmatch(value):
        raise RowProblem(f"{raw!r} is not a number")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowProblem(f"{raw!r} is not a number") from None
    return -number if negative else number


def parse_local_decimal(text: str | None, *, semicolons: bool) -> Decimal | None:
    """A number from a file whose locale is unknown: in a `;`-separated file a comma is the decimal
    mark (`7200,75`, `1.234,50`), a point alone is one too (`21000.25`, invariant culture)."""
    return parse_decimal(text, decimal_comma=semicolons and "," in (text or ""))


def implied_multiplier(money: Decimal | None, points: Decimal, quantity: Decimal) -> Decimal | None:
    """The point value a money column implies: |money / (points * quantity)|, to 6 decimals. None
    when the row cannot tell (no money, or the price did not move, or no quantity)."""
    if not money or not points or not quantity:
        return None
    try:
        value = abs(money / (points * quantity)).quantize(Decimal("0.000001"))
    except ArithmeticError:  # 1E+999 money: no point value to read from it
        return None
    return tidy(value) if value else None


def tidy(number: Decimal) -> Decimal:
    """`100.0000` → `100`, `0.6200` → `0.62`, without the exponent form `normalize()` gives 100."""
    number = number.normalize()
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


def require_decimal(text: str | None, what: str, *, decimal_comma: bool = False) -> Decimal:
    value = parse_decimal(text, decimal_comma=decimal_comma)
    if value is None:
        raise RowProblem(f"the {what} is missing")
    return value


# --- Times ------------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b")


def day_first(values: Iterable[str], *, default: bool = False) -> bool:
    """Whether the numeric dates of a file are day-first (`27/04/2026`): some first number is over
    12 (some second one: month-first). A file whose dates are all ambiguous (`4/5/2026`) gets
    `default`: month-first as en-US writes it, unless the file's locale says otherwise."""
    for value in values:
        match = _NUMERIC_DATE.match(value)
        if match and int(match.group(1)) > 12:
            return True
        if match and int(match.group(2)) > 12:
            return False
    return default


def parse_time(text: str | None, formats: Iterable[str], tz: ZoneInfo, what: str = "time") -> datetime:
    """A timestamp in one of `formats` (strptime); a naive one is local time in `tz`, an offset
    in the text always wins. ISO 8601 is tried first."""
    raw = (text or "").strip()
    if not raw:
        raise RowProblem(f"the {what} is missing")
    parsed = None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        for fmt in formats:
            try:
                parsed = datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise RowProblem(f"the {what} {raw!r} is not a date and time this format writes")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


# --- Shared by several formats (added with tastytrade, schwab, ibkr, binance, mt5) -----------------


def header_index(cells: Iterable[str]) -> dict[str, int]:
    """Column positions by normalised name; the first of two same-named columns wins."""
    index: dict[str, int] = {}
    for position, name in enumerate(cells):
        index.setdefault(normalise_header(name), position)
    return index


SESSION_CLOSE = time(16, 0)


class DayClock:
    """Times for files that state only a date: the US session close (16:00 local in `tz`), the k-th
    fill of an instrument that day k seconds later, so same-day fills keep the file's order.

    Feed fills in the order they happened. Counting per instrument (not per file) keeps a fill's
    time stable when an export that overlaps an earlier one adds other instruments' rows that day.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._seen: dict[tuple[date, str], int] = {}

    def at(self, day: date, instrument: str) -> datetime:
        count = self._seen.get((day, instrument), 0)
        self._seen[(day, instrument)] = count + 1
        return datetime.combine(day, SESSION_CLOSE, tzinfo=self.tz) + timedelta(seconds=count)
