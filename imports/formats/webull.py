"""Webull (US) "Orders Records" CSV (Account > History > Orders > Export Orders), for stocks
(`Name,Symbol,Side,Status,Filled,Total Qty,Price,Avg Price,...,Filled Time`) and for options
(`...,Filled Time,B/S,Side Type,...,Filled Avg Price,Filled Qty,...,Commission,Fee,...`).

One row per order: its filled quantity at its average price is one fill (the order is not an
execution, so exec_id stays empty); an order that never filled is skipped with its status. Times
carry their zone as Webull writes it: "03/30/2026 09:31:05 EDT" or "2026/07/20 08:03:06,GMT-04".
Older stock exports have no Avg Price: their Price is then the fill's price ("@187.50" is a limit).
An option's symbol is already its OCC symbol; its Side Type (Open/Close) is the position effect.
"""

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base, us_options

NAME = "webull"
BROKER = "Webull"

COLUMNS = {
    "symbol": ("symbol",), "side": ("side", "b/s"), "side_type": ("side type",), "status": ("status",),
    "filled": ("filled", "filled qty"), "avg_price": ("avg price", "filled avg price"), "price": ("price",),
    "filled_time": ("filled time",), "placed_time": ("placed time", "place time"), "commission": ("commission",),
    "fee": ("fee",), "option_type": ("option type",),
}  # fmt: skip
REQUIRED = ("symbol", "side", "filled", "filled_time")
NOT_WEBULL = "not a Webull orders export: no Symbol, Side or B/S, Filled, Filled Time header"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_WEBULL)
SIDES = {"buy": base.BUY, "sell": base.SELL, "short": base.SELL}
EFFECTS = {"open": base.OPEN, "close": base.CLOSE}
TIME_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y/%m/%d %H:%M:%S")
# The US zones Webull names, by their fixed offsets (the abbreviation already says which one applies).
ZONES = {"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "UTC": 0, "GMT": 0}
_ZONE = re.compile(r"[\s,]+(?:(?P<abbr>[A-Z]{3})|GMT(?P<offset>[+-]\d{1,2})(?::?(?P<minutes>\d\d))?)$")
_OCC = re.compile(r"^[A-Z.]+\d{6}[CP]\d{8}$")


def detect(head: str) -> bool:
    table = TABLE.find(head)
    # The option export says B/S and Side Type; the stock one Side, Status, Time-in-Force and Placed Time.
    return table is not None and ("side_type" in table.columns or {"status", "placed_time"} <= table.columns.keys())


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_outcome, tz)


def _outcome(row: int, cells: base.Cells, tz: ZoneInfo) -> base.Fill | base.Skip:
    filled = base.parse_decimal(cells["filled"]) or Decimal(0)
    status = cells["status"].strip()
    if filled <= 0:
        if status.lower() == "filled":
            raise base.RowProblem("a filled order with no filled quantity")
        return base.Skip(row, f"order {status.lower() or 'without a status'}, not filled")
    side = base.one_of(SIDES, cells["side"], "the side {!r} is neither Buy nor Sell")
    symbol = base.require_text(cells["symbol"].strip().upper(), "symbol")
    price = base.require_decimal((cells["avg_price"] or cells["price"]).lstrip("@"), "average price")
    if price <= 0:
        raise base.RowProblem("the average price must be above 0")
    return us_options.fill(
        row, symbol, side, filled, price, option=bool(_OCC.match(symbol)) or bool(cells["option_type"]),
        time=_time(cells["filled_time"], tz), commission=base.charge(cells["commission"]),
        fees=base.charge(cells["fee"]), effect=EFFECTS.get(cells["side_type"].strip().lower()),
    )  # fmt: skip


def _time(text: str, tz: ZoneInfo) -> datetime:
    """'03/30/2026 09:31:05 EDT', '2026/07/20 08:03:06,GMT-04', or a time with no zone (in `tz`)."""
    text = text.strip()
    match = _ZONE.search(text)
    zone = tz
    if match and match["abbr"] in ZONES:
        zone = timezone(timedelta(hours=ZONES[match["abbr"]]))
    elif match and match["offset"]:
        hours, minutes = int(match["offset"]), int(match["minutes"] or 0)
        zone = timezone(timedelta(hours=hours, minutes=-minutes if hours < 0 else minutes))
    elif match:
        raise base.RowProblem(f"the time zone of {text!r} is not one Webull writes")
    if not match:
        return base.parse_time(text, TIME_FORMATS, tz, "filled time")
    return base.parse_time(text[: match.start()], TIME_FORMATS, tz, "filled time").replace(tzinfo=zone)
