"""DAS Trader Pro "Trades" window (right-click in Trades > Export, the day you traded): one row per
execution of the day's session.

Side is B (buy), S (sell) or SS (sell short, which opens a short); Account is the account number.
The window lists the current day's executions only and states a time without a date: the times
are read in the import's `tz` as of the day of the import there, so export and import the file on
the day you traded. The file states no commission (P / L is the
broker's gross figure for a closing fill) and its Cloid is the order's client id, "AUTO" for most
orders: not an execution's id. The layout is a real export's (a DAS export filter's test file).
"""

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "das"
BROKER = "DAS Trader Pro"

COLUMNS = {
    "time": ("time",), "symbol": ("symbol",), "side": ("side",), "price": ("price",), "qty": ("qty",),
    "account": ("account",), "route": ("route",), "cloid": ("cloid",),
}  # fmt: skip
REQUIRED = ("time", "symbol", "side", "price", "qty")
MISSING_COLUMNS = "a DAS Trader trades export needs the columns Time, Symbol, Side, Price, Qty"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS)
SIDES = {"b": base.BUY, "s": base.SELL, "ss": base.SELL}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def today(tz: ZoneInfo) -> date:
    """The day the file's times fall on: the import's, in its zone (tests move it)."""
    return datetime.now(tz).date()


def detect(head: str) -> bool:
    # Route and Cloid (the order's client id) are DAS's own words beside the execution columns.
    return TABLE.find(head, "route", "cloid") is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_execution, today(tz), tz)


def _execution(row: int, cells: base.Cells, day: date, tz: ZoneInfo) -> base.Fill:
    side, clock = cells["side"], base.require_text(cells["time"], "execution time")
    quantity, price = base.size_and_price(cells["qty"], cells["price"], signed=False)
    account = cells["account"]
    return base.Fill(
        row=row, instrument=base.require_text(cells["symbol"].upper(), "symbol"),
        side=base.one_of(SIDES, side, "Side {!r} is not B, S or SS"), quantity=quantity, price=price,
        time=base.parse_time(f"{day.isoformat()} {clock}", TIME_FORMATS, tz, "execution time"),
        account=base.AccountRef(number=account) if account else None,
        effect=base.OPEN if side.strip().lower() == "ss" else None,
    )  # fmt: skip
