"""Every real-format sample imported end to end (parse, accounts, duplicates, engine, database)
gives the trades, skipped rows and errors worked out by hand in its .expected.json; importing it a
second time changes nothing."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from imports.apply import import_run
from imports.models import Execution
from imports.services import import_create
from journal.models import Trade
from tests.factories import make_user

DATA = Path(__file__).parent / "data" / "imports"
SAMPLES = sorted(DATA.glob("*/*.expected.json"))
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
    """Field for field, the gross P&L within the averaging bound: the journal's P&L is the price
    difference of the averages, each kept to 8 places, so it may differ from the fills' cash flow by
    up to quantity x multiplier x 10^-8 (API-CONTRACT.md; imports/engine.py rounds once)."""
    assert [fields for fields, _ in stored] == [fields for fields, _ in expected]
    for (fields, pnl), (_, hand) in zip(stored, expected, strict=True):
        bound = fields[3] * fields[6] * EIGHT
        assert (pnl is None) == (hand is None), fields
        assert pnl is None or abs(pnl - hand) <= bound, (fields, pnl, hand)


def run(user, path: Path, **parameters):
    imp = import_create(user=user, data=path.read_bytes(), filename=path.name, enqueue=False, **parameters)
    return import_run(import_id=imp.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name.removesuffix('.expected.json')}")
def test_a_sample_imports_to_the_hand_computed_trades_skips_and_errors(path):
    expected = json.loads(path.read_text())
    user = make_user()
    imp = run(user, path.with_name(path.name.removesuffix(".expected.json")), tz=expected["tz"])
    assert imp.status == "succeeded", imp.errors
    assert imp.format == expected["format"]  # detected from the content
    assert_same_trades(stored_trades(user), expected_trades(expected))
    assert [(s["row"], text in s["reason"]) for s, (_, text) in zip(imp.skipped, expected["skipped"], strict=True)] == [
        (row, True) for row, _ in expected["skipped"]
    ], imp.skipped
    assert [(e["row"], text in e["message"]) for e, (_, text) in zip(imp.errors, expected["errors"], strict=True)] == [
        (row, True) for row, _ in expected["errors"]
    ], imp.errors
    assert imp.executions_created == expected["fills"] == Execution.objects.filter(user=user).count()
    assert imp.trades_created == len(expected["trades"])


@pytest.mark.django_db
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name.removesuffix('.expected.json')}")
def test_importing_a_sample_twice_changes_nothing(path):
    expected = json.loads(path.read_text())
    sample = path.with_name(path.name.removesuffix(".expected.json"))
    user = make_user()
    run(user, sample, tz=expected["tz"])
    before = list(Trade.objects.filter(user=user).order_by("id").values())
    again = run(user, sample, tz=expected["tz"])
    assert again.status == "succeeded", again.errors
    assert (again.executions_created, again.trades_created, again.trades_updated) == (0, 0, 0)
    assert again.duplicates == expected["fills"]
    assert list(Trade.objects.filter(user=user).order_by("id").values()) == before
