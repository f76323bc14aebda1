"""TradingView trading panel "Order History" export (the panel's History tab > Export data, paper
trading and connected brokers alike): one row per order; a filled order is one fill, every other
order is skipped with its status.

A filled order's time is its Closing Time (when it filled; a market order's equals its Placing
Time); its price is Fill Price. Symbols carry the data feed's prefix (`BINANCE:TRXUSDT.P`,
`SAXO:GBPCAD`): the instrument is the symbol without it. Quantities are units (shares, coins, FX
units, contracts); Order ID numbers the order, not a fill, so exec_id stays empty. Times are the
chart's, without offset: they are read in the import's `tz`.
"""

from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "tradingview"
BROKER = "TradingView"

COLUMNS = {
    "symbol": ("symbol",), "side": ("side",), "qty": ("qty",), "fill_price": ("fill price",),
    "status": ("status",), "commission": ("commission",), "placed": ("placing time",),
    "closed": ("closing time",), "order_id": ("order id",),
}  # fmt: skip
REQUIRED = ("symbol", "side", "qty", "fill_price", "status", "placed")
MISSING_COLUMNS = "a TradingView order history needs the columns Symbol, Side, Qty, Fill Price, Status, Placing Time"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS)
SIDES = {"buy": base.BUY, "sell": base.SELL}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
NONE = Decimal(0)


def detect(head: str) -> bool:
    return TABLE.find(head, "order_id") is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_order, tz)


def _order(row: int, cells: base.Cells, tz: ZoneInfo) -> base.Fill | base.Skip:
    if skip := base.unfilled(row, cells["status"]):
        return skip
    side = base.one_of(SIDES, cells["side"], "Side {!r} is not Buy or Sell")
    instrument = base.require_text(cells["symbol"].rpartition(":")[2].upper(), "symbol")
    quantity, price = base.size_and_price(cells["qty"], cells["fill_price"], ("quantity", "fill price"), signed=False)
    return base.Fill(
        row=row, instrument=instrument, side=side, quantity=quantity, price=price,
        time=base.parse_time(cells["closed"] or cells["placed"], TIME_FORMATS, tz, "closing time"),
        commission=base.parse_decimal(cells["commission"]) or NONE,
    )  # fmt: skip
