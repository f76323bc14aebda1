"""Our documented CSV of fills, for any broker a spreadsheet can export (the columns below; the JSON
body of POST /api/v1/imports takes the same fields): one execution per row.

Columns (a header row, any order, names matched case-insensitively; `_`, `.` and spaces alike):
    time          also: datetime; or two columns, date and time
    instrument    also: symbol
    side          buy/sell, b/s, bot/sld, long/short; with no side, a negative quantity is a sell
    quantity      also: qty, shares, contracts
    price
    commission    optional
    fees          optional
    exec_id       optional; also: execution id, fill id
    account       optional
    multiplier    optional
    asset_class   optional: stock, future, option, future_option, crypto, forex, cfd (an OCC symbol: option)
    effect        optional: open, close
Delimiter `,` or `;` (from the header line); in a `;` file a comma is the decimal mark. Times are
ISO 8601, `MM/DD/YYYY HH:MM[:SS]` or `DD.MM.YYYY HH:MM[:SS]`; without an offset they are in `tz`.
Commission and fees are costs: their sign is ignored, as spreadsheets write them either way.

The same fills as JSON, `{"executions": [{"time": ..., "instrument": ..., ...}, ...]}` (what the API
takes as a JSON body), use the first name of each column above except `date`; a row is then the
execution's position in the list, from 1.
"""

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "generic"
BROKER = "Generic CSV"

COLUMNS = {
    "time": ("time", "datetime"),
    "date": ("date",),
    "instrument": ("instrument", "symbol"),
    "side": ("side",),
    "quantity": ("quantity", "qty", "shares", "contracts"),
    "price": ("price",),
    "commission": ("commission",),
    "fees": ("fees",),
    "exec_id": ("exec id", "execution id", "fill id"),
    "account": ("account",),
    "multiplier": ("multiplier",),
    "asset_class": ("asset class",),
    "effect": ("effect",),
}
SIDES = {
    "buy": base.BUY, "b": base.BUY, "bot": base.BUY, "long": base.BUY,
    "sell": base.SELL, "s": base.SELL, "sld": base.SELL, "short": base.SELL,
}  # fmt: skip
ASSET_CLASSES = (base.STOCK, base.FUTURE, base.OPTION, base.FUTURE_OPTION, base.CRYPTO, base.FOREX, base.CFD)
EFFECTS = {"open": base.OPEN, "close": base.CLOSE}
TIME_FORMATS = (
    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M:%S",
)  # fmt: skip

REQUIRED = {"time", "instrument", "quantity", "price"}
_CLOCK = re.compile(r"^\d{1,2}:\d{2}")
_BARE_CLOCK = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")

JSON_FIELDS = tuple(name for name in COLUMNS if name != "date")
_JSON_START = re.compile(r'^\s*\{\s*"executions"\s*:')

MISSING_COLUMNS = "a generic CSV needs the columns time (or date and time), instrument, quantity and price"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS, delimiter=None)


def detect(head: str) -> bool:
    if _JSON_START.match(head):
        return True
    table = TABLE.find(head)
    if table is None:
        return False
    first = next(table.records(), None)
    if first and "date" not in table.columns and _BARE_CLOCK.fullmatch(table.cells(first[1])["time"]):
        # A time of day with no date column (a day's blotter, DAS Trader's) places no fill: not ours.
        return False
    if "side" in table.columns:
        return True
    # No side column: only a file whose quantities carry the sign is ours (NinjaTrader's grid has
    # the same time/instrument/quantity/price names, with an Action column and positive quantities).
    return any(table.cells(cells)["quantity"].startswith("-") for _, cells in table.records())


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    if text.lstrip().startswith("{"):
        yield from _parse_json(text, tz)
        return
    table = TABLE.read(text)
    yield from table.read(_fill, semicolons=table.delimiter == ";", tz=tz)


