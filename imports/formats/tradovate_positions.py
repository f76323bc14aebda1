"""Tradovate "Position History" report: one row per pair of a buy fill and a sell fill (FIFO), read
as an entry fill and an exit fill, whichever came first entering (a tie goes by fill ID, which
Tradovate numbers in time order).

P/L is the money column and it is gross: (sell - buy) * paired quantity * point value, so it states
the point value whenever the price moved. A fill can be split across several pairs, so its Fill ID
does not name one paired part: exec_id stays empty and duplicates are found by content. The layout
differs between versions (with or without the _priceFormat columns); columns are read by name.
"""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "tradovate_positions"
BROKER = "Tradovate"
TRADE_LEVEL = True

COLUMNS = {
    "position_id": ("position id",),
    "account": ("account",),
    "contract": ("contract",),
    "pair_id": ("pair id",),
    "buy_fill_id": ("buy fill id",),
    "sell_fill_id": ("sell fill id",),
    "paired_qty": ("paired qty",),
    "buy_price": ("buy price",),
    "sell_price": ("sell price",),
    "pnl": ("p/l",),
    "currency": ("currency",),
    "bought_time": ("bought timestamp",),
    "sold_time": ("sold timestamp",),
}
REQUIRED = ("contract", "paired_qty", "buy_price", "sell_price", "bought_time", "sold_time")
TIME_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M:%S")

MISSING_COLUMNS = (
    "a Tradovate Position History needs the columns Contract, Paired Qty, Buy Price, Sell Price, "
    "Bought Timestamp, Sold Timestamp"
)


def detect(head: str) -> bool:
    try:
        first = next(base.csv_rows(head), None)
    except base.FormatError:
        return False
    return first is not None and {"position_id", *REQUIRED} <= base.find_columns(first[1], COLUMNS).keys()


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    first = next(base.csv_rows(text), None)
    columns = base.find_columns(first[1], COLUMNS) if first else {}
    if not set(REQUIRED) <= columns.keys():
        raise base.FormatError(MISSING_COLUMNS)
    header_row, header = first
    for row, cells in base.csv_rows(text):
        if row <= header_row or cells == header:
            continue
        yield from base.read_row(row, _pair, row, cells, columns, tz)


def _pair(row: int, cells: list[str], columns: dict[str, int], tz: ZoneInfo) -> list[base.Item]:
    def text(name: str) -> str:
        return base.cell(cells, columns.get(name))

    quantity = base.parse_decimal(text("paired_qty"))
    if quantity is None and not text("bought_time") and not text("sold_time"):
        return [base.Skip(row, "position still open: no buy and sell paired in this row")]
    if quantity is None or quantity <= 0:
        raise base.RowProblem("the paired quantity must be above 0")
    contract = text("contract").upper()
    if not contract:
        raise base.RowProblem("the contract is missing")
    buy = base.require_decimal(text("buy_price"), "buy price")
    sell = base.require_decimal(text("sell_price"), "sell price")
    if buy <= 0 or sell <= 0:
        raise base.RowProblem("prices must be above 0")
    bought = base.parse_time(text("bought_time"), TIME_FORMATS, tz, "bought timestamp")
    sold = base.parse_time(text("sold_time"), TIME_FORMATS, tz, "sold timestamp")
    pnl = base.parse_decimal(text("pnl"))
    account = text("account")
    common = {
        "row": row,
        "instrument": contract,
        "quantity": quantity,
        "account": base.AccountRef(number=account, currency=text("currency") or None) if account else None,
        "multiplier": base.implied_multiplier(pnl, sell - buy, quantity) if pnl is not None else None,
        "asset_class": base.FUTURE,
    }
    buy_fill = {**common, "time": bought, "side": base.BUY, "price": buy}
    sell_fill = {**common, "time": sold, "side": base.SELL, "price": sell}
    long = (bought, _id(text("buy_fill_id"))) <= (sold, _id(text("sell_fill_id")))
    entry, exit_ = (buy_fill, sell_fill) if long else (sell_fill, buy_fill)
    return [base.Fill(**entry, effect=base.OPEN), base.Fill(**exit_, effect=base.CLOSE)]


def _id(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 30 else 0
