"""Position streams (one account's executions of one instrument) as stored, and their trades
rewritten from a new build of the engine.

A stored trade keeps its id (and so the trader's notes, tags and setup) across rebuilds when a
built trade has the same opening execution, or failing that, when it opens with an execution the
stored trade opened with (fills added before it). Changed trades are updated, new ones created,
vanished ones deleted; each trade's TradeFills are the engine's allocations.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from imports import bulk, engine
from imports.models import Execution, TradeFill
from journal.models import Tag, Trade, TradeTag, compute_pnl

Stream = tuple[int | None, str]  # (account id, instrument)
QUERY_STREAMS = 1000  # streams per query: keeps every statement's parameter list bounded
TRADE_FIELDS = ("side", "quantity", "entry_time", "entry_price", "exit_time", "exit_price", "commission", "multiplier")
CREATE_COLUMNS = (
    "user_id", "account_id", "instrument", "side", "quantity", "entry_time", "entry_price", "exit_time",
    "exit_price", "stop_loss", "take_profit", "commission", "setup_type", "notes", "pnl", "net_pnl", "multiplier",
    "initial_risk", "created_at", "updated_at",
)  # fmt: skip
FILL_COLUMNS = ("trade_id", "execution_id", "quantity", "commission", "fees", "opening")


@dataclass(slots=True)
class StoredExecution:
    id: int
    instrument: str
    time: datetime
    side: str
    quantity: Decimal
    price: Decimal
    commission: Decimal
    fees: Decimal
    multiplier: Decimal
    effect: str | None
    group: str | None
    source_id: int
    exec_id: str | None

    def for_engine(self) -> engine.Execution:
        return engine.Execution(
            key=self.id, time=self.time, side=self.side, quantity=self.quantity, price=self.price,
            commission=self.commission, fees=self.fees, multiplier=self.multiplier, effect=self.effect,
            group=self.group,
        )  # fmt: skip


@dataclass(slots=True)
class StoredTrade:
    id: int
    values: tuple  # TRADE_FIELDS
    allocations: set = field(default_factory=set)  # {(execution id, quantity, commission, fees, opening)}


@dataclass
class Changes:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    tags_created: list[int] = field(default_factory=list)


def _streams_filter(prefix: str, streams: list[Stream]) -> Q:
    by_account: dict[int | None, list[str]] = defaultdict(list)
    for account_id, instrument in streams:
        by_account[account_id].append(instrument)
    condition = Q()
    for account_id, instruments in by_account.items():
        account = {f"{prefix}account__isnull": True} if account_id is None else {f"{prefix}account_id": account_id}
        condition |= Q(**account, **{f"{prefix}instrument__in": instruments})
    return condition


def _batches(streams: Iterable[Stream]) -> Iterable[list[Stream]]:
    streams = sorted(streams, key=lambda s: (s[0] or 0, s[1]))
    for start in range(0, len(streams), QUERY_STREAMS):
        yield streams[start : start + QUERY_STREAMS]


def load_executions(
    user, streams: Iterable[Stream], *, excluding: int | None = None
) -> dict[Stream, list[StoredExecution]]:
    """Every stored execution of these streams (but those of import `excluding`), by stream, in id order."""
    found: dict[Stream, list[StoredExecution]] = defaultdict(list)
    names = ("id", "account_id", "instrument", "time", "side", "quantity", "price", "commission", "fees",
             "multiplier", "effect", "group", "source_id", "exec_id")  # fmt: skip
    for batch in _batches(streams):
        wanted = set(batch)
        rows = Execution.objects.filter(_streams_filter("", batch), user=user).exclude(source_id=excluding)
        rows = rows.order_by("id").values_list(*names)
        for execution_id, account_id, instrument, *rest in rows:
            if (account_id, instrument) in wanted:
                found[(account_id, instrument)].append(StoredExecution(execution_id, instrument, *rest))
    return found


def load_exec_ids(user, account_ids: set[int | None]) -> set[tuple[int | None, str]]:
    """The (account, exec_id) pairs stored for these accounts."""
    accounts = Q(account_id__in=[a for a in account_ids if a is not None])
    if None in account_ids:
        accounts |= Q(account__isnull=True)
    rows = Execution.objects.filter(accounts, user=user, exec_id__isnull=False).values_list("account_id", "exec_id")
    return set(rows)


def load_trades(user, streams: Iterable[Stream]) -> dict[Stream, dict[int, StoredTrade]]:
    """The built trades of these streams (those with TradeFills), by stream and opening execution.

    A trade belongs to the stream of its executions, whatever account or instrument the trader has
    since given it by hand."""
    moment: dict[int, tuple] = {}  # execution id -> (time, id): the engine's order
    allocations: dict[int, set] = defaultdict(set)
    trade_stream: dict[int, Stream] = {}
    for batch in _batches(streams):
        fills = TradeFill.objects.filter(_streams_filter("execution__", batch), execution__user=user)
        names = ("trade_id", "execution__account_id", "execution__instrument", "execution__time", "execution_id",
                 "quantity", "commission", "fees", "opening")  # fmt: skip
        for trade_id, account_id, instrument, time, *allocation in fills.values_list(*names):
            allocations[trade_id].add(tuple(allocation))
            trade_stream[trade_id] = (account_id, instrument)
            moment[allocation[0]] = (time, allocation[0])
    ids = list(allocations)
    values = {}
    for start in range(0, len(ids), bulk.BATCH):
        trades = Trade.objects.filter(id__in=ids[start : start + bulk.BATCH]).values_list("id", *TRADE_FIELDS)
        values.update((trade_id, tuple(fields)) for trade_id, *fields in trades)
    by_stream: dict[Stream, dict[int, StoredTrade]] = defaultdict(dict)
    for trade_id, held in allocations.items():
        opening = min((a[0] for a in held if a[4]), key=moment.__getitem__)
        by_stream[trade_stream[trade_id]][opening] = StoredTrade(trade_id, values[trade_id], held)
    return by_stream


def build(executions: Iterable[engine.Execution]) -> engine.Build:
    return engine.build_trades(executions)


def apply_builds(
    *, user, builds: dict[Stream, engine.Build], stored: dict[Stream, dict[int, StoredTrade]],
    annotations: dict[int, dict] | None = None, now: datetime | None = None,
) -> Changes:  # fmt: skip
    """Rewrites the stored trades of each stream to its build. `annotations` (by opening execution)
    are what trade-level rows say about the trades they open (setup_type, notes, tags, ...)."""
    now = now or timezone.now()
    annotations = annotations or {}
    changes = Changes()
    to_create: list[tuple[Stream, engine.BuiltTrade]] = []
    to_update: list[tuple[int, Stream, engine.BuiltTrade]] = []
    to_delete: list[int] = []
    for stream, result in builds.items():
        kept = dict(stored.get(stream, {}))
        unmatched = []
        for trade in result.trades:
            match = kept.pop(trade.opening_key, None)
            if match is None:
                unmatched.append(trade)
            elif _differs(match, trade):
                to_update.append((match.id, stream, trade))
        # Fills added before a trade's first one change its opening execution, not its identity.
        opened_by = {a[0]: key for key, stored_trade in kept.items() for a in stored_trade.allocations if a[4]}
        for trade in unmatched:
            key = next(
                (opened_by[a.key] for a in trade.allocations if a.opening and opened_by.get(a.key) in kept), None
            )
            if key is None:
                to_create.append((stream, trade))
            else:
                to_update.append((kept.pop(key).id, stream, trade))
        to_delete.extend(trade.id for trade in kept.values())

    bulk.delete(Trade, to_delete)
    rewritten = [trade_id for trade_id, _, _ in to_update]
    for start in range(0, len(rewritten), bulk.BATCH):
        TradeFill.objects.filter(trade_id__in=rewritten[start : start + bulk.BATCH]).delete()
    _update(to_update, now)
    created_ids = _create(user, to_create, annotations, now)
    written = [(trade_id, trade) for trade_id, _, trade in to_update]
    written += zip(created_ids, (trade for _, trade in to_create), strict=True)
    fills = [
        (trade_id, a.key, a.quantity, a.commission, a.fees, a.opening) for trade_id, t in written for a in t.allocations
    ]
    bulk.insert(TradeFill, FILL_COLUMNS, fills)
    changes.tags_created = _tag(user, created_ids, [t for _, t in to_create], annotations)
    changes.created, changes.updated, changes.deleted = len(to_create), len(to_update), len(to_delete)
    return changes


def _differs(stored: StoredTrade, trade: engine.BuiltTrade) -> bool:
    values = tuple(getattr(trade, name) for name in TRADE_FIELDS)
    allocations = {(a.key, a.quantity, a.commission, a.fees, a.opening) for a in trade.allocations}
    return values != stored.values or allocations != stored.allocations


def _pnl(trade: engine.BuiltTrade) -> tuple[Decimal | None, Decimal | None]:
    return compute_pnl(
        side=trade.side, quantity=trade.quantity, entry_price=trade.entry_price, exit_price=trade.exit_price,
        commission=trade.commission, multiplier=trade.multiplier,
    )  # fmt: skip


def _create(user, trades: list[tuple[Stream, engine.BuiltTrade]], annotations: dict[int, dict], now) -> list[int]:
    rows = []
    for (account_id, instrument), trade in trades:
        notes = annotations.get(trade.opening_key, {})
        rows.append((
            user.pk, account_id, instrument, trade.side, trade.quantity, trade.entry_time, trade.entry_price,
            trade.exit_time, trade.exit_price, notes.get("stop_loss"), notes.get("take_profit"), trade.commission,
            notes.get("setup_type") or "", notes.get("notes") or "", *_pnl(trade), trade.multiplier,
            notes.get("initial_risk"), now, now,
        ))  # fmt: skip
    return bulk.insert(Trade, CREATE_COLUMNS, rows, ids=True)


def _update(trades: list[tuple[int, Stream, engine.BuiltTrade]], now) -> None:
    objects = []
    for trade_id, (_, instrument), trade in trades:
        obj = Trade(id=trade_id, instrument=instrument, updated_at=now, **{n: getattr(trade, n) for n in TRADE_FIELDS})
        obj.derive_fields()
        objects.append(obj)
    Trade.objects.bulk_update(objects, [*TRADE_FIELDS, "pnl", "net_pnl", "updated_at"], batch_size=500)


def _tag(user, trade_ids: list[int], trades: list[engine.BuiltTrade], annotations: dict[int, dict]) -> list[int]:
    """Attaches the annotated tags to the new trades, creating the tags that don't exist; returns the
    ids of the tags created."""
    wanted = [(trade_id, annotations[t.opening_key]["tags"]) for trade_id, t in zip(trade_ids, trades, strict=True)
              if annotations.get(t.opening_key, {}).get("tags")]  # fmt: skip
    if not wanted:
        return []
    ids = {name.lower(): tag_id for tag_id, name in Tag.objects.filter(user=user).values_list("id", "name")}
    missing = {name.lower(): name for _, names in wanted for name in names if name.lower() not in ids}
    created = Tag.objects.bulk_create([Tag(user=user, name=name) for name in missing.values()])
    ids.update({tag.name.lower(): tag.pk for tag in created})
    links = [(trade_id, ids[name.lower()]) for trade_id, names in wanted for name in names]
    bulk.insert(TradeTag, ("trade_id", "tag_id"), links)
    return [tag.pk for tag in created]
