"""TradeNote's trade export (Daily or Trades page > Export > CSV): one trade a row, read as an entry
fill and, for a closed trade, an exit fill (journal_rows.py).

TradeNote writes each trade object's fields in order, separated by `;`, unquoted: `id;account;
broker;td;currency;type;side;strategy;buyQuantity;sellQuantity;symbol;...;entryTime;exitTime;
entryPrice;exitPrice;commissionOpen;commission;...;note;executions;openPosition;...`. Times are Unix
seconds (UTC); `strategy` is long or short; `commission` and the regulatory fees (sec, taf, nscc,
nasdaq, ecnRemove, ecnAdd) are the trade's totals; `grossProceeds` states a future's point value.
An open position has exitTime 0. Tags are written as objects TradeNote cannot print and are not
read.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base, journal_rows

NAME = "tradenote"
BROKER = "TradeNote"
TRADE_LEVEL = True

FEES = ("sec", "taf", "nscc", "nasdaq", "ecnremove", "ecnadd")
COLUMNS = {
    name: (name,)
    for name in (
        "id", "account", "currency", "type", "strategy", "buyquantity", "sellquantity", "symbol", "entrytime",
        "exittime", "entryprice", "exitprice", "commission", "grossproceeds", "note", "openposition", *FEES,
    )
}  # fmt: skip
REQUIRED = ("id", "strategy", "buyquantity", "sellquantity", "symbol", "entrytime", "exittime", "entryprice")
NOT_TRADENOTE = "not a TradeNote export: no id;...;strategy;buyQuantity;sellQuantity;symbol;...;entryTime header"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_TRADENOTE, delimiter=";")
ASSET_CLASSES = {"stock": base.STOCK, "future": base.FUTURE, "option": base.OPTION, "forex": base.FOREX}
LATEST = 253402300799  # 9999-12-31 23:59:59 UTC: a larger number is not a time


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_fills)


def _fills(row: int, cells: base.Cells) -> list[base.Fill]:
    side = cells["strategy"].strip().lower()
    quantity = base.require_decimal(cells["sellquantity" if side == "short" else "buyquantity"], "quantity")
    entry_price = base.require_decimal(cells["entryprice"], "entry price")
    exit_seconds = base.parse_decimal(cells["exittime"]) or 0
    closed = exit_seconds > 0 and cells["openposition"].strip().lower() != "true"
    exit_price = base.require_decimal(cells["exitprice"], "exit price") if closed else None
    account = cells["account"].strip()
    trade = journal_rows.RoundTrip(
        row=row,
        instrument=cells["symbol"].strip().upper(),
        side=side,
        quantity=abs(quantity),
        entry_time=_time(cells["entrytime"], "entry time"),
        entry_price=entry_price,
        exit_time=_time(cells["exittime"], "exit time") if closed else None,
        exit_price=exit_price,
        commission=base.charge(cells["commission"]),
        fees=sum((base.charge(cells[name]) for name in FEES), Decimal(0)),
        multiplier=journal_rows.point_value(
            base.parse_decimal(cells["grossproceeds"]), side, entry_price, exit_price, abs(quantity)
        ),
        asset_class=ASSET_CLASSES.get(cells["type"].strip().lower(), ""),
        account=base.AccountRef(number=account, currency=cells["currency"].strip() or None) if account else None,
        notes=cells["note"] or None,
    )
    return journal_rows.fills(trade)


def _time(text: str, what: str) -> datetime:
    seconds = base.require_decimal(text, what)
    if not 0 < seconds <= LATEST:
        raise base.RowProblem(f"the {what} {text!r} is not a Unix time")
    return datetime.fromtimestamp(int(seconds), tz=UTC)
