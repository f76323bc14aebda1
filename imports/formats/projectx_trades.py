"""ProjectX "Trades" export (TopstepX and the other ProjectX prop firms: Trades tab > Export): one
round trip per row, read as an entry fill and an exit fill.

PnL is gross (price move x Size x point value), so it states the point value; Fees and Commissions
are the round trip's costs and go on the entry fill. Times carry their own offset
(`07/02/2026 10:10:08 -04:00`). The export names no account: its fills go to the broker's default
account or the one the import names. Id numbers the trade, not a fill: exec_id stays empty.
"""

from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "projectx_trades"
BROKER = "ProjectX"
TRADE_LEVEL = True

COLUMNS = {
    "id": ("id",), "contract": ("contractname",), "entered": ("enteredat",), "exited": ("exitedat",),
    "entry_price": ("entryprice",), "exit_price": ("exitprice",), "fees": ("fees",), "pnl": ("pnl",),
    "size": ("size",), "type": ("type",), "commissions": ("commissions",),
}  # fmt: skip
REQUIRED = ("contract", "entered", "exited", "entry_price", "exit_price", "size", "type")
MISSING_COLUMNS = (
    "a ProjectX Trades export needs the columns ContractName, EnteredAt, ExitedAt, EntryPrice, ExitPrice, Size, Type"
)
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS)
SIDES = {"long": (base.BUY, base.SELL), "short": (base.SELL, base.BUY)}
TIME_FORMATS = ("%m/%d/%Y %H:%M:%S %z", "%m/%d/%Y %H:%M:%S")
NONE = Decimal(0)


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_trade, tz)


def _trade(row: int, cells: base.Cells, tz: ZoneInfo) -> list[base.Fill]:
    sides = base.one_of(SIDES, cells["type"], "Type {!r} is not Long or Short")
    contract = cells["contract"].upper()
    if not contract:
        raise base.RowProblem("the contract is missing")
    size = base.require_decimal(cells["size"], "size")
    entry = base.require_decimal(cells["entry_price"], "entry price")
    exit_ = base.require_decimal(cells["exit_price"], "exit price")
    if size <= 0 or entry <= 0 or exit_ <= 0:
        raise base.RowProblem("the size and both prices must be above 0")
    common = {
        "row": row, "instrument": contract, "quantity": size, "asset_class": base.FUTURE,
        "multiplier": base.implied_multiplier(base.parse_decimal(cells["pnl"]), exit_ - entry, size),
    }  # fmt: skip
    opening = base.Fill(
        **common, time=base.parse_time(cells["entered"], TIME_FORMATS, tz, "entry time"), side=sides[0],
        price=entry, commission=base.parse_decimal(cells["commissions"]) or NONE,
        fees=base.parse_decimal(cells["fees"]) or NONE, effect=base.OPEN,
    )  # fmt: skip
    closing = base.Fill(
        **common, time=base.parse_time(cells["exited"], TIME_FORMATS, tz, "exit time"), side=sides[1], price=exit_,
        effect=base.CLOSE,
    )  # fmt: skip
    return [opening, closing]
