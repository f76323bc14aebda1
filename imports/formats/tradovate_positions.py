"""Tradovate "Position History" report (Reports > Position History > Download CSV): one row per pair
of a buy fill and a sell fill (FIFO), read as an entry fill and an exit fill, whichever came first
entering (a tie goes by fill ID, which Tradovate numbers in time order).

P/L is the money column and it is gross: (sell - buy) * paired quantity * point value, so it states
the point value whenever the price moved. A fill can be split across several pairs, so its Fill ID
does not name one paired part: exec_id stays empty and duplicates are found by content. The layout
differs between versions (with or without the _priceFormat columns); columns are read by name.
"""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from imports.formats import base
from imports.formats.tradovate_orders import TIME_FORMATS

NAME = "tradovate_positions"
BROKER = "Tradovate"
TRADE_LEVEL = True

COLUMNS = {
    "position_id": ("position id",), "account": ("account",), "contract": ("contract",), "pair_id": ("pair id",),
    "buy_fill_id": ("buy fill id",), "sell_fill_id": ("sell fill id",), "paired_qty": ("paired qty",),
    "buy_price": ("buy price",), "sell_price": ("sell price",), "pnl": ("p/l",), "currency": ("currency",),
    "bought_time": ("bought timestamp",), "sold_time": ("sold timestamp",),
}  # fmt: skip
REQUIRED = ("contract", "paired_qty", "buy_price", "sell_price", "bought_time", "sold_time")
MISSING_COLUMNS = (
    "a Tradovate Position History needs the columns Contract, Paired Qty, Buy Price, Sell Price, "
    "Bought Timestamp, Sold Timestamp"
)
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS)


def detect(head: str) -> bool:
    return TABLE.find(head, "position_id") is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(read_pair, tz)


def read_pair(row: int, cells: base.Cells, tz: ZoneInfo) -> list[base.Item]:
    """A row pairing a buy fill and a sell fill as its entry and exit fills (the Performance report
    pairs them the same way under other column names: tradovate_performance.py)."""
    quantity = base.parse_decimal(cells["paired_qty"])
    if quantity is None and not cells["bought_time"] and not cells["sold_time"]:
        return [base.Skip(row, "position still open: no buy and sell paired in this row")]
    if quantity is None or quantity <= 0:
        raise base.RowProblem("the paired quantity must be above 0")
    contract = base.require_text(cells["contract"].upper(), "contract")
    buy = base.require_decimal(cells["buy_price"], "buy price")
    sell = base.require_decimal(cells["sell_price"], "sell price")
    if buy <= 0 or sell <= 0:
        raise base.RowProblem("prices must be above 0")
    bought = base.parse_time(cells["bought_time"], TIME_FORMATS, tz, "bought timestamp")
    sold = base.parse_time(cells["sold_time"], TIME_FORMATS, tz, "sold timestamp")
    pnl = base.parse_decimal(cells["pnl"])
    account = cells["account"]
    common = {
        "row": row,
        "instrument": contract,
        "quantity": quantity,
        "account": base.AccountRef(number=account, currency=cells["currency"] or None) if account else None,
        "multiplier": base.implied_multiplier(pnl, sell - buy, quantity) if pnl is not None else None,
        "asset_class": base.FUTURE,
    }
    buy_fill = {**common, "time": bought, "side": base.BUY, "price": buy}
    sell_fill = {**common, "time": sold, "side": base.SELL, "price": sell}
    long = (bought, _id(cells["buy_fill_id"])) <= (sold, _id(cells["sell_fill_id"]))
    entry, exit_ = (buy_fill, sell_fill) if long else (sell_fill, buy_fill)
    return [base.Fill(**entry, effect=base.OPEN), base.Fill(**exit_, effect=base.CLOSE)]


def _id(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 30 else 0
