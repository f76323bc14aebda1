"""Tradovate Position History: a buy and a sell paired per row, read as entry and exit."""

from datetime import UTC, datetime
from decimal import Decimal

from imports.formats import base, tradovate_positions
from tests.formats_helpers import HEADERS, reader

HEADER = HEADERS["tradovate_positions"]
sample, parse = reader(tradovate_positions)


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
