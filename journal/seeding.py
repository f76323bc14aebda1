"""Realistic, reproducible demo journals, loaded in bulk (COPY on PostgreSQL): each trader's
accounts (one of futures with their point values, one in euros), tags, and trades."""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from journal.models import Account, Tag, Trade, TradeTag, compute_pnl, journals_changed


@dataclass(frozen=True)
class Instrument:
    symbol: str
    price: float  # typical
    unit: Decimal  # quantity step
    decimals: int  # of the price
    max_units: int
    multiplier: Decimal
    account: str  # key in ACCOUNTS


# key: (name, broker, currency, starting balance)
ACCOUNTS = {
    "main": ("Main", "Interactive Brokers", "USD", Decimal(25_000)),
    "futures": ("Futures", "Tradovate", "USD", Decimal(50_000)),
    "europe": ("Europe", "Interactive Brokers", "EUR", Decimal(20_000)),
}
_ONE = Decimal(1)
INSTRUMENTS = [
    Instrument("BTCUSDT", 65000, Decimal("0.001"), 2, 50, _ONE, "main"),
    Instrument("ETHUSDT", 3200, Decimal("0.01"), 2, 50, _ONE, "main"),
    Instrument("SOLUSDT", 150, Decimal("0.1"), 3, 50, _ONE, "main"),
    Instrument("EURUSD", 1.09, Decimal(1000), 5, 50, _ONE, "main"),
    Instrument("AAPL", 190, _ONE, 2, 50, _ONE, "main"),
    Instrument("TSLA", 240, _ONE, 2, 50, _ONE, "main"),
    Instrument("XAUUSD", 2300, Decimal("0.1"), 2, 50, _ONE, "main"),
    Instrument("ES", 5200, _ONE, 2, 5, Decimal(50), "futures"),
    Instrument("NQ", 18000, _ONE, 2, 3, Decimal(20), "futures"),
    Instrument("MNQ", 18000, _ONE, 2, 20, Decimal(2), "futures"),
    Instrument("SAP", 180, _ONE, 2, 50, _ONE, "europe"),
    Instrument("FESX", 5000, _ONE, 0, 5, Decimal(10), "europe"),
]
# Trades entered before the trader set up accounts: no account (so USD).
WITHOUT_ACCOUNT = 0.05
TAGS = [("A+ setup", "#2ca02c"), ("FOMO", "#d62728"), ("news", "#1f77b4"), ("scalp", None), ("swing", None),
        ("revenge", "#ff7f0e"), ("followed plan", "#17becf"), ("oversized", None)]  # fmt: skip
# How many tags a trade carries: 0, 1, 2 or 3, with these weights (0.68 a trade on average).
TAG_COUNT_WEIGHTS = [50, 35, 12, 3]
SETUPS = ["breakout", "pullback", "reversal", "range", "trend", "news", ""]
NOTES = ["", "", "", "Followed the plan", "Moved stop too early", "Strong momentum breakout", "Revenge trade"]
COLUMNS = ("user_id", "instrument", "side", "quantity", "entry_time", "entry_price", "exit_time", "exit_price",
           "stop_loss", "take_profit", "commission", "setup_type", "notes", "pnl", "net_pnl", "created_at",
           "updated_at", "account_id", "multiplier")  # fmt: skip
HISTORY = timedelta(days=730)
BATCH = 20_000


@dataclass
class SeedPlan:
    users: int
    trades_per_user: int
    heavy_user_trades: int = 0
    seed: int = 1
    username_prefix: str = "trader"


@dataclass
class Trader:
    user_id: int
    trades: int
    accounts: dict[str, int]  # ACCOUNTS key -> account id
    tags: list[int]  # tag ids, in TAGS order


def _trade_rows(rng: random.Random, trader: Trader, now: datetime) -> Iterator[tuple[tuple, list[int]]]:
    """(the trade's COLUMNS, its tag ids) for each of the trader's trades."""
    for _ in range(trader.trades):
        instrument = rng.choice(INSTRUMENTS)
        decimals = instrument.decimals
        entry = Decimal(str(round(instrument.price * rng.uniform(0.7, 1.3), decimals)))
        quantity = instrument.unit * rng.randint(1, instrument.max_units)
        side = "long" if rng.random() < 0.6 else "short"
        # Two years of history, with a fresher tail so the 30-day leaderboard has traders.
        age = HISTORY * (rng.random() ** 1.6)
        entry_time = now - age - timedelta(hours=rng.uniform(0, 72))
        is_open = rng.random() < 0.06
        exit_time = exit_price = None
        if not is_open:
            exit_time = min(now, entry_time + timedelta(minutes=rng.randint(1, 6000)))
            exit_price = Decimal(str(round(float(entry) * (1 + rng.gauss(0.0008, 0.012)), decimals)))
            exit_price = max(exit_price, Decimal(1).scaleb(-decimals))
        commission = (entry * quantity * Decimal("0.0004")).quantize(Decimal("0.01"))
        risk = entry * Decimal("0.01")
        stop_loss = (entry - risk if side == "long" else entry + risk) if rng.random() < 0.7 else None
        take_profit = (entry + 2 * risk if side == "long" else entry - 2 * risk) if rng.random() < 0.5 else None
        account_id = None if rng.random() < WITHOUT_ACCOUNT else trader.accounts[instrument.account]
        tags = rng.sample(trader.tags, rng.choices(range(len(TAG_COUNT_WEIGHTS)), TAG_COUNT_WEIGHTS)[0])
        pnl, net_pnl = compute_pnl(side=side, quantity=quantity, entry_price=entry, exit_price=exit_price,
                                   commission=commission, multiplier=instrument.multiplier)  # fmt: skip
        row = (
            trader.user_id, instrument.symbol, side, quantity, entry_time, entry, exit_time, exit_price, stop_loss,
            take_profit, commission, rng.choice(SETUPS), rng.choice(NOTES), pnl, net_pnl, entry_time,
            exit_time or entry_time, account_id, instrument.multiplier,
        )  # fmt: skip
        yield row, tags


