"""ProjectX "Orders" export (TopstepX and the other ProjectX prop firms: Orders tab > Export): one row
per order; a filled order is one fill at its ExecutePrice, every other order is skipped with its
status.

Side is Bid (buy) or Ask (sell); PositionDisposition states the effect (Opening, Closing). Times
carry their own offset. The order's Id is not an execution id: exec_id stays empty. The layout is
read as other journals' importers and their tests read it (TradeNote's TopstepX import, TradeTally's
detection tests): no real export of it is public.
"""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from imports.formats import base
from imports.formats.projectx_trades import TIME_FORMATS

NAME = "projectx_orders"
BROKER = "ProjectX"

COLUMNS = {
    "account": ("accountname",), "contract": ("contractname",), "status": ("status",), "size": ("size",),
    "side": ("side",), "filled": ("filledat",), "price": ("executeprice",), "disposition": ("positiondisposition",),
}  # fmt: skip
REQUIRED = ("contract", "status", "size", "side", "filled", "price")
MISSING_COLUMNS = "a ProjectX Orders export needs the columns ContractName, Status, Size, Side, FilledAt, ExecutePrice"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS)
SIDES = {"bid": base.BUY, "ask": base.SELL}
EFFECTS = {"opening": base.OPEN, "closing": base.CLOSE}


def detect(head: str) -> bool:
    return TABLE.find(head, "disposition") is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_order, tz)


def _order(row: int, cells: base.Cells, tz: ZoneInfo) -> base.Fill | base.Skip:
    if skip := base.unfilled(row, cells["status"]):
        return skip
    side = base.one_of(SIDES, cells["side"], "Side {!r} is not Bid or Ask")
    contract = base.require_text(cells["contract"].upper(), "contract")
    size, price = base.size_and_price(cells["size"], cells["price"], ("size", "execute price"), signed=False)
    account = cells["account"]
    return base.Fill(
        row=row, instrument=contract, time=base.parse_time(cells["filled"], TIME_FORMATS, tz, "fill time"), side=side,
        quantity=size, price=price, account=base.AccountRef(number=account) if account else None,
        asset_class=base.FUTURE, effect=EFFECTS.get(cells["disposition"].lower()),
    )  # fmt: skip
