"""Tradervue's trade export (Trades > Export, CSV): one closed trade a row, read as an entry fill
and an exit fill (journal_rows.py), with its notes and tags.

The short export has `Open Datetime,Close Datetime,Symbol,Side,Volume,Exec Count,Entry Price,
Exit Price,Gross P&L,...,Notes,Tags`; the full one adds `Net P&L,Commissions,Fees,Initial Risk`
and excursion columns. Side is L or S, times are the trader's local time (the import's `tz`).
Gross P&L states the point value: for a future or option it is read from it (gross / (price move x
volume)); a stock's is 1.
"""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from imports.formats import base, journal_rows

NAME = "tradervue"
BROKER = "Tradervue"
TRADE_LEVEL = True

COLUMNS = {
    "open": ("open datetime",), "close": ("close datetime",), "symbol": ("symbol",), "side": ("side",),
    "volume": ("volume",), "entry_price": ("entry price",), "exit_price": ("exit price",),
    "gross": ("gross p&l",), "notes": ("notes",), "tags": ("tags",), "commissions": ("commissions",),
    "fees": ("fees",), "initial_risk": ("initial risk",),
}  # fmt: skip
REQUIRED = ("open", "close", "symbol", "side", "volume", "entry_price", "exit_price", "gross")
NOT_TRADERVUE = (
    "not a Tradervue export: no Open Datetime, Close Datetime, Symbol, Side, Volume, Entry/Exit Price header"
)
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_TRADERVUE)
SIDES = {"l": "long", "long": "long", "s": "short", "short": "short"}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_fills, tz)


def _fills(row: int, cells: base.Cells, tz: ZoneInfo) -> list[base.Fill]:
    side = base.one_of(SIDES, cells["side"], "the side {!r} is not L or S")
    quantity = abs(base.require_decimal(cells["volume"], "volume"))
    entry_price = base.require_decimal(cells["entry_price"], "entry price")
    exit_price = base.parse_decimal(cells["exit_price"])
    close = cells["close"].strip()
    exit_time = base.parse_time(close, TIME_FORMATS, tz, "close datetime") if close else None
    multiplier = journal_rows.point_value(base.parse_decimal(cells["gross"]), side, entry_price, exit_price, quantity)
    trade = journal_rows.RoundTrip(
        row=row,
        instrument=cells["symbol"].strip().upper(),
        side=side,
        quantity=quantity,
        entry_time=base.parse_time(cells["open"], TIME_FORMATS, tz, "open datetime"),
        entry_price=entry_price,
        exit_time=exit_time,
        exit_price=exit_price,
        commission=base.charge(cells["commissions"]),
        fees=base.charge(cells["fees"]),
        multiplier=multiplier,
        notes=cells["notes"] or None,
        tags=[tag.strip() for tag in cells["tags"].split(",") if tag.strip()],
        initial_risk=base.parse_decimal(cells["initial_risk"]),
    )
    return journal_rows.fills(trade)