def _parse_json(text: str, tz: ZoneInfo) -> Iterator[base.Item]:
    try:
        document = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except (ValueError, RecursionError) as exc:
        raise base.FormatError(f"the file is not readable JSON ({str(exc)[:200]})") from None
    executions = document.get("executions") if isinstance(document, dict) else None
    if not isinstance(executions, list):
        raise base.FormatError('JSON fills come as {"executions": [...]}')
    for row, execution in enumerate(executions, start=1):
        yield from base.read_row(row, _json_fill, row, execution, tz)


def _json_fill(row: int, execution: object, tz: ZoneInfo) -> base.Fill:
    if not isinstance(execution, dict):
        raise base.RowProblem("an execution is a JSON object")
    unknown = sorted(set(execution) - set(JSON_FIELDS))
    if unknown:
        raise base.RowProblem(f"unknown field {unknown[0][:64]!r}; the fields are {', '.join(JSON_FIELDS)}")
    values = {}
    for name, value in execution.items():
        if isinstance(value, bool) or not isinstance(value, str | Decimal | None):
            raise base.RowProblem(f"the {name} must be a string or a number")
        if isinstance(value, Decimal) and not -40 < value.adjusted() < 40:  # 1e999999 would expand to a MB
            raise base.RowProblem(base.OUT_OF_RANGE)
        if value is not None:
            values[name] = format(value, "f") if isinstance(value, Decimal) else value.strip()
    return _fill(row, values, semicolons=False, tz=tz)


def _fill(row: int, values: dict[str, str], *, semicolons: bool, tz: ZoneInfo) -> base.Fill:
    """The fill a row's cells make, given by field (a field the row lacks is absent or empty)."""
    text = values.get

    def number(name: str) -> Decimal | None:
        return base.parse_local_decimal(text(name), semicolons=semicolons)

    moment = text("time", "")
    if text("date") and _CLOCK.match(moment):
        moment = f"{text('date')} {moment}"
    instrument = text("instrument", "").upper()
    if not instrument:
        raise base.RowProblem("the instrument is missing")
    quantity = number("quantity")
    if quantity is None:
        raise base.RowProblem("the quantity is missing")
    side_text = text("side", "").lower()
    if side_text:
        if side_text not in SIDES:
            raise base.RowProblem(f"the side {text('side')!r} is not buy or sell")
        side = SIDES[side_text]
    else:
        side = base.SELL if quantity < 0 else base.BUY
    quantity = abs(quantity)
    if quantity == 0:
        raise base.RowProblem("the quantity is 0")
    asset_class = text("asset_class", "").lower()
    if asset_class and asset_class not in ASSET_CLASSES:
        raise base.RowProblem(f"the asset class {text('asset_class')!r} is not one of {', '.join(ASSET_CLASSES)}")
    asset_class = base.asset_class_of(instrument, asset_class)
    price = number("price")
    if price is None:
        raise base.RowProblem("the price is missing")
    if price < 0 or (price == 0 and asset_class not in (base.OPTION, base.FUTURE_OPTION)):
        raise base.RowProblem("the price must be above 0 (0 only for an expired option)")
    effect_text = text("effect", "").lower()
    if effect_text and effect_text not in EFFECTS:
        raise base.RowProblem(f"the effect {text('effect')!r} is not open or close")
    multiplier = number("multiplier")
    if multiplier is not None and multiplier <= 0:
        raise base.RowProblem("the multiplier must be above 0")
    account = text("account")
    return base.Fill(
        row=row,
        instrument=instrument,
        time=base.parse_time(moment, TIME_FORMATS, tz),
        side=side,
        quantity=quantity,
        price=price,
        commission=abs(number("commission") or Decimal(0)),
        fees=abs(number("fees") or Decimal(0)),
        exec_id=text("exec_id") or None,
        account=base.AccountRef(number=account) if account else None,
        multiplier=multiplier,
        asset_class=asset_class,
        effect=EFFECTS.get(effect_text),
    )
