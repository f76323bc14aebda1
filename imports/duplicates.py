"""The duplicate rule (API-CONTRACT.md, "Executions, imports, export"): a fill with a broker
execution id is a duplicate when its account already has that id; a fill without one when its
account already holds an execution of the same instrument, time, side, quantity and price, counted
per file, so N identical fills in a file stay N and only those beyond what is stored are new.

A stored execution counts for the second rule whether or not it has an id, so the same fills
imported from another export of the broker (one without ids) are found too.

New and stored executions are the one shape, the engine's `Execution`: both are read by one key.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from imports.engine import Execution
from imports.formats.base import OPEN

Key = tuple


def key_of(e: Execution) -> Key:
    return (e.account_id, e.instrument, e.time, e.side, e.quantity, e.price)


@dataclass
class Duplicates:
    new: list[Execution] = field(default_factory=list)
    count: int = 0
    # The group of the stored entry each duplicate entry matched (trade-level rows): an exit that
    # completes an entry imported earlier joins that entry's trade.
    matched_groups: dict[int, str] = field(default_factory=dict)  # row -> group


def split_duplicates(
    fills: list[Execution], stored: dict[tuple, list[Execution]], stored_exec_ids: set[tuple]
) -> Duplicates:
    """`fills` (in file order) split into new ones and duplicates of the stored executions.

    `stored` holds every stored execution of the streams the fills are in, by (account, instrument);
    `stored_exec_ids` the (account, exec_id) pairs of the fills' accounts.
    """
    stored_keys: dict[Key, list[str | None]] = defaultdict(list)  # key -> groups of the stored executions
    for executions in stored.values():
        for execution in executions:
            stored_keys[key_of(execution)].append(execution.group)
    seen_ids = set(stored_exec_ids)
    in_file: Counter = Counter()
    result = Duplicates()
    for fill in fills:
        if fill.exec_id is not None:
            pair = (fill.account_id, fill.exec_id)
            if pair in seen_ids:
                result.count += 1
                continue
            seen_ids.add(pair)
            result.new.append(fill)
            continue
        key = key_of(fill)
        in_file[key] += 1
        matches = stored_keys.get(key, ())
        if in_file[key] <= len(matches):
            result.count += 1
            group = matches[in_file[key] - 1]
            if group is not None and fill.effect == OPEN:
                result.matched_groups.setdefault(fill.row, group)
            continue
        result.new.append(fill)
    return result
