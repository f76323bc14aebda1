"""Tradovate Position History: a buy and a sell paired per row, read as entry and exit."""

import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from imports.formats import base, tradovate_positions

DATA = Path(__file__).parent / "data" / "imports"
NEW_YORK = ZoneInfo("America/New_York")
HEADER = (
    "Position ID,Timestamp,Account,Contract,Pair ID,Buy Fill ID,Sell Fill ID,Paired Qty,Buy Price,Sell Price,P/L,"
    "Currency,Bought Timestamp,Sold Timestamp"
)


def sample(name: str) -> str:
    return base.decode((DATA / "tradovate_positions" / name).read_bytes())


def parse(text: str, tz: ZoneInfo = NEW_YORK) -> base.Summary:
    return base.Summary.of(tradovate_positions.parse(text, tz=tz))


@pytest.mark.parametrize("name", ["position_history.csv", "position_history_older_layout.csv"])
def test_samples_give_the_fills_skips_and_errors_worked_out_by_hand(name):
    expected = json.loads((DATA / "tradovate_positions" / f"{name}.expected.json").read_text())
    summary = parse(sample(name), ZoneInfo(expected["tz"]))
    assert len(summary.fills) == expected["fills"]
    assert [(s.row, text in s.reason) for s, (_, text) in zip(summary.skipped, expected["skipped"], strict=True)] == [
        (row, True) for row, _ in expected["skipped"]
    ]
    assert [(e.row, text in e.message) for e, (_, text) in zip(summary.errors, expected["errors"], strict=True)] == [
        (row, True) for row, _ in expected["errors"]
    ]


def test_a_pair_bought_first_is_a_long_entry_and_exit():
    entry, exit_ = parse(sample("position_history.csv")).fills[2:4]
    assert (entry.side, entry.price, entry.effect, exit_.side, exit_.price, exit_.effect) == (
        base.BUY, Decimal("25060.75"), base.OPEN, base.SELL, Decimal("25048.50"), base.CLOSE,
    )  # fmt: skip
    assert entry.time == datetime(2026, 4, 9, 19, 38, 40, tzinfo=UTC)
    assert entry.row == exit_.row == 3
    assert entry.quantity == exit_.quantity == Decimal(1)


def test_a_pair_sold_first_is_a_short():
    entry, exit_ = parse(sample("position_history.csv")).fills[6:8]
    assert (entry.side, entry.price, exit_.side, exit_.price) == (
        base.SELL,
        Decimal("25051.00"),
        base.BUY,
        Decimal("25064.00"),
    )


def test_a_pair_filled_in_the_same_second_goes_by_fill_id():
    entry, exit_ = parse(sample("position_history.csv")).fills[:2]
    assert entry.time == exit_.time
    assert (entry.side, exit_.side) == (base.BUY, base.SELL)  # buy fill ...203 came before sell fill ...221


def test_pl_states_the_point_value_and_the_account_its_currency():
    fills = parse(sample("position_history_older_layout.csv")).fills
    assert {(f.instrument, f.multiplier) for f in fills} == {("MESM6", Decimal(5)), ("NQM6", Decimal(20))}
    assert fills[0].account == base.AccountRef(number="LFE1007363489002", currency="USD")
    assert {f.exec_id for f in fills} == {None}
    assert {f.asset_class for f in fills} == {base.FUTURE}


def test_a_fill_split_across_two_pairs_gives_two_trades():
    fills = [f for f in parse(sample("position_history_older_layout.csv")).fills if f.row in (4, 5)]
    assert [(f.side, f.quantity, f.price) for f in fills] == [
        (base.BUY, 1, Decimal("6840.50")), (base.SELL, 1, Decimal("6845.00")),
        (base.BUY, 2, Decimal("6840.50")), (base.SELL, 2, Decimal("6842.25")),
    ]  # fmt: skip


def test_a_pair_whose_price_did_not_move_leaves_the_point_value_to_the_table():
    text = f"{HEADER}\n1,x,A1,ESM6,9,1,2,1,6000.00,6000.00,0.00,USD,04/09/2026 10:00:00,04/09/2026 10:05:00\n"
    assert {f.multiplier for f in parse(text).fills} == {None}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("1,x,A1,ESM6,9,1,2,0,6000,6010,500,USD,04/09/2026 10:00:00,04/09/2026 10:05:00", "above 0"),
        ("1,x,A1,ESM6,9,1,2,1,,6010,500,USD,04/09/2026 10:00:00,04/09/2026 10:05:00", "buy price is missing"),
        ("1,x,A1,ESM6,9,1,2,1,6000,6010,500,USD,04/09/2026 10:00:00,", "sold timestamp"),
        ("1,x,A1,,9,1,2,1,6000,6010,500,USD,04/09/2026 10:00:00,04/09/2026 10:05:00", "contract is missing"),
    ],
)
def test_a_bad_row_is_an_error_on_its_row(row, message):
    good = "2,x,A1,ESM6,9,3,4,1,6000,6010,500,USD,04/09/2026 11:00:00,04/09/2026 11:05:00"
    summary = parse(f"{HEADER}\n{row}\n{good}\n")
    assert [(e.row, message in e.message) for e in summary.errors] == [(2, True)]
    assert {f.row for f in summary.fills} == {3}


def test_samples_of_other_formats_are_not_position_history():
    for path in DATA.glob("*/*"):
        if path.suffix in (".json", ".md") or path.name.startswith("."):
            continue
        head = base.decode(path.read_bytes())[: 16 * 1024]
        assert tradovate_positions.detect(head) == (path.parent.name == "tradovate_positions"), path


HOSTILE = {
    "garbage bytes": (bytes(range(256)) * 40, "format error"),
    "truncated mid-row": (
        (HEADER + "\n1,x,A1,ESM6,9,1,2,1,6000,6010,500,USD,04/09/2026 10:00:00,04/09/20").encode(),
        "row error",
    ),
    "one column": (b"Position ID\n1\n", "format error"),
    "huge number": (
        (
            HEADER + "\n1,x,A1,ESM6,9,1,2,1E+999999999,6000,6010,5,USD,04/09/2026 10:00:00,04/09/2026 10:05:00\n"
        ).encode(),
        "row error",
    ),
    "huge fill id": (
        (
            HEADER
            + "\n1,x,A1,ESM6,9,"
            + "9" * 5000
            + ",2,1,6000,6010,500,USD,04/09/2026 10:00:00,04/09/2026 10:00:00\n"
        ).encode(),
        "fill",
    ),
    "10000 columns": (
        (
            HEADER
            + "\n1,x,A1,ESM6,9,1,2,1,6000,6010,500,USD,04/09/2026 10:00:00,04/09/2026 10:05:00"
            + ",x" * 10_000
            + "\n"
        ).encode(),
        "fill",
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
