"""NinjaTrader 8 "Executions" grid export (Control Center > Executions > right-click > Export): one
fill per row, with the execution ID, Entry/Exit (E/X) and the position after the fill.

The grid follows the trader's Windows settings: columns can be hidden or moved (read by name), a
decimal-comma culture writes `;` between cells, `7200,75` and `0,62 $`, dates day-first
(`27/04/2026 6:05:02`) or en-US (`1/28/2025 10:59:52 AM`); the order is decided per file
(base.day_first). Times are the platform's local time, with no zone: `tz` says which.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "ninjatrader"
BROKER = "NinjaTrader"

COLUMNS = {
    "instrument": ("instrument",),
    "action": ("action",),
    "quantity": ("quantity",),
    "price": ("price",),
    "time": ("time",),
    "exec_id": ("id",),
    "ex": ("e/x",),
    "position": ("position",),
    "commission": ("commission",),
    "account": ("account", "account display name", "account name"),
}
REQUIRED = ("instrument", "action", "quantity", "price", "time", "ex")
ACTIONS = {
    "buy": base.BUY, "buy to cover": base.BUY, "buytocover": base.BUY,
    "sell": base.SELL, "sell short": base.SELL, "sellshort": base.SELL,
}  # fmt: skip
MONTH_FIRST = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")
DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d/%m/%Y %I:%M:%S %p")
# "MNQ MAR25", "MNQ 03-25": NinjaTrader's names for a futures contract.
FUTURES_NAME = re.compile(r"^\S+ (?:\d{2}-\d{2}|[A-Z]{3}\d{2})$")

MISSING_COLUMNS = "a NinjaTrader Executions export needs the columns Instrument, Action, Quantity, Price, Time, E/X"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS, delimiter=None)


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def time_formats(values: Iterable[str], *, semicolons: bool) -> tuple[str, ...]:
    """The strptime formats for a NinjaTrader file's times, day-first ones first when its dates are;
    a `;`-separated file comes from a decimal-comma culture, and those write the day first."""
    return DAY_FIRST + MONTH_FIRST if base.day_first(values, default=semicolons) else MONTH_FIRST + DAY_FIRST


def asset_class(instrument: str) -> str:
    return base.FUTURE if FUTURES_NAME.match(instrument) else ""


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from read_grid(TABLE.read(text), "time", _fill, tz)


def read_grid(table: base.Table, time_field: str, read: Callable[..., Any], tz: ZoneInfo) -> Iterator[base.Item]:
    """A NinjaTrader grid's rows, each as `read(row, cells, semicolons=, formats=, tz=)` makes it; the
    order of the grid's dates is decided over the whole file (time_formats)."""
    semicolons = table.delimiter == ";"
    times = (base.cell(cells, table.columns[time_field]) for _, cells in table.records())
    formats = time_formats(times, semicolons=semicolons)
    yield from table.read(read, semicolons=semicolons, formats=formats, tz=tz)


def _fill(row: int, cells: base.Cells, *, semicolons: bool, formats: tuple[str, ...], tz: ZoneInfo) -> base.Fill:
    action = " ".join(cells["action"].lower().split())
    if action not in ACTIONS:
        raise base.RowProblem(f"the action {cells['action']!r} is not Buy, Sell, Sell short or Buy to cover")
    side = ACTIONS[action]
    instrument = cells["instrument"].upper()
    if not instrument:
        raise base.RowProblem("the instrument is missing")
    quantity = base.parse_local_decimal(cells["quantity"], semicolons=semicolons)
    if quantity is None:
        raise base.RowProblem("the quantity is missing")
    quantity = abs(quantity)
    price = base.parse_local_decimal(cells["price"], semicolons=semicolons)
    if price is None:
        raise base.RowProblem("the price is missing")
    if quantity == 0 or price <= 0:
        raise base.RowProblem("quantity and price must be above 0")
    account = cells["account"]
    return base.Fill(
        row=row,
        instrument=instrument,
        time=base.parse_time(cells["time"], formats, tz),
        side=side,
        quantity=quantity,
        price=price,
        commission=abs(base.parse_local_decimal(cells["commission"], semicolons=semicolons) or Decimal(0)),
        exec_id=cells["exec_id"] or None,
        account=base.AccountRef(number=account) if account else None,
        asset_class=asset_class(instrument),
        effect=_effect(cells["ex"], side, cells["position"]),
    )


def _effect(ex: str, side: str, position: str) -> str | None:
    """Entry opens, Exit closes; but NinjaTrader also marks a reversal "Exit" (Sell 2 while long 1,
    Position "1 S" after it): that fill closes and opens, so its effect is left to the trade builder."""
    ex = ex.strip().lower()
    if ex == "entry":
        return base.OPEN
    if ex != "exit":
        return None
    after = position.strip().upper()
    reversed_to = (side == base.SELL and after.endswith(" S")) or (side == base.BUY and after.endswith(" L"))
    return None if reversed_to else base.CLOSE
