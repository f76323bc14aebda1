"""NinjaTrader 8 Trades grid: a round trip a row, its net Profit the money that decides."""

import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from imports.formats import base, ninjatrader_trades

DATA = Path(__file__).parent / "data" / "imports"
NEW_YORK = ZoneInfo("America/New_York")
HEADER = "Trade number,Instrument,Account,Strategy,Market pos.,Qty,Entry price,Exit price,Entry time,Exit time,Profit,Commission"


def sample(name: str) -> str:
    return base.decode((DATA / "ninjatrader_trades" / name).read_bytes())


def parse(text: str, tz: ZoneInfo = NEW_YORK) -> base.Summary:
    return base.Summary.of(ninjatrader_trades.parse(text, tz=tz))


def one_trade(cells: str) -> list[base.Fill]:
    return parse(f"{HEADER}\n1,{cells}\n").fills


@pytest.mark.parametrize("name", ["trades_grid.csv", "trades_full_columns.csv"])
def test_samples_give_the_fills_skips_and_errors_worked_out_by_hand(name):
    expected = json.loads((DATA / "ninjatrader_trades" / f"{name}.expected.json").read_text())
    summary = parse(sample(name), ZoneInfo(expected["tz"]))
    assert len(summary.fills) == expected["fills"]
    assert [s.row for s in summary.skipped] == [row for row, _ in expected["skipped"]]
    assert [(e.row, text in e.message) for e, (_, text) in zip(summary.errors, expected["errors"], strict=True)] == [
        (row, True) for row, _ in expected["errors"]
    ]


def test_each_row_is_an_entry_and_an_exit_fill_on_that_row():
    fills = parse(sample("trades_grid.csv")).fills
    long_entry, long_exit, short_entry, short_exit = fills[:4]
    assert (long_entry.side, long_exit.side, short_entry.side, short_exit.side) == (
        base.BUY,
        base.SELL,
        base.SELL,
        base.BUY,
    )
    assert (long_entry.effect, long_exit.effect) == (base.OPEN, base.CLOSE)
    assert (long_entry.row, long_exit.row, short_entry.row) == (2, 2, 3)
    assert (short_entry.price, short_exit.price) == (Decimal("30151.25"), Decimal("30126.25"))
    assert long_entry.time == datetime(2026, 7, 2, 13, 12, tzinfo=UTC)
    assert long_entry.account == base.AccountRef(number="DEMO6557236")


def test_costs_that_profit_took_beyond_the_listed_commission_become_fees():
    # MNQ +25 points is $50 gross; Profit says $48.10 and Commission $0.78: $1.12 of fees unlisted.
    entry, exit_ = parse(sample("trades_grid.csv")).fills[:2]
    assert (entry.commission, entry.fees, entry.multiplier) == (Decimal("0.78"), Decimal("1.12"), None)
    assert (exit_.commission, exit_.fees) == (0, 0)


def test_listed_fee_columns_add_up_to_the_fees():
    entry = parse(sample("trades_full_columns.csv")).fills[0]
    assert (entry.commission, entry.fees) == (Decimal("1.18"), Decimal("1.92"))


def test_profit_states_the_point_value_of_a_root_the_table_lacks():
    fdxm = [f for f in parse(sample("trades_full_columns.csv")).fills if f.instrument == "FDXM 03-25"]
    assert {f.multiplier for f in fdxm} == {Decimal(5)}


def test_profit_far_from_the_tables_point_value_wins():
    # GC is $100 a point in the table; +2 points on 1 contract making $20 means $10 a point.
    fills = one_trade("GC 04-25,Sim101,,Long,1,2900.0,2902.0,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,$20.00,$0.00")
    assert {f.multiplier for f in fills} == {Decimal(10)}


def test_profit_written_before_costs_keeps_the_table_and_the_listed_costs():
    fills = one_trade("ES 03-25,Sim101,,Short,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,$500.00,$4.50")
    assert (fills[0].multiplier, fills[0].commission, fills[0].fees) == (None, Decimal("4.50"), 0)


def test_blank_trailing_rows_are_not_rows():
    summary = parse(sample("trades_grid.csv"))
    assert summary.rows_total == 6
    assert not summary.skipped and not summary.errors


def test_a_european_grid_reads_decimal_commas_and_day_first_dates():
    text = (
        HEADER.replace(",", ";")
        + "\n1;NQ JUN26;Sim101;;Long;1;23955,50;23960,00;01/04/2026 00:27:56;01/04/2026 00:30:54;86,10 $;3,90 $\n"
    )
    entry, exit_ = parse(text, ZoneInfo("Europe/Paris")).fills
    assert (entry.price, exit_.price, entry.commission) == (Decimal("23955.50"), Decimal("23960.00"), Decimal("3.90"))
    assert entry.time == datetime(2026, 3, 31, 22, 27, 56, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("ES 03-25,Sim101,,Flat,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,$500.00,$4.50", "market position"),
        (
            "ES 03-25,Sim101,,Long,1,6000,,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,$500.00,$4.50",
            "exit price is missing",
        ),
        ("ES 03-25,Sim101,,Long,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 29:40:00 AM,$500.00,$4.50", "exit time"),
        ("ES 03-25,Sim101,,Long,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,$5x0.00,$4.50", "not a number"),
    ],
)
def test_a_bad_row_is_an_error_on_its_row(cells, message):
    summary = parse(
        f"{HEADER}\n1,{cells}\n2,ES 03-25,Sim101,,Long,1,6000,6001,1/2/2025 9:50:00 AM,1/2/2025 9:55:00 AM,$50,$0\n"
    )
    assert [(e.row, message in e.message) for e in summary.errors] == [(2, True)]
    assert {f.row for f in summary.fills} == {3}


def test_samples_of_other_formats_are_not_ninjatrader_trades():
    for path in DATA.glob("*/*"):
        if path.suffix in (".json", ".md") or path.name.startswith("."):
            continue
        head = base.decode(path.read_bytes())[: 16 * 1024]
        assert ninjatrader_trades.detect(head) == (path.parent.name == "ninjatrader_trades"), path


HOSTILE = {
    "garbage bytes": (bytes(range(256)) * 40, "format error"),
    "truncated mid-row": ((HEADER + "\n1,ES 03-25,Sim101,,Long,1,6000,5990,1/2/2025 9:3").encode(), "row error"),
    "one column": (b"Trade number\n1\n", "format error"),
    "huge number": (
        (
            HEADER + "\n1,ES 03-25,S,,Long,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,1E+999999999,$0\n"
        ).encode(),
        "row error",
    ),
    "10000 columns": (
        (
            HEADER + "\n1,ES 03-25,S,,Long,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM" + ",9" * 10_000 + "\n"
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
