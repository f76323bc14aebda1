"""The demo trader's journal: about three months of a day trader's work, so the first page a
newcomer opens is full.

The trades come the way a trader's do: as two broker exports written in the brokers' own layouts
(a Tradovate Orders report of futures day trades, a Webull orders export of stock trades), each
read by the real importer into its own account. Then the journaling a trader adds: tags, setups,
notes and initial risk on some trades, and notes on some days. Everything is drawn from a seeded
random generator, so two runs give the same journal.
"""

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from core import versions
from daynotes.services import day_note_put
from imports.apply import import_run
from imports.models import Import
from imports.services import import_create
from journal.models import Account, Trade
from journal.tagging import tags_get_or_create

EXCHANGE = ZoneInfo("America/New_York")
DAYS = 90
FUTURES_ACCOUNT = "DEMO1042"


@dataclass(frozen=True)
class Contract:
    root: str
    description: str
    start: Decimal
    tick: Decimal
    point_value: Decimal
    most: int  # contracts a trade takes at most


CONTRACTS = (
    Contract("ES", "E-mini S&P 500", Decimal("6050"), Decimal("0.25"), Decimal(50), 2),
    Contract("NQ", "E-mini NASDAQ-100", Decimal("21400"), Decimal("0.25"), Decimal(20), 1),
    Contract("MNQ", "Micro E-mini NASDAQ-100", Decimal("21400"), Decimal("0.25"), Decimal(2), 5),
)
STOCKS = {"AAPL": Decimal("228"), "NVDA": Decimal("142"), "AMD": Decimal("158"), "TSLA": Decimal("251")}
TAGS = ("A+ setup", "breakout", "pullback", "news", "FOMO", "revenge trade")
SETUPS = ("Opening range breakout", "VWAP reclaim", "Trend pullback", "Failed breakdown")
NOTES = (
    "Waited for the retest this time; entry was clean.",
    "Chased the move after the first push. Size was too big for the stop.",
    "Took profit at the prior day's high, as planned.",
    "Moved the stop to break-even too early and got shaken out.",
    "News spike: should have stood aside until the first five minutes closed.",
)
DAY_NOTES = (
    "## Plan\n- Trade only the opening range and VWAP reclaims\n- Max 3 trades, stop after 2 losses\n\n"
    "**Review:** stuck to the plan until lunch.",
    "Choppy open after CPI. *Sat out the first 30 minutes*, which was right.",
    "Two losers in a row on NQ, then a revenge trade. Next time: walk away after the second stop.",
    "Best day this month: let the runner work instead of scaling out at 1R.",
    "Quiet tape, small size. Nothing to add to the playbook.",
)


