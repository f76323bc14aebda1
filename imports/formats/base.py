"""What every broker format reads into: fills, corporate actions, skipped rows and row errors, the
shared readers for the text real exports are made of (BOMs, `$1,234.50`, `(75.90)`, local times,
blank rows), option symbols' asset class, and the spot markets' rule."""

import csv
import io
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import TypeVar
from zoneinfo import ZoneInfo

# The asset classes the multiplier rule distinguishes, for the formats to name.
from journal.multipliers import CFD, CRYPTO, FOREX, FUTURE, FUTURE_OPTION, OPTION, STOCK  # noqa: F401
from journal.options import read_occ

BUY, SELL = "buy", "sell"
OPEN, CLOSE = "open", "close"


class FormatError(Exception):
    """The file as a whole cannot be read as this format (not one bad row: those are RowErrors)."""


class TooManyRows(Exception):
    """A reader that streams counted more records than the row limit (settings.IMPORT_MAX_ROWS)."""


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
    multiplier: Decimal | None = None  # from the file; None: the table decides (journal/multipliers.py)
    asset_class: str = ""
    effect: str | None = None  # OPEN | CLOSE where the file states the position effect
    trade: dict | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """A corporate action as the file states it: from `time` on, every `old_units` of `instrument`
    held are `new_units` of `new_instrument` (a split names the same instrument: 10-for-1 is 1 -> 10;
    a symbol change is 1 -> 1). The position held carries across (imports/actions.py)."""

    row: int
    instrument: str
    new_instrument: str
    time: datetime  # aware
    old_units: Decimal  # > 0
    new_units: Decimal  # > 0
    account: AccountRef | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    row: int
    reason: str


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    message: str


Item = Fill | Action | Skip | RowError
T = TypeVar("T")

OUT_OF_RANGE = "a number is out of range"


def read_row(row: int, read: Callable[..., T | list[T]], *args: object, **kwargs: object) -> list[T | RowError]:
    """What `read(*args, **kwargs)` makes of a row (one item or a list), or a RowError on it: one bad
    row never fails a file."""
    try:
        result = read(*args, **kwargs)
    except RowProblem as problem:
        return [RowError(row, str(problem))]
    except ArithmeticError:  # Decimal overflow: 1E+999 * 1E+999
        return [RowError(row, OUT_OF_RANGE)]
    return result if isinstance(result, list) else [result]


@dataclass
class Summary:
    """What a parse produced, with every data row accounted for exactly once (fills may share a row)."""

    fills: list[Fill] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def rows_total(self) -> int:
        return len({item.row for item in (*self.fills, *self.actions, *self.skipped, *self.errors)})

    @classmethod
    def of(cls, items: Iterable[Item]) -> "Summary":
        summary = cls()
        lists = {Fill: summary.fills, Action: summary.actions, Skip: summary.skipped, RowError: summary.errors}
        for item in items:
            lists[type(item)].append(item)
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


def header_index(cells: Iterable[str]) -> dict[str, int]:
    """Column positions by normalised name; the first of two same-named columns wins."""
    index: dict[str, int] = {}
    for position, name in enumerate(cells):
        index.setdefault(normalise_header(name), position)
    return index


