"""Realistic, reproducible demo journals, loaded in bulk (COPY on PostgreSQL)."""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from journal.models import Trade, compute_pnl, journals_changed

# (symbol, typical price, quantity scale, price decimals)
INSTRUMENTS = [
    ("BTCUSDT", 65000, Decimal("0.001"), 2), ("ETHUSDT", 3200, Decimal("0.01"), 2),
    ("SOLUSDT", 150, Decimal("0.1"), 3), ("EURUSD", 1.09, Decimal("1000"), 5), ("ES", 5200, Decimal("1"), 2),
    ("NQ", 18000, Decimal("1"), 2), ("AAPL", 190, Decimal("1"), 2), ("TSLA", 240, Decimal("1"), 2),
    ("XAUUSD", 2300, Decimal("0.1"), 2),
]  # fmt: skip
SETUPS = ["breakout", "pullback", "reversal", "range", "trend", "news", ""]
NOTES = ["", "", "", "Followed the plan", "Moved stop too early", "Strong momentum breakout", "Revenge trade"]
COLUMNS = ("user_id", "instrument", "side", "quantity", "entry_time", "entry_price", "exit_time", "exit_price",
           "stop_loss", "take_profit", "commission", "setup_type", "notes", "pnl", "net_pnl", "created_at",
           "updated_at")  # fmt: skip
HISTORY = timedelta(days=730)
BATCH = 20_000


@dataclass
class SeedPlan:
    users: int
    trades_per_user: int
    heavy_user_trades: int = 0
    seed: int = 1
    username_prefix: str = "trader"


def _trade_rows(rng: random.Random, user_id: int, count: int, now: datetime) -> Iterator[tuple]:
    for _ in range(count):
        symbol, price, unit, decimals = rng.choice(INSTRUMENTS)
        entry = Decimal(str(round(price * rng.uniform(0.7, 1.3), decimals)))
        quantity = unit * rng.randint(1, 50)
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
        pnl, net_pnl = compute_pnl(side=side, quantity=quantity, entry_price=entry, exit_price=exit_price,
                                   commission=commission)  # fmt: skip
        yield (
            user_id, symbol, side, quantity, entry_time, entry, exit_time, exit_price, stop_loss, take_profit,
            commission, rng.choice(SETUPS), rng.choice(NOTES), pnl, net_pnl, entry_time, exit_time or entry_time,
        )  # fmt: skip


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


def seed(plan: SeedPlan, *, progress: Callable[[int, int], None] = lambda done, total: None,
         now: datetime | None = None) -> int:  # fmt: skip
    """Loads the plan's trades; returns how many. Reproducible for a given seed and `now`."""
    now = now or timezone.now()
    rng = random.Random(plan.seed)  # noqa: S311  (demo data, reproducible by design)
    traders = create_users(plan)
    total = sum(count for _, count in traders)
    rows = (row for user_id, count in traders for row in _trade_rows(rng, user_id, count, now))
    load = _load_by_copy if connection.vendor == "postgresql" else _load_by_bulk_create
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    with transaction.atomic():
        load(_batches(rows, BATCH), advance)
        journals_changed(user_id for user_id, _ in traders)
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


def copy_payload(batch: list[tuple]) -> str:
    return "".join([f"{chr(9).join(map(_text, row))}\n" for row in batch])


COPY_SQL = f"COPY {Trade._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN"


def _load_by_copy(batches: Iterator[list[tuple]], progress: Callable[[int], None]) -> None:
    # One COPY for the whole load: PostgreSQL ingests a batch (and updates the indexes) on its
    # core while Python generates the next one on the other.
    with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
        for batch in batches:
            copy.write(copy_payload(batch))
            progress(len(batch))


def _load_by_bulk_create(batches: Iterator[list[tuple]], progress: Callable[[int], None]) -> None:
    for batch in batches:
        Trade.objects.bulk_create((Trade(**dict(zip(COLUMNS, row, strict=True))) for row in batch), batch_size=2000)
        progress(len(batch))