def create_users(plan: SeedPlan) -> list[tuple[int, int]]:
    """(user id, trade count) per seeded trader; existing ones are reused."""
    User = get_user_model()
    wanted = [f"{plan.username_prefix}{i:05d}" for i in range(1, plan.users + 1)]
    if plan.heavy_user_trades:
        wanted.append(f"{plan.username_prefix}_heavy")
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    unusable = make_password(None)  # demo traders log in only after an operator sets a password
    User.objects.bulk_create(
        [User(username=name, password=unusable) for name in wanted if name not in existing], batch_size=5000
    )
    ids = dict(User.objects.filter(username__in=wanted).values_list("username", "id"))
    return [(ids[name], plan.heavy_user_trades if name.endswith("_heavy") else plan.trades_per_user) for name in wanted]


def create_traders(plan: SeedPlan) -> list[Trader]:
    """The plan's traders with their accounts and tags; existing ones are reused."""
    users = create_users(plan)
    user_ids = [user_id for user_id, _ in users]
    accounts = _ensure_named(Account, user_ids, {
        name: {"broker": broker, "currency": currency, "starting_balance": balance}
        for name, broker, currency, balance in ACCOUNTS.values()
    })  # fmt: skip
    tags = _ensure_named(Tag, user_ids, {name: {"color": color} for name, color in TAGS})
    return [
        Trader(
            user_id,
            count,
            {key: accounts[user_id, spec[0]] for key, spec in ACCOUNTS.items()},
            [tags[user_id, name] for name, _ in TAGS],
        )
        for user_id, count in users
    ]


def _ensure_named(model, user_ids: list[int], specs: dict[str, dict]) -> dict[tuple[int, str], int]:
    """{(user id, name): id} of each user's `model` record per name in `specs`, creating the missing."""

    def existing() -> dict[tuple[int, str], int]:
        rows = model.objects.filter(user_id__in=user_ids, name__in=specs).values_list("user_id", "name", "id")
        return {(user_id, name): pk for user_id, name, pk in rows}

    found = existing()
    missing = [model(user_id=user_id, name=name, **fields) for user_id in user_ids
               for name, fields in specs.items() if (user_id, name) not in found]  # fmt: skip
    if not missing:
        return found
    model.objects.bulk_create(missing, batch_size=5000)
    return existing()


def seed(plan: SeedPlan, *, progress: Callable[[int, int], None] = lambda done, total: None,
         now: datetime | None = None) -> int:  # fmt: skip
    """Loads the plan's trades (with their tags); returns how many. Reproducible for a given seed and `now`."""
    now = now or timezone.now()
    rng = random.Random(plan.seed)  # noqa: S311  (demo data, reproducible by design)
    load = _load_by_copy if connection.vendor == "postgresql" else _load_by_bulk_create
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    with transaction.atomic():
        traders = create_traders(plan)
        total = sum(trader.trades for trader in traders)
        rows = (row for trader in traders for row in _trade_rows(rng, trader, now))
        load(_batches(rows, BATCH), advance)
        journals_changed(trader.user_id for trader in traders)
    return done


def _batches(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _text(value) -> str:
    """A COPY text field. Seeded strings come from the fixed vocabularies above, which hold no
    tab, newline or backslash, so they need no escaping."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


TRADES_COPY = f"COPY {Trade._meta.db_table} (id, {', '.join(COLUMNS)}) FROM STDIN"
TAGS_COPY = f"COPY {TradeTag._meta.db_table} (trade_id, tag_id) FROM STDIN"
# Ids taken from the trades' own sequence, so the tags can name their trades in the same pass.
TRADE_IDS_SQL = "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)"


def copy_payloads(ids: list[int], batch: list[tuple[tuple, list[int]]]) -> tuple[str, str]:
    """The COPY text of a batch of trades with these ids, and of their tags."""
    pairs = list(zip(ids, batch, strict=True))
    trades = "".join([f"{trade_id}\t{chr(9).join(map(_text, row))}\n" for trade_id, (row, _) in pairs])
    tags = "".join([f"{trade_id}\t{tag_id}\n" for trade_id, (_, tag_ids) in pairs for tag_id in tag_ids])
    return trades, tags


def _load_by_copy(batches: Iterator[list[tuple]], progress: Callable[[int], None]) -> None:
    with connection.cursor() as cursor:
        for batch in batches:
            cursor.execute(TRADE_IDS_SQL, [Trade._meta.db_table, len(batch)])
            trades, tags = copy_payloads([trade_id for (trade_id,) in cursor.fetchall()], batch)
            with cursor.cursor.copy(TRADES_COPY) as copy:
                copy.write(trades)
            with cursor.cursor.copy(TAGS_COPY) as copy:
                copy.write(tags)
            progress(len(batch))


def _load_by_bulk_create(batches: Iterator[list[tuple]], progress: Callable[[int], None]) -> None:
    for batch in batches:
        trades = Trade.objects.bulk_create(
            (Trade(**dict(zip(COLUMNS, row, strict=True))) for row, _ in batch), batch_size=2000
        )
        TradeTag.objects.bulk_create(
            (TradeTag(trade_id=trade.pk, tag_id=tag_id) for trade, (_, tag_ids) in zip(trades, batch, strict=True)
             for tag_id in tag_ids), batch_size=5000,
        )  # fmt: skip
        progress(len(batch))
