"""NinjaTrader 8 "Trades" grid export (Trade Performance > Trades > Export): one round trip per row,
read as an entry fill and an exit fill. Locale, dates and hidden columns as in ninjatrader.py.

Profit is the money column and it is net: price move * quantity * point value, less commission and
fees. The row's costs (Commission plus any Clearing/Exchange/IP/NFA Fee columns) go on the entry
fill. Where the table of futures roots knows the contract, a few dollars a contract that Profit
took off beyond the listed costs are fees the grid did not show, and are added to them; where the
table does not know it, or Profit is far from what the table implies, the point value is read from
Profit (the money is right).
"""

from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base, ninjatrader
from journal import multipliers

NAME = "ninjatrader_trades"
BROKER = "NinjaTrader"
TRADE_LEVEL = True

COLUMNS = {
    "instrument": ("instrument",), "account": ("account", "account display name", "account name"),
    "market_pos": ("market pos", "market position"), "quantity": ("qty", "quantity"),
    "entry_price": ("entry price",), "exit_price": ("exit price",), "entry_time": ("entry time",),
    "exit_time": ("exit time",), "profit": ("profit",), "commission": ("commission",),
    "clearing_fee": ("clearing fee",), "exchange_fee": ("exchange fee",), "ip_fee": ("ip fee",),
    "nfa_fee": ("nfa fee",),
}  # fmt: skip
REQUIRED = ("instrument", "market_pos", "quantity", "entry_price", "exit_price", "entry_time", "exit_time")
FEE_COLUMNS = ("clearing_fee", "exchange_fee", "ip_fee", "nfa_fee")
SIDES = {"long": (base.BUY, base.SELL), "short": (base.SELL, base.BUY)}
# Exchange, clearing and NFA fees of a futures round trip stay within a few dollars a contract.
UNLISTED_FEES_PER_CONTRACT = Decimal(10)

MISSING_COLUMNS = (
    "a NinjaTrader Trades export needs the columns Instrument, Market pos., Qty, Entry price, Exit price, "
    "Entry time, Exit time"
)
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=MISSING_COLUMNS, delimiter=None)


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from ninjatrader.read_grid(TABLE.read(text), "entry_time", _fills, tz)


def _fills(row: int, cells: base.Cells, *, semicolons: bool, formats: tuple[str, ...], tz: ZoneInfo) -> list[base.Fill]:
    def number(name: str) -> Decimal | None:
        return base.parse_local_decimal(cells[name], semicolons=semicolons)

    def required(name: str, what: str) -> Decimal:
        value = number(name)
        if value is None:
            raise base.RowProblem(f"the {what} is missing")
        return value

    position = cells["market_pos"].lower()
    if position not in SIDES:
        raise base.RowProblem(f"the market position {cells['market_pos']!r} is not Long or Short")
    entry_side, exit_side = SIDES[position]
    instrument = cells["instrument"].upper()
    if not instrument:
        raise base.RowProblem("the instrument is missing")
    quantity = abs(required("quantity", "quantity"))
    entry_price = required("entry_price", "entry price")
    exit_price = required("exit_price", "exit price")
    if quantity == 0 or entry_price <= 0 or exit_price <= 0:
        raise base.RowProblem("quantity and prices must be above 0")
    commission = abs(number("commission") or Decimal(0))
    fees = sum((abs(number(name) or Decimal(0)) for name in FEE_COLUMNS), Decimal(0))
    asset_class = ninjatrader.asset_class(instrument)
    points = (exit_price - entry_price) if entry_side == base.BUY else (entry_price - exit_price)
    multiplier = None
    profit = number("profit")
    if profit is not None:
        multiplier, fees = _read_profit(instrument, asset_class, profit, points, quantity, commission, fees)
    account = cells["account"]
    common = {
        "row": row,
        "instrument": instrument,
        "quantity": quantity,
        "account": base.AccountRef(number=account) if account else None,
        "multiplier": multiplier,
        "asset_class": asset_class,
    }
    entry_time = base.parse_time(cells["entry_time"], formats, tz, "entry time")
    exit_time = base.parse_time(cells["exit_time"], formats, tz, "exit time")
    return [
        base.Fill(
            **common,
            time=entry_time,
            side=entry_side,
            price=entry_price,
            commission=commission,
            fees=fees,
            effect=base.OPEN,
        ),
        base.Fill(**common, time=exit_time, side=exit_side, price=exit_price, effect=base.CLOSE),
    ]


def _read_profit(
    instrument: str,
    asset_class: str,
    profit: Decimal,
    points: Decimal,
    quantity: Decimal,
    commission: Decimal,
    fees: Decimal,
) -> tuple[Decimal | None, Decimal]:
    """(multiplier stated by the money or None, fees) so that the trade's net P&L is the file's Profit."""
    gross = profit + commission + fees
    root = multipliers.futures_root(instrument, bare=asset_class == base.FUTURE)
    if root is None:
        return base.implied_multiplier(gross, points, quantity), fees
    unexplained = points * quantity * multipliers.FUTURES[root] - gross
    if unexplained == 0 or -(commission + fees) <= unexplained < 0:
        return None, fees  # as the table says (Profit written before costs, if below)
    if unexplained <= UNLISTED_FEES_PER_CONTRACT * quantity:
        return None, fees + unexplained
    return base.implied_multiplier(gross, points, quantity), fees
