"""Coinbase "Transaction history" report CSV (Profile > Statements > Generate report, CSV): buys
and sells of a coin against a currency are spot fills; sends, receives, rewards, staking income,
conversions between coins, deposits and withdrawals are skipped.

The report names the coin (Asset) and the money of its price (Price Currency, the quote asset): the
instrument is the two together (`BTCEUR`) and the quote is the fill's currency. Its price is the
market price at the time; what the trader paid beyond it (Coinbase's fee and its spread) is the
difference between the Total and price x quantity, kept as the commission, so the trade's net P&L
is the cash it moved. Older reports have a few lines above the header and say "Spot Price".
Timestamps are UTC ("2022-03-25 06:45:27 UTC").
"""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "coinbase"
BROKER = "Coinbase"

COLUMNS = {
    "id": ("id",), "timestamp": ("timestamp",), "type": ("transaction type",), "asset": ("asset",),
    "quantity": ("quantity transacted",), "currency": ("price currency", "spot price currency"),
    "price": ("price at transaction", "spot price at transaction"),
    "total": ("total (inclusive of fees and/or spread)", "total (inclusive of fees)"),
    "fees": ("fees and/or spread", "fees"),
}  # fmt: skip
REQUIRED = ("timestamp", "type", "asset", "quantity", "currency", "price", "total")
NOT_COINBASE = "not a Coinbase transaction history: no Timestamp, Transaction Type, Asset, Quantity Transacted header"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_COINBASE, within=None)
SIDES = {"buy": base.BUY, "advanced trade buy": base.BUY, "sell": base.SELL, "advanced trade sell": base.SELL}
NOT_TRADES = {
    "send": "sent to another wallet", "receive": "received from another wallet",
    "convert": "a conversion between coins", "staking income": "staking income", "rewards income": "a reward",
    "learning reward": "a reward", "inflation reward": "a reward", "deposit": "a deposit", "withdrawal": "a withdrawal",
    "incentives rewards payout": "a reward", "coinbase earn": "a reward",
}  # fmt: skip
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%dT%H:%M:%SZ")


def detect(head: str) -> bool:
    return replace(TABLE, within=10).find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_fill)


def _fill(row: int, cells: base.Cells) -> base.Fill | base.Skip:
    kind = " ".join(cells["type"].lower().split())
    if kind not in SIDES:
        if kind in NOT_TRADES:
            return base.Skip(row, f"{NOT_TRADES[kind]}, not a trade")
        return base.Skip(row, f"{cells['type'] or 'a row without a transaction type'}, not a trade")
    side = SIDES[kind]
    coin, quote = cells["asset"].strip().upper(), cells["currency"].strip().upper()
    if not coin or not quote:
        raise base.RowProblem("the asset and its price currency are both needed")
    names = ("quantity transacted", "price at transaction")
    quantity, price = base.size_and_price(cells["quantity"], cells["price"], names)
    time = base.parse_time(cells["timestamp"].replace(" UTC", "Z"), TIME_FORMATS, UTC, "timestamp").astimezone(UTC)
    costs = _costs(cells, side, price * quantity)
    return base.spot_fill(row, coin, quote, time, side, quantity, price, commission=costs, exec_id=cells["id"])


def _costs(cells: base.Cells, side: str, value: Decimal) -> Decimal:
    """Fee and spread: what a buy's Total paid beyond the coins' value, or a sale's Total fell short of it."""
    total = base.parse_decimal(cells["total"])
    stated = abs(base.parse_decimal(cells["fees"]) or Decimal(0))
    if total is None:
        return stated
    costs = abs(total) - value if side == base.BUY else value - abs(total)
    return costs if costs >= 0 else stated
