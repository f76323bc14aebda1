"""Tradovate "Performance" report (Reports > Performance > Download CSV): one row per pair of a buy
fill and a sell fill, read as an entry fill and an exit fill exactly as the Position History report
(tradovate_positions.read_pair): the same pairs under camelCase column names, without an account.

pnl is gross money written as `$30.50` or `$(116.50)`; it states the point value. Times are local
with no zone (`tz`); duration is not read (the fills' times state it).
"""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from imports.formats import base, tradovate_positions

NAME = "tradovate_performance"
BROKER = "Tradovate"
TRADE_LEVEL = True

# The fields tradovate_positions.read_pair reads, by this report's names.
COLUMNS = {
    "contract": ("symbol",), "buy_fill_id": ("buyfillid",), "sell_fill_id": ("sellfillid",), "paired_qty": ("qty",),
    "buy_price": ("buyprice",), "sell_price": ("sellprice",), "pnl": ("pnl",), "bought_time": ("boughttimestamp",),
    "sold_time": ("soldtimestamp",),
}  # fmt: skip
REQUIRED = ("contract", "paired_qty", "buy_price", "sell_price", "bought_time", "sold_time")
MISSING_COLUMNS = (
    "a Tradovate Performance report needs the columns symbol, qty, buyPrice, sellPrice, boughtTimestamp, soldTimestamp"
)
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS)


def detect(head: str) -> bool:
    return TABLE.find(head, "buy_fill_id", "sell_fill_id") is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(tradovate_positions.read_pair, tz)
