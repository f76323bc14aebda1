"""Position streams (one account's executions of one instrument, or of the instruments corporate
actions join: imports/actions.py) as stored, and their trades rewritten from a new build of the engine.

A stored trade keeps its id (and so the trader's notes, tags and setup) across rebuilds when a
built trade has the same opening execution, or failing that, when it opens with an execution the
stored trade opened with (fills added before it). Changed trades are updated, new ones created,
vanished ones deleted; each trade's TradeFills are the engine's allocations.

An execution is loaded and written as the engine's `Execution`, column by column of the same name
(EXECUTION_FIELDS): a column the shape gains is stored and read back with no other change.
`StoredTrade` is a stored trade reduced to what is compared with a built one.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from operator import attrgetter

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core import locks
from imports import bulk, engine
from imports.models import Execution, TradeFill
from journal.models import Tag, Trade, TradeTag, compute_pnl

Stream = tuple[int | None, str]  # (account id, instrument)
QUERY_STREAMS = 1000  # streams per query: keeps every statement's parameter list bounded
TRADE_FIELDS = (
    "side", "quantity", "entry_time", "entry_price", "exit_time", "exit_price", "commission", "multiplier", "fills_pnl",
    "fills_realized_pnl",
)  # fmt: skip
CREATE_COLUMNS = (
    "user_id", "account_id", "instrument", "side", "quantity", "entry_time", "entry_price", "exit_time",
    "exit_price", "stop_loss", "take_profit", "commission", "setup_type", "notes", "pnl", "net_pnl", "multiplier",
    "initial_risk", "created_at", "updated_at", "fills_pnl", "fills_realized_pnl",
)  # fmt: skip
FILL_COLUMNS = ("trade_id", "execution_id", "quantity", "commission", "fees", "opening")

# The Execution model's columns the in-memory Execution carries, in the model's order; the others
# are the database's (id, the shape's `key`) and the import's (user, source).
EXECUTION_FIELDS = tuple(
    column.attname
    for column in Execution._meta.concrete_fields
    if column.attname in {carried.name for carried in fields(engine.Execution)}
)


@dataclass(slots=True)
class StoredTrade:
    id: int
    values: tuple  # TRADE_FIELDS
    allocations: set = field(default_factory=set)  # {(execution id, quantity, commission, fees, opening)}
    instrument: str = ""
    fill_instruments: set = field(default_factory=set)  # its executions'

    def instrument_for(self, trade: engine.BuiltTrade) -> str:
        """The instrument a rebuild gives it: the one the build closed it under (a symbol change
        moves it), unless the trader named it otherwise by hand."""
        return trade.instrument if self.instrument in self.fill_instruments else self.instrument


@dataclass
class Changes:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    tags_created: list[int] = field(default_factory=list)
    opened: dict[int, int] = field(default_factory=dict)  # {opening execution id: id} of the trades created


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
) -> dict[Stream, list[engine.Execution]]:
    """Every stored execution of these streams (but those of import `excluding`), by stream, in id order."""
    found: dict[Stream, list[engine.Execution]] = defaultdict(list)
    for batch in _batches(streams):
        wanted = set(batch)
        rows = Execution.objects.filter(_streams_filter("", batch), user=user).exclude(source_id=excluding)
        for key, *values in rows.order_by("id").values_list("id", *EXECUTION_FIELDS):
            execution = engine.Execution(key, **dict(zip(EXECUTION_FIELDS, values, strict=True)))
            if (execution.account_id, execution.instrument) in wanted:
                found[(execution.account_id, execution.instrument)].append(execution)
    return found


def insert_executions(executions: list[engine.Execution], *, user_id: int, source_id: int) -> list[int]:
    """Stores new executions as import `source_id`'s; returns their ids, in order."""
    values = attrgetter(*EXECUTION_FIELDS)
    rows = [(user_id, source_id, *values(execution)) for execution in executions]
    return bulk.insert(Execution, ("user_id", "source_id", *EXECUTION_FIELDS), rows, ids=True)


def load_exec_ids(user, account_ids: set[int | None]) -> set[tuple[int | None, str]]:
    """The (account, exec_id) pairs stored for these accounts."""
    accounts = Q(account_id__in=[a for a in account_ids if a is not None])
    if None in account_ids:
        accounts |= Q(account__isnull=True)
    rows = Execution.objects.filter(accounts, user=user, exec_id__isnull=False).values_list("account_id", "exec_id")
    return set(rows)