def fill_journal(user, *, seed: int = 7, today: date | None = None) -> int:
    """Imports the demo files for `user` and annotates the trades; the number of trades made."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible journal, not a secret
    days = _trading_days(today or timezone.localdate())
    # The futures file names its account by number: this one, which the import then fills.
    Account.objects.create(
        user=user, name="Futures", broker="Tradovate", external_id=FUTURES_ACCOUNT, starting_balance=Decimal(50000)
    )
    stocks = Account.objects.create(user=user, name="Stocks", broker="Webull", starting_balance=Decimal(25000))
    _import(user, "Orders.csv", tradovate_orders(rng, days), tz="America/New_York", account=None)
    _import(user, "Webull_Orders_Records.csv", webull_orders(rng, days), tz="UTC", account=stocks)
    _annotate(user, rng)
    for day in days[-3:] + rng.sample(days[:-3], min(len(days) - 3, 9)):  # the last days, and some before
        day_note_put(user=user, day=day, body=rng.choice(DAY_NOTES))
    return Trade.objects.filter(user=user).count()


def _trading_days(today: date) -> list[date]:
    start = today - timedelta(days=DAYS)
    return [start + timedelta(days=n) for n in range(DAYS) if (start + timedelta(days=n)).weekday() < 5]


def _import(user, filename: str, text: str, *, tz: str, account: Account | None) -> None:
    imp = import_create(user=user, data=text.encode(), filename=filename, tz=tz, account=account, enqueue=False)
    imp = import_run(import_id=imp.pk) or imp
    if imp.status != Import.Status.SUCCEEDED:
        raise RuntimeError(f"the demo's {filename} did not import: {imp.errors[:3]}")


def _session_time(rng: random.Random, day: date, earliest: time, latest: time) -> datetime:
    first = datetime.combine(day, earliest, EXCHANGE)
    span = (datetime.combine(day, latest, EXCHANGE) - first).total_seconds()
    return first + timedelta(seconds=rng.randrange(int(span)))


def tradovate_orders(rng: random.Random, days: list[date]) -> str:
    """A Tradovate Orders report (the layout of tests/data/imports/tradovate_orders/orders.csv):
    two to five round trips a day, each an entry and an exit order, and now and then a cancelled
    bracket order."""
    header = [
        "orderId", "Account", "Order ID", "B/S", "Contract", "Product", "Product Description", "avgPrice", "filledQty",
        "Fill Time", "lastCommandId", "Status", "_priceFormat", "_priceFormatType", "_tickSize", "spreadDefinitionId",
        "Version ID", "Timestamp", "Date", "Quantity", "Text", "Type", "Limit Price", "Stop Price", "decimalLimit",
        "decimalStop", "Filled Qty", "Avg Fill Price", "decimalFillAvg", "Venue", "Notional Value", "Currency",
    ]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    prices = {c.root: c.start for c in CONTRACTS}
    order_id = 537_862_110_000
    for day in days:
        for _ in range(rng.randint(2, 5)):
            c = rng.choice(CONTRACTS)
            prices[c.root] += c.tick * rng.randint(-60, 60)
            quantity = rng.randint(1, c.most)
            entry_at = _session_time(rng, day, time(9, 31), time(15, 20))
            exit_at = entry_at + timedelta(seconds=rng.randint(60, 45 * 60))
            buy_first = rng.random() < 0.6
            ticks = rng.choice((-12, -8, -8, -6, -4, 4, 6, 8, 10, 14, 16, 24))  # a small edge, fat winners
            entry = prices[c.root]
            exit_price = entry + c.tick * ticks * (1 if buy_first else -1)
            for side, price, at in (
                ("Buy" if buy_first else "Sell", entry, entry_at),
                ("Sell" if buy_first else "Buy", exit_price, exit_at),
            ):
                order_id += rng.randint(3, 40)
                writer.writerow(_tradovate_row(c, order_id, day, side, price, quantity, at, "Filled"))
            if rng.random() < 0.3:  # the bracket's other leg, cancelled when the exit filled
                order_id += 1
                writer.writerow(_tradovate_row(c, order_id, day, "Sell" if buy_first else "Buy", None, quantity,
                                               exit_at, "Canceled"))  # fmt: skip
    return out.getvalue()


def _tradovate_row(
    c: Contract, order_id: int, day: date, side: str, price: Decimal | None, quantity: int, at: datetime, status: str
) -> list[str]:
    contract = f"{c.root}{_front_month(day)}"
    local = f"{at:%m/%d/%Y %H:%M:%S}"
    filled = status == "Filled"
    price_text = f"{price:.2f}" if filled else ""
    notional = f"{price * quantity * c.point_value:,.2f}" if filled else ""
    return [
        str(order_id), FUTURES_ACCOUNT, str(order_id), f" {side}", contract, c.root, c.description, price_text,
        str(quantity) if filled else "", local if filled else "", str(order_id), f" {status}", "-2", "0",
        str(c.tick), "", str(order_id), local, f"{day.month}/{day.day}/{day:%y}", str(quantity),
        "multibracket" if not filled else "Chart", " Market" if filled else " Limit", "", "", "", "",
        str(quantity) if filled else "", price_text, price_text, "", notional, "USD",
    ]  # fmt: skip


def _front_month(day: date) -> str:
    """The quarterly contract trading on `day`: H, M, U, Z, rolled in the month it expires."""
    for month, code in ((3, "H"), (6, "M"), (9, "U"), (12, "Z")):
        if day.month < month or (day.month == month and day.day < 10):
            return f"{code}{day.year % 10}"
    return f"H{(day.year + 1) % 10}"


def webull_orders(rng: random.Random, days: list[date]) -> str:
    """A Webull orders export (the layout of tests/data/imports/webull/webull_orders.csv): a stock
    trade on about half the days, bought and sold within the session, times in New York's zone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Name", "Symbol", "Side", "Status", "Filled", "Total Qty", "Price", "Avg Price",
                     "Time-in-Force", "Placed Time", "Filled Time"])  # fmt: skip
    prices = dict(STOCKS)
    rows = []
    for day in days:
        if rng.random() < 0.5:
            continue
        symbol = rng.choice(sorted(prices))
        prices[symbol] = max(Decimal(5), prices[symbol] * Decimal(1 + rng.uniform(-0.03, 0.03))).quantize(
            Decimal("0.01")
        )
        quantity = rng.choice((10, 20, 25, 50, 100))
        entry_at = _session_time(rng, day, time(9, 35), time(14, 30))
        exit_at = entry_at + timedelta(seconds=rng.randint(5 * 60, 90 * 60))
        exit_price = (prices[symbol] * Decimal(1 + rng.uniform(-0.012, 0.016))).quantize(Decimal("0.01"))
        for side, price, at in (("Buy", prices[symbol], entry_at), ("Sell", exit_price, exit_at)):
            stamp = f"{at:%m/%d/%Y %H:%M:%S} {at.tzname()}"
            rows.append(
                [symbol, symbol, side, "Filled", quantity, quantity, f"{price}", f"{price}", "DAY", stamp, stamp]
            )
    writer.writerows(reversed(rows))  # Webull lists the newest first
    return out.getvalue()


@transaction.atomic
def _annotate(user, rng: random.Random) -> None:
    trades = list(Trade.objects.filter(user=user).order_by("entry_time", "id"))
    tags = {tag.name: tag for tag in tags_get_or_create(user_id=user.pk, names=TAGS)}
    links = []
    for trade in trades:
        if rng.random() < 0.6:
            trade.setup_type = rng.choice(SETUPS)
        if rng.random() < 0.2:
            trade.notes = rng.choice(NOTES)
        if rng.random() < 0.5 and trade.quantity and trade.entry_price:
            trade.initial_risk = (trade.entry_price * trade.quantity * (trade.multiplier or 1) / 400).quantize(
                Decimal("0.01")
            )
        if rng.random() < 0.4:
            links += [Trade.tags.through(trade_id=trade.pk, tag_id=tags[name].pk) for name in rng.sample(TAGS, 2)]
    Trade.objects.bulk_update(trades, ["setup_type", "notes", "initial_risk"], batch_size=500)
    Trade.tags.through.objects.bulk_create(links, ignore_conflicts=True)
    versions.changed(user.pk)
