"""Tradovate Orders report: a filled order is one fill, every other order a skip with its status."""

import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from imports.formats import base, tradovate_orders

DATA = Path(__file__).parent / "data" / "imports"
NEW_YORK = ZoneInfo("America/New_York")
HEADER = "orderId,Account,Order ID,B/S,Contract,Product,avgPrice,filledQty,Fill Time,Status,Quantity,Type,Notional Value,Currency"


def sample(name: str) -> str:
    return base.decode((DATA / "tradovate_orders" / name).read_bytes())


def parse(text: str, tz: ZoneInfo = NEW_YORK) -> base.Summary:
    return base.Summary.of(tradovate_orders.parse(text, tz=tz))


@pytest.mark.parametrize("name", ["orders.csv", "orders_older_layout.csv"])
def test_samples_give_the_fills_skips_and_errors_worked_out_by_hand(name):
    expected = json.loads((DATA / "tradovate_orders" / f"{name}.expected.json").read_text())
    summary = parse(sample(name), ZoneInfo(expected["tz"]))
    assert len(summary.fills) == expected["fills"]
    assert [(s.row, text in s.reason) for s, (_, text) in zip(summary.skipped, expected["skipped"], strict=True)] == [
        (row, True) for row, _ in expected["skipped"]
    ]
    assert [(e.row, text in e.message) for e, (_, text) in zip(summary.errors, expected["errors"], strict=True)] == [
        (row, True) for row, _ in expected["errors"]
    ]


def test_a_filled_order_is_one_fill_at_its_average_price_with_no_execution_id():
    fill = parse(sample("orders.csv")).fills[0]
    assert (fill.instrument, fill.side, fill.quantity, fill.price) == (
        "MNQM6",
        base.BUY,
        Decimal(5),
        Decimal("28531.75"),
    )
    assert fill.exec_id is None
    assert fill.time == datetime(2026, 6, 10, 20, 0, 5, tzinfo=UTC)
    assert fill.account == base.AccountRef(number="ACCT0000000000000", currency="USD")
    assert fill.asset_class == base.FUTURE


def test_notional_value_states_the_point_value():
    assert {f.multiplier for f in parse(sample("orders.csv")).fills} == {Decimal(2)}


def test_without_notional_value_the_table_decides():
    assert {f.multiplier for f in parse(sample("orders_older_layout.csv")).fills} == {None}


def test_cancelled_rejected_working_and_expired_orders_are_skipped_with_their_status():
    reasons = {s.row: s.reason for s in parse(sample("orders_older_layout.csv")).skipped}
    assert reasons == {
        3: "cancelled order",
        4: "cancelled order",
        8: "rejected order",
        9: "working order, not filled",
        10: "expired order, never filled",
    }


def test_a_partly_filled_order_then_cancelled_counts_what_filled():
    fill = next(f for f in parse(sample("orders_older_layout.csv")).fills if f.row == 6)
    assert (fill.side, fill.quantity, fill.price) == (base.BUY, Decimal(1), Decimal("6850.25"))


def test_an_unknown_status_without_a_fill_is_skipped_saying_so():
    text = f"{HEADER}\n1,A1,1, Buy,ESM6,ES,,,,PendingReplace,1, Limit,,USD\n"
    assert parse(text).skipped == [base.Skip(2, "order pendingreplace, not filled")]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("1,A1,1, Hold,ESM6,ES,6000,1,06/10/2026 16:00:05, Filled,1, Market,,USD", "B/S"),
        ("1,A1,1, Buy,ESM6,ES,6000,1,06/31/2026 16:00:05, Filled,1, Market,,USD", "fill time"),
        ("1,A1,1, Buy,ESM6,ES,,1,06/10/2026 16:00:05, Filled,1, Market,,USD", "average fill price is missing"),
        ("1,A1,1, Buy,ESM6,ES,6000,,06/10/2026 16:00:05, Filled,1, Market,,USD", "no filled quantity"),
    ],
)
def test_a_bad_row_is_an_error_on_its_row(row, message):
    summary = parse(f"{HEADER}\n{row}\n2,A1,2, Sell,ESM6,ES,6001,1,06/10/2026 16:01:00, Filled,1, Market,,USD\n")
    assert [(e.row, message in e.message) for e in summary.errors] == [(2, True)]
    assert [f.row for f in summary.fills] == [3]


def test_samples_of_other_formats_are_not_tradovate_orders():
    for path in DATA.glob("*/*"):
        if path.suffix in (".json", ".md") or path.name.startswith("."):
            continue
        head = base.decode(path.read_bytes())[: 16 * 1024]
        assert tradovate_orders.detect(head) == (path.parent.name == "tradovate_orders"), path


HOSTILE = {
    "garbage bytes": (bytes(range(256)) * 40, "format error"),
    "truncated mid-row": ((HEADER + "\n1,A1,1, Buy,ESM6,ES,6000,1,06/10/20").encode(), "row error"),
    "one column": (b"orderId\n1\n", "format error"),
    "huge number": (
        (HEADER + "\n1,A1,1, Buy,ESM6,ES,6000,1E+999999999,06/10/2026 16:00:05, Filled\n").encode(),
        "row error",
    ),
    "10000 columns": (
        (HEADER + "\n1,A1,1, Buy,ESM6,ES,6000,1,06/10/2026 16:00:05, Filled" + ",x" * 10_000 + "\n").encode(),
        "row error",
    ),
    "giant field": ((HEADER + '\n1,"' + "A" * 200_000 + '"\n').encode(), "format error"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_gives_a_format_error_or_row_errors_quickly(name):
    data, outcome = HOSTILE[name]
    started = time.perf_counter()
    try:
        summary = parse(base.decode(data))
        result = "row error" if summary.errors else "fill" if summary.fills else "nothing"
    except base.FormatError:
        result = "format error"
    assert time.perf_counter() - started < 2
    assert result == outcome
