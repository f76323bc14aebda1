"""Coinbase Advanced Trade (formerly Coinbase Pro) "Fills" CSV (Statements > Generate report > Fills):
one execution per row, timed in UTC ("2018-11-11T15:40:26.086Z") whatever the import's tz.

The product is the pair (`BCH-BTC`): the instrument is base then quote (`BCHBTC`), the quote asset
(its "price/fee/total unit") the fill's currency, and the fee is in that unit too.
"""

from collections.abc import Iterator
from datetime import UTC
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "coinbase_fills"
BROKER = "Coinbase"

COLUMNS = {
    "portfolio": ("portfolio",), "trade_id": ("trade id",), "product": ("product",), "side": ("side",),
    "created_at": ("created at",), "size": ("size",), "price": ("price",), "fee": ("fee",),
    "unit": ("price/fee/total unit",),
}  # fmt: skip
REQUIRED = ("trade_id", "product", "side", "created_at", "size", "price")
NOT_FILLS = "not a Coinbase fills report: no trade id, product, side, created at, size, price header"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_FILLS)
SIDES = {"buy": base.BUY, "sell": base.SELL}


def detect(head: str) -> bool:
    return TABLE.find(head, "portfolio") is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_fill)


def _fill(row: int, cells: base.Cells) -> base.Fill:
    side = base.one_of(SIDES, cells["side"], "the side {!r} is neither BUY nor SELL")
    coin, _, quote = cells["product"].upper().partition("-")
    quote = quote or cells["unit"].upper()
    if not coin or not quote:
        raise base.RowProblem(f"cannot tell the base and quote of the product {cells['product']!r}")
    quantity, price = base.size_and_price(cells["size"], cells["price"], ("size", "price"), signed=False)
    time = base.parse_time(cells["created_at"], (), UTC, "created at").astimezone(UTC)
    return base.spot_fill(
        row, coin, quote, time, side, quantity, price, commission=base.charge(cells["fee"]), exec_id=cells["trade_id"]
    )