def load_trades(
    user, streams: Iterable[Stream], stream_of: Callable[[int | None, str], Stream] = lambda *pair: pair
) -> dict[Stream, dict[int, StoredTrade]]:
    """The built trades of these (account, instrument) pairs (those with TradeFills), by the stream
    `stream_of` names for their executions' pair, and by opening execution.

    A trade belongs to the stream of its executions, whatever account or instrument the trader has
    since given it by hand.

    The trades are locked (FOR NO KEY UPDATE, in id order) until the commit: an edit or a delete of
    one by its trader waits for the rebuild rather than land between this read and its write (a
    note, a tag or a setup added meanwhile is kept: a rebuild rewrites none of those). Read under
    the lock, their values are the latest; one its trader deleted before the lock is left out (its
    executions, unheld, are rebuilt into a new trade)."""
    moment: dict[int, tuple] = {}  # execution id -> (time, id): the engine's order
    allocations: dict[int, set] = defaultdict(set)
    instruments: dict[int, set] = defaultdict(set)
    trade_stream: dict[int, Stream] = {}
    for batch in _batches(streams):
        fills = TradeFill.objects.filter(_streams_filter("execution__", batch), execution__user=user)
        names = ("trade_id", "execution__account_id", "execution__instrument", "execution__time", "execution_id",
                 "quantity", "commission", "fees", "opening")  # fmt: skip
        for trade_id, account_id, instrument, time, *allocation in fills.values_list(*names):
            allocations[trade_id].add(tuple(allocation))
            instruments[trade_id].add(instrument)
            trade_stream[trade_id] = stream_of(account_id, instrument)
            moment[allocation[0]] = (time, allocation[0])
    ids = sorted(allocations)
    values = {}
    for start in range(0, len(ids), bulk.BATCH):
        trades = Trade.objects.filter(id__in=ids[start : start + bulk.BATCH]).order_by("id")
        locked = trades.select_for_update(no_key=True).values_list("id", "instrument", *TRADE_FIELDS)
        values.update((trade_id, rest) for trade_id, *rest in locked)
    by_stream: dict[Stream, dict[int, StoredTrade]] = defaultdict(dict)
    for trade_id, held in allocations.items():
        if trade_id not in values:
            continue
        opening = min((a[0] for a in held if a[4]), key=moment.__getitem__)
        instrument, *fields = values[trade_id]
        by_stream[trade_stream[trade_id]][opening] = StoredTrade(
            trade_id, tuple(fields), held, instrument, instruments[trade_id]
        )
    return by_stream


def apply_builds(
    *, user, builds: dict[Stream, engine.Build], stored: dict[Stream, dict[int, StoredTrade]],
    annotations: dict[int, dict] | None = None, removing: Callable[[list[int]], object] | None = None,
    now: datetime | None = None,
) -> Changes:  # fmt: skip
    """Rewrites the stored trades of each stream to its build. `annotations` (by opening execution)
    are what trade-level rows say about the trades they open (setup_type, notes, tags, ...);
    `removing` is given the ids of the trades about to be deleted, before they are."""
    now = now or timezone.now()
    annotations = annotations or {}
    changes = Changes()
    to_create: list[tuple[Stream, engine.BuiltTrade]] = []
    to_update: list[tuple[int, str, engine.BuiltTrade]] = []  # (id, instrument, build)
    to_delete: list[int] = []
    for stream, result in builds.items():
        kept = dict(stored.get(stream, {}))
        unmatched = []
        for trade in result.trades:
            match = kept.pop(trade.opening_key, None)
            if match is None:
                unmatched.append(trade)
            elif _differs(match, trade):
                to_update.append((match.id, match.instrument_for(trade), trade))
        # Fills added before a trade's first one change its opening execution, not its identity.
        opened_by = {a[0]: key for key, stored_trade in kept.items() for a in stored_trade.allocations if a[4]}
        for trade in unmatched:
            key = next(
                (opened_by[a.key] for a in trade.allocations if a.opening and opened_by.get(a.key) in kept), None
            )
            if key is None:
                to_create.append((stream, trade))
            else:
                match = kept.pop(key)
                to_update.append((match.id, match.instrument_for(trade), trade))
        to_delete.extend(trade.id for trade in kept.values())

    if removing is not None and to_delete:
        removing(to_delete)
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
    changes.opened = {t.opening_key: trade_id for trade_id, (_, t) in zip(created_ids, to_create, strict=True)}
    changes.created, changes.updated, changes.deleted = len(to_create), len(to_update), len(to_delete)
    return changes


