"""Firstrade account history CSV (Accounts > History > Download Account History): Trade records are
fills, Financial records (wires, sweeps, interest, dividends) are skipped.

Cells are padded with spaces; an option has no symbol and is named in its description ("PUT  IAG
02/21/25  6 ... OPEN CONTRACT"), written as its OCC symbol with 100 shares a contract. A Treasury
or other bond (no symbol, no option) is skipped: its price is per 100 of face value. Dates only,
unless the description holds "EXEC TIME: 2026-05-07 16:28:38" (a time in the import's `tz`);
otherwise times as dated.py sets them, oldest first as Firstrade lists. Firstrade does not list one
day's rows of an instrument in the order they happened: the day's buys go first when they outweigh
its sales, its sales first otherwise, so a partial close never reads as a short.
"""

import re
from collections.abc import Iterator
from dataclasses import replace
from itertools import groupby
from zoneinfo import ZoneInfo

from imports.formats import base, dated, us_options

NAME = "firstrade"
BROKER = "Firstrade"

COLUMNS = {
    "symbol": ("symbol",), "quantity": ("quantity",), "price": ("price",), "action": ("action",),
    "description": ("description",), "trade_date": ("tradedate",), "settled": ("settleddate",),
    "amount": ("amount",), "commission": ("commission",), "fee": ("fee",), "record_type": ("recordtype",),
}  # fmt: skip
REQUIRED = ("symbol", "quantity", "price", "action", "description", "trade_date", "settled", "record_type")
NOT_FIRSTRADE = "not a Firstrade account history: no Symbol, Quantity, Price, Action, TradeDate, RecordType header"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_FIRSTRADE)
SIDES = {"buy": base.BUY, "sell": base.SELL}
_OPTION = re.compile(r"^(?P<right>PUT|CALL) (?P<root>[A-Z.]+) (?P<expiry>\d\d/\d\d/\d\d) (?P<strike>\d+(?:\.\d+)?)\b")
_EXEC_TIME = re.compile(r"EXEC TIME: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from dated.timed(_in_order(list(TABLE.read(text).read(_read, tz))), tz, newest_first=False)


def _read(row: int, cells: base.Cells, tz: ZoneInfo) -> "dated.Dated | base.Fill | base.Skip":
    record_type, action = cells["record_type"].strip(), cells["action"].strip()
    if record_type.lower() != "trade":
        return base.Skip(row, f"{record_type or 'untyped'} record ({action or 'no action'}), not a trade")
    side = SIDES.get(action.lower())
    if side is None:
        raise base.RowProblem(f"the action {action!r} of a Trade record is neither BUY nor SELL")
    description = " ".join(cells["description"].upper().split())
    option = _OPTION.match(description)
    symbol = cells["symbol"].strip().upper()
    if not symbol and not option:
        return base.Skip(row, "a bond (price per 100 of face value), not imported")
    quantity, price = base.size_and_price(cells["quantity"], cells["price"])
    effect = None
    if option:
        symbol = us_options.named(option, ("%m/%d/%y",))
        effect = (
            base.CLOSE if "CLOSING CONTRACT" in description else base.OPEN if "OPEN CONTRACT" in description else None
        )
    fill = us_options.fill(
        row, symbol, side, quantity, price, option=bool(option), commission=base.charge(cells["commission"]),
        fees=base.charge(cells["fee"]), effect=effect,
    )  # fmt: skip
    exec_time = _EXEC_TIME.search(description)
    if exec_time:
        return replace(fill, time=base.parse_time(exec_time.group(1), (), tz, "exec time"))
    return dated.Dated(fill, dated.parse_day(cells["trade_date"], ("%Y-%m-%d",), "trade date"))


def _in_order(items: list) -> list:
    """The rows oldest first, one day's rows of an instrument buys or sales first by the day's net flow."""
    fills = sorted((item for item in items if isinstance(item, dated.Dated)), key=_day_and_instrument)
    arranged = []
    for _, group in groupby(fills, key=_day_and_instrument):
        group = list(group)
        net = sum(item.fill.quantity if item.fill.side == base.BUY else -item.fill.quantity for item in group)
        first = base.BUY if net >= 0 else base.SELL
        arranged.extend(sorted(group, key=lambda item: item.fill.side != first))  # stable otherwise
    return arranged + [item for item in items if not isinstance(item, dated.Dated)]


def _day_and_instrument(item: dated.Dated) -> tuple:
    return item.day, item.fill.instrument
