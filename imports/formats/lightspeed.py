"""Lightspeed "Blotter" (lightspeed.com: Reports > Blotter > CSV, unzipped): one row per execution.

Side is B or S; Buy/Sell states the effect (Long Buy and Short Sell open, Long Sell and Short Buy
close). Commission Amount is the commission; the Fee columns (SEC, TAF, MF, stamp, the numbered
ones) are fees. Trade Number (Sequence Number in another layout) numbers the execution. Times are a
Trade Date and an Execution Time without zone, which Lightspeed writes in New York time: they are
read in the import's `tz`. The layout is read as TradeTally's Lightspeed importer and its tests read
it: no real export is public.
"""

from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "lightspeed"
BROKER = "Lightspeed"

FEES = ("feesec", "feetaf", "feemf", "feestamp", "fee1", "fee2", "fee3", "fee4")
COLUMNS = {
    "number": ("trade number", "sequence number"), "date": ("trade date",),
    "time": ("execution time", "raw exec time"), "symbol": ("symbol",), "side": ("side",), "qty": ("qty",),
    "price": ("price",), "commission": ("commission amount",), "effect": ("buy/sell",), "account": ("account",),
    **{fee: (fee,) for fee in FEES},
}  # fmt: skip
REQUIRED = ("date", "time", "symbol", "side", "qty", "price", "commission")
MISSING_COLUMNS = (
    "a Lightspeed blotter needs the columns Trade Date, Execution Time, Symbol, Side, Qty, Price, Commission Amount"
)
# A title ("Lightspeed Export Report") may stand above the header.
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS, within=2)
SIDES = {"b": base.BUY, "buy": base.BUY, "s": base.SELL, "sell": base.SELL}
EFFECTS = {"long buy": base.OPEN, "short sell": base.OPEN, "long sell": base.CLOSE, "short buy": base.CLOSE}
TIME_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M")


def detect(head: str) -> bool:
    return TABLE.find(head, "number") is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_execution, tz)


def _execution(row: int, cells: base.Cells, tz: ZoneInfo) -> base.Fill:
    side = base.one_of(SIDES, cells["side"], "Side {!r} is not B or S")
    symbol = cells["symbol"].upper()
    if not symbol:
        raise base.RowProblem("the symbol is missing")
    quantity = abs(base.require_decimal(cells["qty"], "quantity"))
    price = base.require_decimal(cells["price"], "price")
    if not quantity or price <= 0:
        raise base.RowProblem("the quantity and the price must be above 0")
    account = cells["account"]
    return base.Fill(
        row=row, instrument=symbol, side=side, quantity=quantity, price=price,
        time=base.parse_time(f"{cells['date']} {cells['time']}", TIME_FORMATS, tz, "execution time"),
        commission=base.parse_decimal(cells["commission"]) or Decimal(0),
        fees=sum((base.parse_decimal(cells[fee]) or Decimal(0) for fee in FEES), Decimal(0)),
        exec_id=cells["number"] or None, account=base.AccountRef(number=account) if account else None,
        effect=EFFECTS.get(cells["effect"].lower()),
    )  # fmt: skip