def find_columns(header: list[str], names: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """{field: column index} for each field whose name (or an alias) is in `header`, matched with
    normalise_header; the first column wins when a name repeats. Absent fields are left out."""
    positions = header_index(header)
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


class Cells(dict):
    """A record's cells by field; "" for a field the file has no column for or a short row leaves out."""

    def __missing__(self, field_name: str) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV export's table, as its Layout finds it: the header record, each field's column, and the
    records above (a title naming the account) and below it."""

    text: str
    row: int  # the header's
    header: list[str]
    columns: dict[str, int]
    delimiter: str
    preamble: list[list[str]]

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(row, cells) of each data record below the header; the header written again (exports
        pasted together) is not one."""
        names = [normalise_header(title) for title in self.header]
        for row, cells in csv_rows(self.text, delimiter=self.delimiter):
            if row > self.row and not _repeats(cells, names):
                yield row, cells

    def cells(self, cells: list[str]) -> Cells:
        """A record's cells by field."""
        return Cells({field_name: cell(cells, index) for field_name, index in self.columns.items()})

    def read(self, read: Callable[..., T | list[T]], *args: object, **kwargs: object) -> Iterator[T | RowError]:
        """What `read(row, cells, *args, **kwargs)` makes of each data record (read_row)."""
        for row, cells in self.records():
            yield from read_row(row, read, row, self.cells(cells), *args, **kwargs)


def _repeats(cells: list[str], names: list[str]) -> bool:
    # The first cell decides for almost every row: one normalisation per row, not one per cell.
    if len(cells) != len(names) or normalise_header(cells[0]) != names[0]:
        return False
    return [normalise_header(c) for c in cells] == names


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a CSV export keeps its table and what the table must hold: a table format states it once.

    `columns` maps each field to the names its column goes by (normalise_header's form; the first
    that the header has wins); None takes every column by its own name. The header is the first
    record, or the first of the first `within` records (None: of all) that has every `required`
    field. A None `delimiter` is sniffed from the first line (sniff_delimiter).
    """

    columns: Mapping[str, tuple[str, ...]] | None
    _: KW_ONLY
    required: Collection[str]
    missing: str  # the FormatError when no header has every required field; "{missing}" names those absent
    empty: str | None = None  # the FormatError for a file with no record at all, if not `missing`
    delimiter: str | None = ","
    within: int | None = 1

    def read(self, text: str) -> Table:
        delimiter = self.delimiter or sniff_delimiter(next((line for line in text.splitlines() if line.strip()), ""))
        preamble: list[list[str]] = []
        first: dict[str, int] | None = None
        for row, cells in islice(csv_rows(text, delimiter=delimiter), self.within):
            found = header_index(cells) if self.columns is None else find_columns(cells, self.columns)
            if found.keys() >= set(self.required):
                return Table(text, row, cells, found, delimiter, preamble)
            preamble.append(cells)
            first = found if first is None else first
        if first is None and self.empty is not None:
            raise FormatError(self.empty)
        absent = set(self.required) - (first or {}).keys()
        raise FormatError(self.missing.replace("{missing}", ", ".join(sorted(absent))))

    def find(self, head: str, *fields: str) -> Table | None:
        """The table in the head of a file, or None where there is none or it lacks `fields`: a
        table format's detect."""
        try:
            table = self.read(head)
        except FormatError:
            return None
        return table if table.columns.keys() >= set(fields) else None


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


def require_text(text: str, what: str) -> str:
    """A cell a row cannot do without (a symbol, a contract), as the caller tidied it."""
    if not text:
        raise RowProblem(f"the {what} is missing")
    return text


def size_and_price(
    quantity: str | None, price: str | None, names: tuple[str, str] = ("quantity", "price"), *, signed: bool = True
) -> tuple[Decimal, Decimal]:
    """A fill's quantity, unsigned, and its price, both above 0 (`names` say what the file calls
    them). With `signed=False` the file writes sizes unsigned, so a negative one is refused too."""
    size = require_decimal(quantity, names[0])
    value = require_decimal(price, names[1])
    if (abs(size) if signed else size) <= 0 or value <= 0:
        raise RowProblem(f"{names[0]} and {names[1]} must be above 0")
    return abs(size), value


def one_of(choices: Mapping[str, T], text: str, problem: str) -> T:
    """What a cell's value (trimmed, any case) stands for among `choices`, whose keys are lower-case;
    RowProblem `problem`, where `{!r}` is the value, for any other."""
    found = choices.get(text.strip().lower())
    if found is None:
        raise RowProblem(problem.format(text))
    return found


def unfilled(row: int, status: str) -> Skip | None:
    """The Skip of an order a file lists that never traded (cancelled, rejected, working); None for
    a filled one."""
    status = status.strip().lower()
    return None if status == "filled" else Skip(row, f"order {status or 'without a status'}, not filled")


def charge(text: str | None) -> Decimal:
    """A commission or a fee: its size, whichever sign the broker prints; 0 for an empty cell."""
    return abs(parse_decimal(text) or Decimal(0))


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


def asset_class_of(symbol: str, stated: str = "") -> str:
    """The asset class the file states; else an option when the symbol is an OCC option symbol (an
    expired one may then close at price 0, and it is 100 shares a contract)."""
    return stated or (OPTION if read_occ(symbol) else "")


# --- Spot markets -------------------------------------------------------------------------------


def spot_effect(side: str) -> str:
    """The position effect of a fill on a spot market (crypto spot, a cash account): a buy adds to the
    holdings, a sale reduces them. Spot can't be shorted, so a sale with nothing held sold holdings
    bought before the file: the engine skips it with its reason, never opening a short."""
    return OPEN if side == BUY else CLOSE


def spot_fill(
    row: int, coin: str, quote: str, time: datetime, side: str, quantity: Decimal, price: Decimal, *,
    commission: Decimal, exec_id: str | None,
) -> Fill:  # fmt: skip
    """A crypto spot fill: the pair named base then quote asset (`BTCEUR`), the quote asset the
    account's currency (one account per quote asset, never added to another), the spot rule's effect."""
    return Fill(
        row=row, instrument=f"{coin}{quote}", time=time, side=side, quantity=quantity, price=price,
        commission=commission, exec_id=exec_id or None, account=AccountRef(currency=quote), asset_class=CRYPTO,
        effect=spot_effect(side),
    )  # fmt: skip
