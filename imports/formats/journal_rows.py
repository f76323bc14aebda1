"""A trade-level row of another journal's export (Tradervue, TradeTally, TradeNote) as fills: an
entry fill carrying what the row says about the trade and, once the trade is closed, an exit fill.
The row's costs go on the entry fill; the exit's time is not before the entry's. A row's gross P&L
states its point value, for the instruments the table of point values does not know."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from imports.formats import base

ENTRY_SIDE = {"long": base.BUY, "short": base.SELL}
EXIT_SIDE = {"long": base.SELL, "short": base.BUY}


@dataclass(frozen=True, slots=True)
class RoundTrip:
    row: int
    instrument: str
    side: str  # "long" | "short"
    quantity: Decimal
    entry_time: datetime
    entry_price: Decimal
    exit_time: datetime | None = None
    exit_price: Decimal | None = None
    commission: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    multiplier: Decimal | None = None
    asset_class: str = ""
    account: base.AccountRef | None = None
    notes: str | None = None
    tags: list[str] = field(default_factory=list)
    initial_risk: Decimal | None = None
    setup_type: str | None = None


def point_value(
    gross: Decimal | None, side: str, entry_price: Decimal, exit_price: Decimal | None, quantity: Decimal
) -> Decimal | None:
    """The point value the row's gross P&L states (gross / (price move x quantity)), or None where it
    states none or states 1 (a stock's, which the table gives anyway)."""
    if exit_price is None:
        return None
    move = exit_price - entry_price if side == "long" else entry_price - exit_price
    implied = base.implied_multiplier(gross, move, quantity)
    return implied if implied != 1 else None


def fills(trade: RoundTrip) -> list[base.Fill]:
    """The trade's entry fill and, when it has an exit, its exit fill; RowProblem for a row no trade can be."""
    if not trade.instrument:
        raise base.RowProblem("the symbol is missing")
    if trade.side not in ENTRY_SIDE:
        raise base.RowProblem(f"the side {trade.side!r} is not long or short")
    if trade.quantity <= 0 or trade.entry_price <= 0 or (trade.exit_price is not None and trade.exit_price < 0):
        raise base.RowProblem("quantity and prices must be above 0")
    if (trade.exit_time is None) != (trade.exit_price is None):
        raise base.RowProblem("an exit needs both its time and its price")
    common = {
        "row": trade.row,
        "instrument": trade.instrument,
        "quantity": trade.quantity,
        "account": trade.account,
        "multiplier": trade.multiplier,
        "asset_class": trade.asset_class,
    }
    annotations = {"setup_type": trade.setup_type, "notes": trade.notes or None, "tags": trade.tags}
    entry = base.Fill(
        **common,
        time=trade.entry_time,
        side=ENTRY_SIDE[trade.side],
        price=trade.entry_price,
        commission=trade.commission,
        fees=trade.fees,
        effect=base.OPEN,
        trade=annotations | {"initial_risk": trade.initial_risk or None},
    )
    if trade.exit_time is None:
        return [entry]
    if trade.exit_time < trade.entry_time:
        raise base.RowProblem("the trade closes before it opens")
    exit_fill = base.Fill(
        **common, time=trade.exit_time, side=EXIT_SIDE[trade.side], price=trade.exit_price, effect=base.CLOSE
    )
    return [entry, exit_fill]
