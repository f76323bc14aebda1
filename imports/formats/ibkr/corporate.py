"""Flex corporate actions (the CorporateActions section): stock splits, reverse splits and issue or
symbol changes carry the position held across (base.Action); other actions are skipped with what
they are.

IBKR books a forward split (type FS) as one row, the shares added under the same symbol, with the
ratio in its description ("NVDA(US67066G1040) SPLIT 10 FOR 1 (NVDA, NVIDIA CORP, US67066G1040)").
A reverse split (RS), a split issuing new shares (FI) and an issue change (IC) are two rows of one
action (the same actionID, or failing that the same account, time and type): the old shares
removed, often under the symbol with ".OLD" appended, and the new ones added; the ratio is their
quantities'. The old row's symbol is the one the file's trades give its contract (conid), or
without the ".OLD" IBKR appends.
"""

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal

from imports.formats import base
from imports.formats.base import Action, Item, Skip

CARRIED = {"FS": "forward split", "RS": "reverse split", "FI": "split with new shares", "IC": "issue change"}
_KINDS = {
    "TC": "merger", "SO": "spin-off", "SD": "stock dividend", "DW": "delisted", "TO": "tender",
    "BM": "bond maturity", "RI": "rights issue", "DI": "rights issue", "ED": "expired rights",
    "CD": "cash dividend", "HI": "choice dividend", "CH": "choice dividend", "PI": "purchase issue",
}  # fmt: skip
_SPLIT = re.compile(r"\bSPLIT\s+(\d+(?:\.\d+)?)\s+FOR\s+(\d+(?:\.\d+)?)", re.IGNORECASE)
_OLD = ".OLD"
NOT_CARRIED = "corporate action ({kind}): not carried into trades"
NOT_A_STOCK = "corporate action on a contract that is not a stock: its new terms are not read"
NO_RATIO = "split whose description states no ratio ('SPLIT n FOR m'): not carried into trades"
ONE_HALF = "corporate action whose other row is not in this file: not carried into trades"
SECOND_HALF = "the new shares of a {kind}: carried into trades with the row of the shares they replace"


def items(
    records: list, *, time_of: Callable[[object, str], datetime], account_of: Callable, symbols: dict[str, str]
) -> Iterator[Item]:
    """An item for each corporate action record (`symbols`: the file's trades' symbol by conid)."""
    pending: dict[tuple, list] = {}
    for record in records:
        if record.get("levelofdetail").upper() in ("SUMMARY", "SYMBOL_SUMMARY"):
            continue
        kind = record.get("type").upper()
        if kind not in CARRIED:
            yield Skip(record.row, NOT_CARRIED.format(kind=_KINDS.get(kind, kind or "unnamed")))
        elif record.get("assetcategory", "assetclass").upper() not in ("STK", ""):
            yield Skip(record.row, NOT_A_STOCK)
        else:
            key = record.get("actionid") or (record.get("accountid"), record.get("datetime", "reportdate"), kind)
            pending.setdefault(key, []).append(record)
    for rows in pending.values():
        yield from base.read_row(rows[0].row, _carried, rows, time_of, account_of, symbols)


def _carried(rows: list, time_of, account_of, symbols: dict[str, str]) -> list[Item]:
    quantities = [base.require_decimal(row.get("quantity"), "quantity") for row in rows]
    removed = [row for row, quantity in zip(rows, quantities, strict=True) if quantity < 0]
    added = [row for row, quantity in zip(rows, quantities, strict=True) if quantity > 0]
    if len(removed) == 1 and len(added) == 1:
        old, new = removed[0], added[0]
        action = Action(
            row=old.row,
            instrument=_held_as(old, symbols),
            new_instrument=_symbol(new),
            time=time_of(old, _symbol(new)),
            old_units=-base.require_decimal(old.get("quantity"), "quantity"),
            new_units=base.require_decimal(new.get("quantity"), "quantity"),
            account=account_of(old),
        )
        return [action, Skip(new.row, SECOND_HALF.format(kind=CARRIED[new.get("type").upper()]))]
    if len(rows) == 1 and added:
        return [_split(rows[0], time_of, account_of)]
    return [Skip(row.row, ONE_HALF) for row in rows]


def _split(record, time_of, account_of) -> Action | Skip:
    """A forward split booked as one row, the shares it added: the ratio is the description's."""
    ratio = _SPLIT.search(record.get("actiondescription", "description"))
    if ratio is None:
        return Skip(record.row, NO_RATIO)
    symbol = _symbol(record)
    return Action(
        row=record.row,
        instrument=symbol,
        new_instrument=symbol,
        time=time_of(record, symbol),
        old_units=Decimal(ratio.group(2)),
        new_units=Decimal(ratio.group(1)),
        account=account_of(record),
    )


def _symbol(record) -> str:
    symbol = " ".join(record.get("symbol").upper().split())
    if not symbol:
        raise base.RowProblem("the symbol is missing")
    return symbol


def _held_as(record, symbols: dict[str, str]) -> str:
    symbol = _symbol(record)
    return symbols.get(record.get("conid")) or symbol.removesuffix(_OLD)
