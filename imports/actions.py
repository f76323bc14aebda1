"""Corporate actions (splits, reverse splits, symbol changes): stored from the files that report them,
and the position streams they join (API-CONTRACT.md v1.2, "Corporate actions").

A stream is one account's executions of one instrument (imports/streams.py). A symbol change joins
two instruments of an account into one stream, so that the position held in the old one continues
in the new one; the engine carries it across every action, scaled by the ratio (imports/engine.py).
A joined stream is keyed by its alphabetically first instrument and holds every instrument joined
to it. An account without actions has exactly the streams it had without them, so an action costs
nothing where there is none.

Actions are stored once per account: the same action reported again (a file imported twice, an
overlapping export) adds nothing. They leave with the import that brought them.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from core import wire
from imports import bulk, engine
from imports.fills import Unstorable, _amount, _text
from imports.formats.base import AccountRef, Action, RowError
from imports.models import CorporateAction, Import
from imports.streams import Stream
from journal.models import normalize_instrument

COLUMNS = (
    "user_id", "account_id", "instrument", "new_instrument", "time", "old_units", "new_units", "source_id", "row",
)  # fmt: skip


@dataclass(slots=True)
class NewAction:
    """An action as it will be stored (imports/accounts.py sets `account_id`, as for fills)."""

    row: int
    account_ref: AccountRef | None
    instrument: str
    new_instrument: str
    time: datetime  # UTC
    old_units: Decimal
    new_units: Decimal
    account_id: int | None = None

    def key(self) -> tuple:
        return (self.account_id, self.instrument, self.new_instrument, self.time, self.old_units, self.new_units)


def storable(actions: list[Action]) -> tuple[list[NewAction], list[RowError]]:
    """The actions that can be stored, and one error for each that cannot (the rules of fills.py)."""
    kept, errors = [], []
    for action in actions:
        try:
            kept.append(_new_action(action))
        except Unstorable as problem:
            errors.append(RowError(action.row, str(problem)))
    return kept, errors


def _new_action(action: Action) -> NewAction:
    instrument = _text(normalize_instrument(action.instrument), "instrument")
    new_instrument = _text(normalize_instrument(action.new_instrument), "instrument")
    if not instrument or not new_instrument:
        raise Unstorable("the corporate action names no instrument")
    if not wire.FIRST_YEAR <= action.time.astimezone(UTC).year <= wire.LAST_YEAR:
        raise Unstorable(f"the time must be between {wire.FIRST_YEAR} and {wire.LAST_YEAR}")
    old_units, new_units = _amount(action.old_units, "ratio"), _amount(action.new_units, "ratio")
    if old_units <= 0 or new_units <= 0:
        raise Unstorable("the corporate action's ratio must be above 0 on both sides")
    account = action.account
    if account is not None:
        account = AccountRef(_text(account.number, "account") or None, _text(account.name, "account") or None,
                             account.currency)  # fmt: skip
    return NewAction(action.row, account, instrument, new_instrument, action.time.astimezone(UTC), old_units, new_units)


def load(
    user, account_ids: Iterable[int | None], *, excluding: int | None = None, source: int | None = None
) -> list[NewAction]:
    """The actions stored for these accounts, as NewActions: but those of import `excluding`, or
    only those of import `source`."""
    rows = CorporateAction.objects.filter(user=user, account_id__in=[a for a in account_ids if a is not None])
    rows = rows.exclude(source_id=excluding) if source is None else rows.filter(source_id=source)
    rows = rows.order_by("id")
    names = ("row", "instrument", "new_instrument", "time", "old_units", "new_units", "account_id")
    return [NewAction(row, None, *rest) for row, *rest in rows.values_list(*names)]


def store(imp: Import, actions: list[NewAction], stored: list[NewAction]) -> list[NewAction]:
    """Writes the actions not stored yet (one with no account is not kept); returns those written."""
    seen = {action.key() for action in stored}
    new = []
    for action in actions:
        if action.account_id is not None and action.key() not in seen:
            seen.add(action.key())
            new.append(action)
    rows = [
        (imp.user_id, a.account_id, a.instrument, a.new_instrument, a.time, a.old_units, a.new_units, imp.pk, a.row)
        for a in new
    ]
    bulk.insert(CorporateAction, COLUMNS, rows)
    return new


class Lineage:
    """Which stream each (account, instrument) belongs to once corporate actions join instruments.

    `actions` are applied by the engine; `joining` (an undone import's) only join streams, so that
    the trades they joined are rebuilt together with what they leave behind.
    """

    def __init__(self, actions: Iterable[NewAction], *, joining: Iterable[NewAction] = ()) -> None:
        self._parent: dict[Stream, Stream] = {}
        self._adjustments: dict[Stream, list[engine.Adjustment]] = defaultdict(list)
        actions = list(actions)
        for action in [*actions, *joining]:
            self._join((action.account_id, action.instrument), (action.account_id, action.new_instrument))
        for action in actions:
            adjustment = engine.Adjustment(
                action.time, action.instrument, action.new_instrument, action.old_units, action.new_units
            )
            self._adjustments[self.stream(action.account_id, action.instrument)].append(adjustment)
        self._members: dict[Stream, set[Stream]] = defaultdict(set)
        for pair in self._parent:
            self._members[self.stream(*pair)].add(pair)

    def stream(self, account_id: int | None, instrument: str) -> Stream:
        pair = (account_id, instrument)
        while self._parent.get(pair, pair) != pair:
            pair = self._parent[pair]
        return pair

    def members(self, streams: Iterable[Stream]) -> set[Stream]:
        """Every (account, instrument) of these streams."""
        return {pair for stream in streams for pair in self._members.get(stream, {stream})}

    def build(
        self, stream: Stream, stored: dict[Stream, list[engine.Execution]], added: Iterable[engine.Execution] = ()
    ) -> engine.Build:
        """The engine's build of a stream: its stored executions (by (account, instrument)), those
        `added`, and its actions."""
        inputs = [e for pair in self.members([stream]) for e in stored.get(pair, ())]
        return engine.build_trades([*inputs, *added], self._adjustments.get(stream, ()))

    def _join(self, a: Stream, b: Stream) -> None:
        root_a, root_b = self.stream(*a), self.stream(*b)
        self._parent.setdefault(a, a)
        self._parent.setdefault(b, b)
        if root_a != root_b:
            first, second = sorted((root_a, root_b), key=lambda pair: pair[1])
            self._parent[second] = first