def _differs(stored: StoredTrade, trade: engine.BuiltTrade) -> bool:
    values = tuple(getattr(trade, name) for name in TRADE_FIELDS)
    allocations = {(a.key, a.quantity, a.commission, a.fees, a.opening) for a in trade.allocations}
    moved = stored.instrument_for(trade) != stored.instrument
    return values != stored.values or allocations != stored.allocations or moved


def _pnl(trade: engine.BuiltTrade) -> tuple[Decimal | None, Decimal | None]:
    return compute_pnl(
        side=trade.side, quantity=trade.quantity, entry_price=trade.entry_price, exit_price=trade.exit_price,
        commission=trade.commission, multiplier=trade.multiplier, fills_pnl=trade.fills_pnl,
    )  # fmt: skip


def _create(user, trades: list[tuple[Stream, engine.BuiltTrade]], annotations: dict[int, dict], now) -> list[int]:
    rows = []
    for (account_id, _), trade in trades:
        notes = annotations.get(trade.opening_key, {})
        rows.append((
            user.pk, account_id, trade.instrument, trade.side, trade.quantity, trade.entry_time, trade.entry_price,
            trade.exit_time, trade.exit_price, notes.get("stop_loss"), notes.get("take_profit"), trade.commission,
            notes.get("setup_type") or "", notes.get("notes") or "", *_pnl(trade), trade.multiplier,
            notes.get("initial_risk"), now, now, trade.fills_pnl, trade.fills_realized_pnl,
        ))  # fmt: skip
    return bulk.insert(Trade, CREATE_COLUMNS, rows, ids=True)


def _update(trades: list[tuple[int, str, engine.BuiltTrade]], now) -> None:
    objects = []
    for trade_id, instrument, trade in trades:
        obj = Trade(id=trade_id, instrument=instrument, updated_at=now, **{n: getattr(trade, n) for n in TRADE_FIELDS})
        obj.derive_fields()
        objects.append(obj)
    Trade.objects.bulk_update(objects, ["instrument", *TRADE_FIELDS, "pnl", "net_pnl", "updated_at"], batch_size=500)


def _tag(user, trade_ids: list[int], trades: list[engine.BuiltTrade], annotations: dict[int, dict]) -> list[int]:
    """Attaches the annotated tags to the new trades, creating the tags that don't exist; returns the
    ids of the tags created."""
    wanted = [(trade_id, annotations[t.opening_key]["tags"]) for trade_id, t in zip(trade_ids, trades, strict=True)
              if annotations.get(t.opening_key, {}).get("tags")]  # fmt: skip
    if not wanted:
        return []
    named = {name.lower() for _, names in wanted for name in names}
    ids = {name.lower(): tag_id for tag_id, name in Tag.objects.filter(user=user).values_list("id", "name")
           if name.lower() in named}  # fmt: skip
    # Held against deletion until the commit (their trader may rename them meanwhile): the links hold.
    kept = locks.keep_from_deletion(Tag, ids.values())
    ids = {name: tag_id for name, tag_id in ids.items() if tag_id in kept}
    missing = {name.lower(): name for _, names in wanted for name in names if name.lower() not in ids}
    created = []
    # Created in one order, as the API's requests create theirs (journal/tagging.py): never in turn.
    for name in sorted(missing.values(), key=str.lower):
        ids[name.lower()], made = _tag_get_or_create(user, name)
        if made:
            created.append(ids[name.lower()])
    links = [(trade_id, ids[name.lower()]) for trade_id, names in wanted for name in names]
    bulk.insert(TradeTag, ("trade_id", "tag_id"), links)
    return created


def _tag_get_or_create(user, name: str) -> tuple[int, bool]:
    """The id of the owner's tag called `name`, and whether this made it: one its trader created
    meanwhile is taken (held against deletion like the others), not refused by the unique constraint."""
    while True:
        try:
            with transaction.atomic():
                return Tag.objects.create(user=user, name=name).pk, True
        except IntegrityError:
            there = Tag.objects.filter(user=user).named([name]).values_list("pk", flat=True).first()
            if there is not None and locks.keep_from_deletion(Tag, [there]):
                return there, False
            # Deleted again before it was held: create it after all.
