"""MetaTrader 5 position history as CSV (the report's Positions table saved as CSV, in the terminal's
language: English or Italian): one closed position per row, read as an entry fill and an exit fill.

The header names two columns Time and two Price: the first of each is the position's opening, the
second its closing. Profit is the money column: it states the point value (the lot's size).
Commission and Swap are the position's costs. Semicolon files from decimal-comma locales write
`4 577,86`; times are the trade server's, read in the import's `tz`. A title row may stand above the
header; a row without a buy or sell type (totals, balance) is skipped.
"""

from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base
from imports.formats.mt5 import TIME_FORMATS

NAME = "mt5_positions"
BROKER = "MetaTrader 5"
TRADE_LEVEL = True

# Each field's name in the languages whose exports we have seen (English, Italian).
COLUMNS = {
    "time": ("time", "ora"), "position": ("position", "posizione"), "symbol": ("symbol", "simbolo"),
    "type": ("type", "tipo"), "volume": ("volume",), "price": ("price", "prezzo"),
    "commission": ("commission", "commissioni"), "swap": ("swap",), "profit": ("profit", "profitto"),
}  # fmt: skip
REQUIRED = tuple(COLUMNS)
MISSING_COLUMNS = (
    "a MetaTrader 5 position history needs the columns Time, Position, Symbol, Type, Volume, Price, S / L, T / P, "
    "Time, Price, Commission, Swap, Profit"
)
# The header is the first row, or the second below a title ("Trade History Report").
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS, delimiter=None, within=2)
SIDES = {"buy": (base.BUY, base.SELL), "sell": (base.SELL, base.BUY)}


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    table = TABLE.read(text)
    closing = _second(table.header, table.columns["time"]), _second(table.header, table.columns["price"])
    if None in closing:
        raise base.FormatError(MISSING_COLUMNS)
    semicolons = table.delimiter == ";"
    for row, cells in table.records():
        record = table.cells(cells)
        record.update(close_time=base.cell(cells, closing[0]), close_price=base.cell(cells, closing[1]))
        yield from base.read_row(row, _position, row, record, tz, semicolons)


def _second(header: list[str], first: int) -> int | None:
    name = base.normalise_header(header[first])
    return next((at for at in range(first + 1, len(header)) if base.normalise_header(header[at]) == name), None)


def _position(row: int, cells: base.Cells, tz: ZoneInfo, semicolons: bool) -> list[base.Item]:
    sides = SIDES.get(cells["type"].lower())
    if sides is None:
        return [base.Skip(row, f"{cells['type'] or 'a row without a type'}: not a position")]

    def number(field: str) -> Decimal | None:
        return base.parse_local_decimal(cells[field], semicolons=semicolons)

    symbol = cells["symbol"].upper()
    if not symbol:
        raise base.RowProblem("the symbol is missing")
    volume, opened, closed = number("volume"), number("price"), number("close_price")
    if not volume or not opened or not closed or volume <= 0 or opened <= 0 or closed <= 0:
        raise base.RowProblem("the volume and both prices must be above 0")
    profit = number("profit")
    common = {
        "row": row, "instrument": symbol, "quantity": volume, "exec_id": None,
        "multiplier": base.implied_multiplier(profit, closed - opened, volume) if profit is not None else None,
    }  # fmt: skip
    entry = base.Fill(
        **common, time=base.parse_time(cells["time"], TIME_FORMATS, tz, "open time"), side=sides[0], price=opened,
        commission=-(number("commission") or Decimal(0)), fees=-(number("swap") or Decimal(0)), effect=base.OPEN,
    )  # fmt: skip
    exit_ = base.Fill(
        **common, time=base.parse_time(cells["close_time"], TIME_FORMATS, tz, "close time"), side=sides[1],
        price=closed, effect=base.CLOSE,
    )  # fmt: skip
    return [entry, exit_]
