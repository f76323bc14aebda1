"""The mapping proposed for a file no format reads, from its header and first rows.

Each of our fields goes to the column whose name says it (the names brokers use, best first, in
NAMES; a name equal to one beats a name containing it) and whose first values read as the field
must: times in one of the common date formats, side words (SIDE_WORDS), numbers. A column of date
and time values, or of side words, is taken without a known name when no named one fits. A row is a
whole trade when named entry and exit prices are found. The trader confirms or corrects the result.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import islice

from imports.formats import base, mapping

SAMPLE_ROWS = 20
MAX_COLUMNS = 100  # a wider file's further columns are left for the trader
FIT = 0.8  # the share of a column's first values that must read as a field (a file may have a bad row)

# Column names by field, best first: `(?:x)` alone must be the whole name, the others may be words of it.
NAMES = {
    "time": ("fill time", "filled time", "exec time", "execution time", "trade time", "transaction time", "time",
             "date/time", "date time", "datetime", "timestamp", "executed at", "created at", "date", "trade date"),
    "date": ("trade date", "exec date", "execution date", "transaction date", "activity date", "run date", "date"),
    "time_of_day": ("exec time", "execution time", "fill time", "trade time", "time"),
    "instrument": ("symbol", "instrument", "ticker", "contract", "security", "pair", "market", "product", "asset",
                   "stock"),
    "side": ("side", "b/s", "buy/sell", "action", "direction", "trade type", "transaction type", "type",
             "market pos", "position", "long/short", "l/s"),
    "quantity": ("filled qty", "fill qty", "filled quantity", "exec qty", "executed qty", "qty filled", "filled",
                 "executed", "quantity", "qty", "shares", "contracts", "volume", "size", "lots", "units", "(?:vol)",
                 "amount"),
    "price": ("fill price", "filled price", "avg fill price", "filled avg price", "avg price", "average price",
              "exec price", "execution price", "trade price", "price", "fill px", "px", "rate"),
    "commission": ("commission", "commissions", "comm", "brokerage"),
    "fees": ("fees", "fee", "reg fee", "exchange fee", "sec fee", "clearing fee", "charges"),
    "account": ("account", "account number", "account no", "account id", "acct"),
    "exec_id": ("exec id", "execution id", "fill id", "trade id", "transaction id", "deal id", "ticket", "(?:id)",
                "(?:txid)", "(?:deal)", "(?:trade #)", "(?:fill #)"),
    "order_id": ("order id", "order #", "order no", "order number", "ordertxid", "order ref", "(?:order)"),
    "multiplier": ("multiplier", "point value", "contract size", "lot size", "(?:mult)"),
    "currency": ("currency", "ccy", "(?:curr)"),
    "entry_time": ("entry time", "open time", "entry datetime", "open datetime", "entry date", "open date", "opened",
                   "(?:entry)", "(?:open)"),
    "exit_time": ("exit time", "close time", "exit datetime", "close datetime", "exit date", "close date", "closed",
                  "(?:exit)", "(?:close)"),
    "entry_price": ("entry price", "open price", "avg entry", "entry avg", "buy price"),
    "exit_price": ("exit price", "close price", "avg exit", "exit avg", "sell price"),
    "pnl": ("gross p&l", "p&l", "pnl", "p/l", "profit/loss", "gain/loss", "profit", "realized p&l"),
}  # fmt: skip
# Words that rule a column out for a field however its name matches.
NOT = {
    "time": r"placed|settle|process|expir|updated|cancel|submit|open|close|entry|exit",
    "date": r"settle|process|expir|open|close|entry|exit",
    "instrument": r"description|type|currency|root|underlying|name|class|exchange|id",
    "quantity": r"total|submitted|ordered|remaining|open|position|net|limit|cum|max|min",
    "price": r"limit|stop|strike|format|tick|settle|mark|trigger|target|%|open|close|entry|exit",
    "commission": r"currency|asset|coin|unit|%|rate|total",
    "fees": r"currency|asset|coin|unit|%|rate|total",
    "account": r"type|currency",
    "exec_id": r"order|position|pair|account|buy|sell|cusip|isin",
    "order_id": r"type|status|time|date|text|qty|price",
    "pnl": r"net|cum|%|unrealized|per",
}
ORDER = {
    mapping.FILLS: ("time", "side", "instrument", "price", "quantity", "commission", "fees", "order_id", "exec_id",
                    "account", "multiplier", "currency"),
    mapping.TRADES: ("entry_time", "exit_time", "side", "instrument", "entry_price", "exit_price", "quantity", "pnl",
                     "commission", "account"),
}  # fmt: skip
NUMBERS = {"quantity", "price", "commission", "fees", "multiplier", "entry_price", "exit_price", "pnl"}
TIMES = {"time", "entry_time", "exit_time"}
DATES = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%m/%d/%y", "%d/%m/%y", "%d.%m.%y", "%Y%m%d",
         "%d-%m-%Y", "%m-%d-%Y", "%d %b %Y", "%d-%b-%Y", "%b %d %Y", "%b %d, %Y")  # fmt: skip
CLOCKS = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%H:%M:%S.%f", "%H:%M:%S %Z")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s?[AaPp][Mm])?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")
_CURRENCY = re.compile(r"^[A-Z0-9]{3,6}$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
DEFAULT_NAME = "Mapped file"


@dataclass
class Column:
    """A column as the suggestion sees it: its name, words and first values, and what they read as."""

    name: str
    words: str
    values: list[str]
    semicolons: bool

    def __post_init__(self) -> None:
        self.times = _time_format(self.values, clock=True)
        self.dates = _time_format(self.values, clock=False)
        self.clock = _clock_format(self.values)
        self.numbers = _fit(self.values, lambda value: _number(value, self.semicolons) is not None)

    def sides(self, level: str) -> dict[str, str]:
        """Our side for each of its values that is a side word; {} unless most of its values are."""
        words = mapping.SIDE_WORDS[level]
        if not _fit(self.values, lambda value: _key(value) in words):
            return {}
        return {value: words[_key(value)] for value in self.values if _key(value) in words and "\x00" not in value}


def suggest(text: str, *, filename: str = "") -> dict | None:
    """A mapping for the table `text` (the head of a file) starts with, in the API's shape (unsaved:
    no id); None when the file is no table."""
    header = mapping.find_header(text)
    if header is None:
        return None
    records = base.csv_rows(text, delimiter=header.delimiter)
    rows = list(islice((cells for row, cells in records if row > header.row), SAMPLE_ROWS))
    semicolons = header.delimiter == ";"
    columns = [
        Column(name, _words(name), [base.cell(cells, i) for cells in rows if base.cell(cells, i)], semicolons)
        for i, name in enumerate(header.cells[:MAX_COLUMNS])
    ]
    level = mapping.TRADES if _named(columns, "entry_price") and _named(columns, "exit_price") else mapping.FILLS
    chosen: dict[str, Column] = {}
    date_format = None
    for field in ORDER[level]:
        column = _best(field, [c for c in columns if c not in chosen.values()], level)
        if column is not None:
            chosen[field] = column
    if level == mapping.FILLS and "time" not in chosen:
        date = _best("date", [c for c in columns if c not in chosen.values()], level)
        if date is not None:
            chosen["date"] = date
            clock = _best("time_of_day", [c for c in columns if c not in chosen.values()], level)
            if clock is not None:
                chosen["time_of_day"] = clock
    time_column = next((chosen[f] for f in ("time", "entry_time") if f in chosen), None)
    if time_column is not None:
        date_format = time_column.times if time_column.times is not None else time_column.dates
    elif "date" in chosen:
        date_format = chosen["date"].dates
        if "time_of_day" in chosen and date_format is not None:
            date_format = f"{date_format} {chosen['time_of_day'].clock}"
    sides = chosen["side"].sides(level) if "side" in chosen else {}
    return {
        "id": None, "name": _name(filename), "level": level,
        "columns": {field: chosen[field].name for field in mapping.FIELDS[level] if field in chosen},
        "values": {"side": sides} if sides else {}, "date_format": date_format or None, "tz": None,
        "header_signature": mapping.file_signature(text), "created_at": None,
    }  # fmt: skip


def _best(field: str, columns: list[Column], level: str) -> Column | None:
    scored = [(score, -i, column) for i, column in enumerate(columns)
              if (score := _score(field, column, level)) is not None]  # fmt: skip
    return max(scored, key=lambda item: item[:2])[2] if scored else None


def _score(field: str, column: Column, level: str) -> tuple[int, int] | None:
    """How well `column` fits `field` (higher is better), or None when it does not."""
    if not _fits(field, column, level):
        return None
    named = _name_score(field, column.words)
    if named is not None:
        return named
    # Without a known name only what the values make plain: a fill's time, and side words.
    if (field == "time" and column.times is not None) or field == "side":
        return (0, 0)
    return None


def _fits(field: str, column: Column, level: str) -> bool:
    if field in TIMES:
        return column.times is not None or (level == mapping.TRADES and column.dates is not None)
    if field == "date":
        return column.dates is not None
    if field == "time_of_day":
        return column.clock is not None
    if field == "side":
        return bool(column.sides(level))
    if field in NUMBERS:
        return column.numbers
    if field == "instrument":
        return bool(column.values) and not column.numbers and column.dates is None and column.times is None
    if field == "currency":
        return _fit(column.values, _CURRENCY.match)
    return bool(column.values)


def _fit(values: list[str], reads: Callable[[str], object]) -> bool:
    """Whether most of `values` (FIT of them, and one at least) read as a field."""
    return bool(values) and sum(bool(reads(value)) for value in values) >= FIT * len(values)


def _name_score(field: str, words: str) -> tuple[int, int] | None:
    if field in NOT and re.search(rf"(?<![a-z0-9])(?:{NOT[field]})", words):
        return None
    best = None
    for rank, name in enumerate(NAMES.get(field, ())):
        whole = name.startswith("(?:")
        name = name[3:-1] if whole else name
        if words == name:
            score = (2, -rank)
        elif not whole and re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", words):
            score = (1, -rank)
        else:
            continue
        best = score if best is None else max(best, score)
    return best


def _named(columns: list[Column], field: str) -> bool:
    return any(column.numbers and _name_score(field, column.words) is not None for column in columns)


def _time_format(values: list[str], *, clock: bool) -> str | None:
    """The date format most values read in, with a time of day or without; "" for ISO 8601 times."""
    if clock and _fit(values, lambda value: _ISO.match(value) and ":" in value and _iso(value)):
        return ""
    first = [value for value in values[:3] if any(char.isdigit() for char in value)]
    formats = [f"{d} {c}" for d in DATES for c in CLOCKS] if clock else DATES
    # The formats that read one of the first values, then the first of them that reads most.
    candidates = [fmt for fmt in formats if any(_parses(value, fmt) for value in first)]
    return next((fmt for fmt in candidates if _fit(values, partial(_parses, fmt=fmt))), None)


def _clock_format(values: list[str]) -> str | None:
    if not _fit(values, _CLOCK.match):
        return None
    return next((fmt for fmt in CLOCKS if _fit(values, partial(_parses, fmt=fmt))), None)


def _iso(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _number(value: str, semicolons: bool):
    try:
        return base.parse_local_decimal(value, semicolons=semicolons)
    except base.RowProblem:
        return None


def _words(name: str) -> str:
    """A column name as NAMES spells them: `filledQty` → `filled qty`, `Avg. Price` → `avg price`."""
    return base.normalise_header(_CAMEL.sub(" ", name))


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


def _name(filename: str) -> str:
    """A name for the mapping from the file's name (the trader names it when saving it)."""
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    name = " ".join(re.sub(r"[\x00-\x1f\x7f_\-]+", " ", stem).split())[:64].strip()
    return name or DEFAULT_NAME
