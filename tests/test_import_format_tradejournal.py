"""Our own export read back: one trade a row, every digit and every character of the notes kept."""

import csv
import io
import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from imports.formats import base, tradejournal

DATA = Path(__file__).parent / "data" / "imports"
HEADER = ",".join(tradejournal.COLUMNS)


def sample(name: str = "export.csv") -> str:
    return base.decode((DATA / "tradejournal" / name).read_bytes())


def parse(text: str) -> base.Summary:
    return base.Summary.of(tradejournal.parse(text, tz=ZoneInfo("America/New_York")))


def test_sample_gives_the_fills_worked_out_by_hand():
    expected = json.loads((DATA / "tradejournal" / "export.csv.expected.json").read_text())
    summary = parse(sample())
    assert (len(summary.fills), summary.skipped, summary.errors) == (expected["fills"], [], [])


def test_columns_are_the_exports_layout():
    assert tradejournal.COLUMNS[:5] == ("id", "account", "account_number", "currency", "instrument")
    assert len(tradejournal.COLUMNS) == len(set(tradejournal.COLUMNS)) == 21
    assert sample().splitlines()[0] == HEADER


def test_a_closed_trade_is_an_entry_fill_with_all_commission_and_an_exit_fill():
    entry, exit_ = [f for f in parse(sample()).fills if f.row == 3]
    assert (entry.side, entry.price, entry.commission, entry.effect) == (
        base.SELL,
        Decimal("5710.25"),
        Decimal("2.48"),
        base.OPEN,
    )
    assert (exit_.side, exit_.price, exit_.commission, exit_.effect) == (base.BUY, Decimal("5702.50"), 0, base.CLOSE)
    assert entry.quantity == exit_.quantity == Decimal(2)
    assert entry.multiplier == exit_.multiplier == Decimal(5)
    assert exit_.time == datetime(2025, 3, 15, 10, 52, 30, 500000, tzinfo=UTC)


def test_an_open_trade_is_one_entry_fill_keeping_every_digit():
    fills = [f for f in parse(sample()).fills if f.row == 4]
    assert len(fills) == 1
    assert str(fills[0].price) == "245.1000"
    assert fills[0].account == base.AccountRef(number="DE-998877", name="Depot EUR", currency="EUR")


def test_trade_details_ride_on_the_entry_fill():
    entry = parse(sample()).fills[0]
    assert entry.trade == {
        "setup_type": "breakout",
        "notes": 'Clean break, held the "retest"\nthen trailed',
        "stop_loss": Decimal("183.50"),
        "take_profit": Decimal("190.00"),
        "initial_risk": Decimal("175.00"),
        "tags": ["breakout", "a+"],
    }
    assert parse(sample()).fills[1].trade is None


def test_no_account_columns_means_no_account():
    assert {f.account for f in parse(sample()).fills if f.row == 5} == {None}


def test_times_are_utc_whatever_the_tz():
    assert parse(sample()).fills[0].time == datetime(2025, 3, 14, 14, 30, tzinfo=UTC)


def test_an_exported_row_reads_back_to_the_same_values():
    values = dict.fromkeys(tradejournal.COLUMNS, "")
    values |= {
        "id": "7", "account": "Konto, Ümlaut", "account_number": "X-1", "currency": "CHF", "instrument": "NQM5",
        "side": "short", "quantity": "3", "multiplier": "20", "entry_time": "2025-05-01T13:30:00.000001Z",
        "entry_price": "21000.123456789", "exit_time": "2025-05-01T14:00:00.000000Z", "exit_price": "20990.5",
        "commission": "6.60", "stop_loss": "21010", "setup_type": "ORB", "notes": ' two  spaces "q"\r\nline ',
        "tags": "a, b ,c",
    }  # fmt: skip
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=tradejournal.COLUMNS)
    writer.writeheader()
    writer.writerow(values)
    entry, exit_ = parse(out.getvalue()).fills
    assert (entry.price, exit_.price, entry.quantity, entry.multiplier) == (
        Decimal("21000.123456789"), Decimal("20990.5"), Decimal(3), Decimal(20),
    )  # fmt: skip
    assert entry.time == datetime(2025, 5, 1, 13, 30, 0, 1, tzinfo=UTC)
    assert entry.trade["notes"] == values["notes"]
    assert entry.trade["tags"] == ["a", "b", "c"]
    assert entry.account == base.AccountRef(number="X-1", name="Konto, Ümlaut", currency="CHF")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"side": "up"}, "not long or short"),
        ({"exit_price": ""}, "both or neither"),
        ({"quantity": "-1"}, "above 0"),
        ({"entry_time": "yesterday"}, "entry time"),
        ({"entry_price": "12,3.4"}, "not a number"),
    ],
)
def test_a_bad_row_is_an_error_on_its_row(change, message):
    row = dict.fromkeys(tradejournal.COLUMNS, "")
    row |= {"instrument": "ES", "side": "long", "quantity": "1", "multiplier": "50", "entry_time": "2025-01-02T15:00:00Z",
            "entry_price": "5000", "exit_time": "2025-01-02T16:00:00Z", "exit_price": "5010"}  # fmt: skip
    good = ",".join(row.values())
    row |= change
    summary = parse(f"{HEADER}\n{','.join(row.values())}\n{good}\n")
    assert [(e.row, message in e.message) for e in summary.errors] == [(2, True)]
    assert {f.row for f in summary.fills} == {3}


def test_detection_wants_exactly_our_header():
    assert tradejournal.detect("\ufeff" + HEADER + "\n")
    assert tradejournal.detect(HEADER + ",extra\n")
    assert not tradejournal.detect(HEADER.replace("net_pnl", "netpnl"))
    assert not tradejournal.detect("id,account\n")


def test_samples_of_other_formats_are_not_ours():
    for path in DATA.glob("*/*"):
        if path.suffix in (".json", ".md") or path.name.startswith("."):
            continue
        head = base.decode(path.read_bytes())[: 16 * 1024]
        assert tradejournal.detect(head) == (path.parent.name == "tradejournal"), path


HOSTILE = {
    "garbage bytes": (bytes(range(256)) * 40, "format error"),
    "truncated mid-row": ((HEADER + "\n101,,,,AAPL,long,100,1,2025-03-1").encode(), "row error"),
    "one column": (b"id\n1\n", "format error"),
    "huge number": ((HEADER + "\n1,,,,ES,long,1E+999999999,1,2025-01-02T15:00:00Z,5000\n").encode(), "row error"),
    "10000 columns": (
        (HEADER + "\n1,,,,ES,long,1,1,2025-01-02T15:00:00Z,5000" + ",x" * 10_000 + "\n").encode(),
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
