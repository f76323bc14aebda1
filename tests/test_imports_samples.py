"""Every real-format sample imported end to end (parse, accounts, duplicates, engine, database)
gives the trades, skipped rows and errors worked out by hand in its .expected.json; importing it a
second time changes nothing.

Besides the rows the format skips, `closed_before` lists the fills the engine skips (a close with
nothing open, a spot sale with nothing held), which are not stored."""

from decimal import Decimal
from pathlib import Path

import pytest

from imports.apply import import_run
from imports.models import Execution
from imports.services import import_create
from journal.models import Trade
from tests.factories import make_user
from tests.formats_helpers import SAMPLES, expected

EIGHT = Decimal("0.00000001")


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(EIGHT)


def _order(trade: tuple) -> tuple:
    fields, _ = trade
    return (fields[0] or "", *fields[1:3], *(value or 0 for value in fields[3:]))


def expected_trades(expected: dict) -> list[tuple]:
    trades = [
        (
            (
                t["account"], t["instrument"].upper(), t["side"], _number(t["quantity"]), _number(t["entry_price"]),
                _number(t["exit_price"]), _number(t["multiplier"]), _number(t["commission"]),
            ),
            _number(t["pnl"]),
        )
        for t in expected["trades"]
    ]  # fmt: skip
    return sorted(trades, key=_order)


def stored_trades(user) -> list[tuple]:
    trades = [
        (
            (
                t.account.external_id if t.account else None, t.instrument, t.side, t.quantity, t.entry_price,
                t.exit_price, t.multiplier, t.commission,
            ),
            t.pnl,
        )
        for t in Trade.objects.filter(user=user).select_related("account")
    ]  # fmt: skip
    return sorted(trades, key=_order)


def assert_same_trades(stored: list[tuple], expected: list[tuple]) -> None:
    """Field for field, and the gross P&L to the last digit: it is the exact sum of the fills' money
    (API-CONTRACT.md v1.2, "Exact money"), not the difference of the averages kept to 8 places."""
    assert stored == expected


def run(user, path: Path, **parameters):
    imp = import_create(user=user, data=path.read_bytes(), filename=path.name, enqueue=False, **parameters)
    return import_run(import_id=imp.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_sample_imports_to_the_hand_computed_trades_skips_and_errors(path):
    hand = expected(path)
    user = make_user()
    imp = run(user, path, tz=hand["tz"])
    assert imp.status == "succeeded", imp.errors
    assert imp.format == hand["format"]  # detected from the content
    assert_same_trades(stored_trades(user), expected_trades(hand))
    # Fills that close what was opened before the file are skipped by the engine, not the format.
    closed_before = hand.get("closed_before", [])
    skipped = sorted([*hand["skipped"], *closed_before])
    assert [(s["row"], text in s["reason"]) for s, (_, text) in zip(imp.skipped, skipped, strict=True)] == [
        (row, True) for row, _ in skipped
    ], imp.skipped
    assert [(e["row"], text in e["message"]) for e, (_, text) in zip(imp.errors, hand["errors"], strict=True)] == [
        (row, True) for row, _ in hand["errors"]
    ], imp.errors
    assert imp.executions_created == hand["fills"] - len(closed_before) == Execution.objects.filter(user=user).count()
    assert imp.trades_created == len(hand["trades"])


@pytest.mark.django_db
@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_importing_a_sample_twice_changes_nothing(path):
    hand = expected(path)
    user = make_user()
    run(user, path, tz=hand["tz"])
    before = list(Trade.objects.filter(user=user).order_by("id").values())
    again = run(user, path, tz=hand["tz"])
    assert again.status == "succeeded", again.errors
    assert (again.executions_created, again.trades_created, again.trades_updated) == (0, 0, 0)
    assert again.duplicates == hand["fills"] - len(hand.get("closed_before", []))
    assert list(Trade.objects.filter(user=user).order_by("id").values()) == before
