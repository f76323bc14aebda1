"""The fill-to-trade engine: the contract's worked examples (corporate actions among them), and
properties over random fill sequences checked against a naive per-unit ledger written here."""

import itertools
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from math import floor, gcd
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports.engine import (
    CLOSES_TOO_MUCH,
    LONG,
    NOTHING_TO_CLOSE,
    SHORT,
    Adjustment,
    Allocation,
    BuiltTrade,
    Execution,
    Rejection,
    build_trades,
)
from imports.formats.base import BUY, CLOSE, OPEN, SELL
from journal.models import Side, compute_pnl

T0 = datetime(2025, 3, 14, 14, 30, tzinfo=UTC)
D = Decimal


def fill(
    key, side, quantity, price, *, at=0, commission="0", fees="0", multiplier="1", effect=None, group=None,
    instrument="",
):  # fmt: skip
    return Execution(
        key=key,
        time=T0 + timedelta(seconds=at),
        side=side,
        quantity=D(quantity),
        price=D(price),
        commission=D(commission),
        fees=D(fees),
        multiplier=D(multiplier),
        effect=effect,
        group=group,
        instrument=instrument,
    )


def action(instrument, new_instrument, old_units, new_units, *, at):
    """A corporate action: every `old_units` of `instrument` are `new_units` of `new_instrument`."""
    return Adjustment(T0 + timedelta(seconds=at), instrument, new_instrument, D(old_units), D(new_units))


def parts(trade):
    """(key, quantity, opening) of each allocation, for compact assertions."""
    return [(a.key, a.quantity, a.opening) for a in trade.allocations]


# --- Worked examples ----------------------------------------------------------------------------


def test_scale_ins_and_partial_closes_belong_to_one_trade():
    build = build_trades(
        [
            fill(1, BUY, "100", "10", at=0, commission="1"),
            fill(2, BUY, "100", "12", at=60, commission="1"),
            fill(3, SELL, "50", "13", at=120, commission="0.5"),
            fill(4, SELL, "150", "15", at=180, commission="1.5", fees="0.02"),
        ]
    )
    assert build.rejected == []
    [trade] = build.trades
    assert trade.side == Side.LONG
    assert trade.quantity == D(200)
    assert (trade.entry_time, trade.entry_price) == (T0, D(11))
    assert (trade.exit_time, trade.exit_price) == (T0 + timedelta(seconds=180), D("14.5"))
    assert trade.commission == D("4.02")
    assert trade.opening_key == 1
    assert parts(trade) == [(1, D(100), True), (2, D(100), True), (3, D(50), False), (4, D(150), False)]


def test_a_fill_that_crosses_flat_closes_the_trade_and_opens_the_next_with_fees_split_by_quantity():
    build = build_trades(
        [
            fill(1, BUY, "2", "100", at=0, commission="0.5"),
            fill(2, SELL, "5", "110", at=10, commission="1.00", fees="0.10"),
            fill(3, BUY, "3", "105", at=20),
        ]
    )
    long, short = build.trades
    assert (long.side, long.quantity, long.exit_price, long.exit_time) == (
        "long",
        D(2),
        D(110),
        T0 + timedelta(seconds=10),
    )
    assert [(a.commission, a.fees) for a in long.allocations] == [(D("0.5"), D(0)), (D("0.40"), D("0.04"))]
    assert long.commission == D("0.94")
    assert (short.side, short.quantity, short.entry_price, short.exit_price) == ("short", D(3), D(110), D(105))
    assert short.entry_time == long.exit_time
    assert short.opening_key == 2
    assert [(a.commission, a.fees) for a in short.allocations] == [(D("0.60"), D("0.06")), (D(0), D(0))]
    assert parts(short) == [(2, D(3), True), (3, D(3), False)]


def test_split_fees_are_rounded_to_8_places_and_the_last_part_takes_the_remainder():
    long, short = build_trades([fill(1, BUY, "1", "10"), fill(2, SELL, "3", "10", at=1, commission="1")]).trades
    assert long.allocations[1].commission == D("0.33333333")
    assert short.allocations[0].commission == D("0.66666667")
    long, short = build_trades([fill(1, BUY, "1", "10"), fill(2, SELL, "2", "10", at=1, fees="0.00000001")]).trades
    assert (long.allocations[1].fees, short.allocations[0].fees) == (D("0.00000001"), D(0))  # half-up


def test_prices_are_quantity_weighted_averages_rounded_half_up_to_8_places():
    build = build_trades(
        [
            fill(1, BUY, "1", "10.00000001", at=0),
            fill(2, BUY, "1", "10.00000000", at=1),
            fill(3, SELL, "2", "11", at=2),
            fill(4, SELL, "1", "20", at=3),
            fill(5, SELL, "2", "21", at=4),
            fill(6, BUY, "3", "19", at=5),
        ]
    )
    long, short = build.trades
    assert long.entry_price == D("10.00000001")  # 10.000000005: half-up, not half-even
    assert (long.quantity, long.exit_price) == (D(2), D(11))
    assert short.entry_price == D("20.66666667")  # (20 + 2 x 21) / 3
    assert (short.quantity, short.exit_price) == (D(3), D(19))


def test_an_open_position_is_an_open_trade_that_later_fills_complete():
    fills = [
        fill(1, SELL, "0.5", "65000", at=0, commission="1"),
        fill(2, SELL, "0.25", "64000", at=5, commission="1"),
        fill(3, BUY, "0.25", "63000", at=10, commission="1"),
        fill(4, BUY, "0.5", "62000", at=20, commission="1"),
    ]
    [before] = build_trades(fills[:3]).trades
    assert (before.side, before.exit_time, before.exit_price) == ("short", None, None)
    assert before.quantity == D("0.75")
    assert before.commission == D(3)  # the partial close is part of the open trade

    [after] = build_trades(fills).trades
    assert after.opening_key == before.opening_key == 1
    assert (after.entry_time, after.entry_price) == (before.entry_time, before.entry_price)
    assert (after.exit_time, after.exit_price) == (T0 + timedelta(seconds=20), D("62333.33333333"))
    assert after.commission == D(4)


def test_an_expired_option_closes_at_price_zero():
    [trade] = build_trades(
        [
            fill(1, BUY, "2", "1.25", at=0, commission="1.30", multiplier="100", effect=OPEN),
            fill(2, SELL, "2", "0", at=86400, multiplier="100", effect=CLOSE),
        ]
    ).trades
    assert (trade.exit_price, trade.multiplier, trade.commission) == (D(0), D(100), D("1.30"))
    pnl, _ = compute_pnl(
        side=trade.side, quantity=trade.quantity, entry_price=trade.entry_price, exit_price=trade.exit_price,
        commission=trade.commission,
    )  # fmt: skip
    assert pnl * trade.multiplier == D(-250)


def test_a_fill_at_price_zero_only_closes_whatever_its_effect():
    build = build_trades(
        [
            fill(1, SELL, "1", "0", at=0),  # an expiration of a position opened before the file
            fill(2, BUY, "2", "1.5", at=10),
            fill(3, SELL, "3", "0", at=20),  # expires the 2 held; the third can't open at 0
        ]
    )
    assert [(t.quantity, t.exit_price) for t in build.trades] == [(D(2), D(0))]
    assert [(r.key, r.quantity, r.reason) for r in build.rejected] == [
        (1, D(1), NOTHING_TO_CLOSE), (3, D(1), CLOSES_TOO_MUCH),
    ]  # fmt: skip


def test_a_close_with_no_open_position_is_rejected_never_reversed():
    build = build_trades(
        [
            fill(1, SELL, "3", "50", at=0, commission="0.9", fees="0.03", effect=CLOSE),
            fill(2, BUY, "1", "49", at=5, effect=OPEN),
            fill(3, SELL, "1", "51", at=6, effect=CLOSE),
        ]
    )
    assert build.rejected == [Rejection(1, D(3), NOTHING_TO_CLOSE, D("0.9"), D("0.03"))]
    [trade] = build.trades
    assert (trade.side, trade.opening_key, trade.exit_price) == ("long", 2, D(51))


def test_a_close_in_the_direction_of_the_open_position_is_rejected():
    build = build_trades([fill(1, BUY, "2", "10", effect=OPEN), fill(2, BUY, "1", "11", at=1, effect=CLOSE)])
    assert build.rejected == [Rejection(2, D(1), NOTHING_TO_CLOSE)]
    [trade] = build.trades
    assert (trade.quantity, trade.exit_time) == (D(2), None)


def test_a_close_larger_than_the_position_closes_it_and_rejects_the_excess():
    build = build_trades(
        [
            fill(1, BUY, "1", "10", at=0, effect=OPEN),
            fill(2, SELL, "4", "12", at=1, commission="1", fees="0.01", effect=CLOSE),
            fill(3, BUY, "1", "11", at=2),
        ]
    )
    assert build.rejected == [Rejection(2, D(3), CLOSES_TOO_MUCH, D("0.75"), D("0.0075"))]
    first, second = build.trades
    assert parts(first) == [(1, D(1), True), (2, D(1), False)]
    assert (first.exit_price, first.commission) == (D(12), D("0.2525"))
    assert (second.side, second.opening_key, second.exit_time) == ("long", 3, None)  # not a reverse trade


def test_an_open_fill_against_an_opposite_position_reduces_it_and_crosses_flat():
    # The file says "buy to open" while short: the net position decides, as the broker's does.
    long_then_short = build_trades([fill(1, SELL, "2", "10", effect=OPEN), fill(2, BUY, "5", "9", at=1, effect=OPEN)])
    short, long = long_then_short.trades
    assert (short.side, short.exit_price, short.quantity) == ("short", D(9), D(2))
    assert (long.side, long.quantity, long.entry_price, long.exit_time) == ("long", D(3), D(9), None)
    assert long_then_short.rejected == []


def test_grouped_fills_make_a_trade_of_their_own_beside_the_stream_and_other_groups():
    build = build_trades(
        [
            fill(1, BUY, "5", "100", at=0),
            fill(2, SELL, "2", "101", at=10, group="row 2", effect=OPEN),
            fill(3, BUY, "2", "99", at=40, group="row 2", effect=CLOSE),
            fill(4, BUY, "1", "100", at=20, group="row 3"),
            fill(5, SELL, "1", "102", at=30, group="row 3"),
            fill(6, SELL, "5", "103", at=50),
        ]
    )
    assert [(t.opening_key, t.side, t.quantity, t.exit_price) for t in build.trades] == [
        (1, "long", D(5), D(103)),
        (2, "short", D(2), D(99)),
        (4, "long", D(1), D(102)),
    ]
    assert [parts(t) for t in build.trades][1] == [(2, D(2), True), (3, D(2), False)]


def test_a_group_exit_at_its_entry_time_follows_the_entry_whatever_the_keys():
    [trade] = build_trades(
        [fill(8, SELL, "1", "12", group="row 7", effect=CLOSE), fill(9, BUY, "1", "10", group="row 7", effect=OPEN)]
    ).trades
    assert (trade.side, trade.opening_key, trade.entry_price, trade.exit_price) == ("long", 9, D(10), D(12))


def test_fills_at_the_same_time_are_ordered_by_key():
    same_instant = T0.astimezone(ZoneInfo("America/New_York"))
    build = build_trades(
        [
            fill(3, BUY, "1", "10"),
            replace(fill(2, SELL, "1", "11"), time=same_instant),
            fill(4, BUY, "1", "12", at=1),
        ]
    )
    [trade, rest] = build.trades
    assert (trade.side, trade.opening_key, trade.entry_price, trade.exit_price) == ("short", 2, D(11), D(10))
    assert (rest.side, rest.opening_key) == ("long", 4)


def test_a_trade_takes_its_opening_fills_multiplier():
    [trade] = build_trades(
        [fill(1, BUY, "1", "10", multiplier="50"), fill(2, SELL, "1", "11", at=1, multiplier="5")]
    ).trades
    assert trade.multiplier == D(50)


def test_trades_are_listed_by_entry_time_and_rejections_in_time_order():
    build = build_trades(
        [
            fill(5, SELL, "1", "10", at=30, effect=CLOSE),
            fill(1, BUY, "1", "10", at=50, group="b"),
            fill(2, BUY, "1", "10", at=40, group="a"),
            fill(3, BUY, "1", "10", at=10, effect=CLOSE),
            fill(4, BUY, "1", "10", at=60),
        ]
    )
    assert [t.opening_key for t in build.trades] == [2, 1, 4]
    assert [r.key for r in build.rejected] == [3, 5]


# --- Corporate actions ---------------------------------------------------------------------------


def test_a_split_carries_the_position_and_the_closes_after_it_close_the_trade_with_the_cash_it_realized():
    build = build_trades(
        [
            fill(1, BUY, "10", "1000", at=0, commission="1", instrument="NVDA"),
            fill(2, SELL, "60", "121", at=20, commission="1", instrument="NVDA"),
            fill(3, SELL, "40", "130", at=30, instrument="NVDA"),
        ],
        [action("NVDA", "NVDA", "1", "10", at=10)],
    )
    (trade,) = build.trades
    assert (trade.instrument, trade.side, trade.quantity, trade.entry_price, trade.exit_price) == (
        "NVDA", LONG, 100, 100, D("124.6"),
    )  # fmt: skip
    assert (trade.exit_time, trade.fills_pnl, trade.commission) == (T0 + timedelta(seconds=30), D(2460), 2)
    assert parts(trade) == [(1, 10, True), (2, 60, False), (3, 40, False)]  # the fills as the broker printed them
    assert build.rejected == []


def test_a_symbol_change_moves_the_position_to_its_new_symbol_which_the_trade_closes_under():
    build = build_trades(
        [fill(1, SELL, "1", "1.32", at=0, multiplier="100", instrument="BFT P15"),
         fill(2, BUY, "1", "0.80", at=20, multiplier="100", instrument="PSFE P15")],
        [action("BFT P15", "PSFE P15", "1", "1", at=10)],
    )  # fmt: skip
    (trade,) = build.trades
    assert (trade.instrument, trade.side, trade.quantity, trade.exit_price, trade.fills_pnl) == (
        "PSFE P15", SHORT, 1, D("0.8"), D(52),
    )  # fmt: skip


def test_a_reverse_split_after_a_partial_close_scales_what_was_opened_and_closed_alike():
    build = build_trades(
        [
            fill(1, BUY, "800", "13", at=0, instrument="GE"),
            fill(2, SELL, "400", "14", at=5, instrument="GE"),
            fill(3, SELL, "50", "105", at=20, instrument="GE"),
        ],
        [action("GE", "GE", "8", "1", at=10)],
    )
    (trade,) = build.trades
    assert (trade.quantity, trade.entry_price, trade.exit_price, trade.exit_time) == (
        100, 104, D("108.5"), T0 + timedelta(seconds=20),
    )  # fmt: skip
    assert trade.fills_pnl == 400 * 14 + 50 * 105 - 800 * 13


def test_fills_at_the_instant_of_a_corporate_action_come_before_it():
    fills = [fill(1, BUY, "10", "50", at=0, instrument="X"), fill(2, BUY, "10", "50", at=10, instrument="X")]
    (trade,) = build_trades(fills, [action("X", "X", "1", "2", at=10)]).trades
    assert (trade.quantity, trade.entry_price) == (40, 25)


def test_a_corporate_action_with_nothing_held_changes_nothing():
    fills = [fill(1, BUY, "10", "50", at=0, instrument="X"), fill(2, SELL, "10", "55", at=10, instrument="X")]
    assert build_trades(fills, [action("X", "X", "1", "10", at=20), action("Y", "X", "1", "1", at=5)]) == (
        build_trades(fills)
    )


def test_a_symbol_change_onto_a_symbol_already_held_leaves_both_positions_as_they_are():
    fills = [
        fill(1, BUY, "10", "50", at=0, instrument="OLD"),
        fill(2, BUY, "5", "70", at=1, instrument="NEW"),
        fill(3, SELL, "5", "72", at=20, instrument="NEW"),
    ]
    build = build_trades(fills, [action("OLD", "NEW", "1", "1", at=10)])
    assert [(t.instrument, t.quantity, t.exit_price) for t in build.trades] == [("OLD", 10, None), ("NEW", 5, 72)]


@pytest.mark.parametrize(
    "bad",
    [action("X", "X", "0", "1", at=0), action("X", "X", "1", "NaN", at=0),
     replace(action("X", "X", "1", "2", at=0), time=datetime(2025, 3, 14, 14, 30))],
    ids=["zero", "nan", "naive"],
)  # fmt: skip
def test_an_impossible_corporate_action_is_a_value_error(bad):
    with pytest.raises(ValueError, match="adjustment of X"):
        build_trades([fill(1, BUY, "1", "10", instrument="X")], [bad])


def test_no_executions_build_nothing():
    assert build_trades([]).trades == build_trades([]).rejected == []


@pytest.mark.parametrize(
    "bad",
    [
        fill(1, BUY, "0", "10"),
        fill(1, BUY, "-1", "10"),
        fill(1, BUY, "1", "-0.01"),
        fill(1, BUY, "1", "NaN"),
        fill(1, BUY, "1", "10", commission="Infinity"),
        fill(1, BUY, "1", "10", multiplier="0"),
        fill(1, "short", "1", "10"),
        fill(1, BUY, "1", "10", effect="reduce"),
        replace(fill(1, BUY, "1", "10"), time=datetime(2025, 3, 14, 14, 30)),
        fill(2, BUY, "1", "10"),  # the same key as the good fill
    ],
    ids=["zero", "negative", "negative price", "nan", "infinite", "multiplier", "side", "effect", "naive", "dup"],
)
def test_impossible_input_is_a_value_error(bad):
    with pytest.raises(ValueError, match=r"execution \d"):
        build_trades([fill(2, SELL, "1", "10"), bad])


# --- Properties over random fill sequences -----------------------------------------------------

UNITS = [D(1), D("0.5"), D("0.001"), D("0.00000001")]
TICKS = [D("0.01"), D("0.25"), D("0.00000001"), D(5)]


@st.composite
def executions(draw):
    """Fills of one (account, instrument): many ties in time, keys in any order, prices and fees
    with up to 8 places, a price of 0 now and then, some stated effects, some trade-level groups."""
    unit, tick = draw(st.sampled_from(UNITS)), draw(st.sampled_from(TICKS))
    multiplier = draw(st.sampled_from([D(1), D(50), D(100), D("0.1")]))
    count = draw(st.integers(0, 30))
    keys = draw(st.lists(st.integers(1, 10**9), min_size=count, max_size=count, unique=True))
    return [
        Execution(
            key=key,
            time=T0 + timedelta(seconds=draw(st.integers(0, 12))),
            side=draw(st.sampled_from([BUY, SELL])),
            quantity=unit * draw(st.integers(1, 6)),
            price=tick * draw(st.integers(0, 10**6)),
            commission=draw(st.decimals(min_value=0, max_value=20, places=8)),
            fees=draw(st.decimals(min_value=0, max_value=1, places=8)),
            multiplier=multiplier,
            effect=draw(st.sampled_from([None, None, None, OPEN, CLOSE])),
            group=draw(st.sampled_from([None] * 6 + ["g1", "g2"])),
        )
        for key in keys
    ]


REJECTED = "rejected"


def half_up(value: Fraction) -> Decimal:
    """A fraction rounded half-up (away from zero on a tie) to 8 places."""
    if value < 0:
        return -half_up(-value)
    return D(floor(value * 10**8 + Fraction(1, 2))).scaleb(-8)


def signed_half_up(value: Fraction) -> Decimal:
    """A fraction rounded to 8 places, a half away from zero (Decimal's ROUND_HALF_UP)."""
    return half_up(value) if value >= 0 else -half_up(-value)


def realized_so_far(side: str, allocations: list[Allocation], by_key: dict, multiplier: Decimal) -> Decimal:
    """An open trade's realized P&L as the contract words it: the closed part's price difference x
    quantity x multiplier, less its share of the commissions (its closing fills' costs and the closed
    share of its opening fills')."""
    opening = [a for a in allocations if a.opening]
    closing = [a for a in allocations if not a.opening]
    opened = sum(Fraction(a.quantity) for a in opening)
    closed = sum(Fraction(a.quantity) for a in closing)
    if not closed:
        return D(0)
    entry = sum(Fraction(by_key[a.key].price) * Fraction(a.quantity) for a in opening) / opened
    exit_ = sum(Fraction(by_key[a.key].price) * Fraction(a.quantity) for a in closing) / closed
    difference = exit_ - entry if side == "long" else entry - exit_
    costs = sum(Fraction(a.commission + a.fees) for a in closing) + closed / opened * sum(
        Fraction(a.commission + a.fees) for a in opening
    )
    return signed_half_up(difference * closed * Fraction(multiplier) - costs)


def ledger(fills):
    """The expected build, one unit at a time (the unit: the quantities' greatest common divisor).

    Per stream (the ungrouped fills, each group), a unit against the open units closes one of
    them; otherwise it opens one, or is rejected when its fill says "close" or is at price 0. Returns the trades
    ({side, opening_key, entry_time, exit_time, units: {(key, opening): n}}), the unit, and each
    fill's shares [destination, units] in order, destination (trade index, opening) or REJECTED.
    """
    unit = D(gcd(*(int(f.quantity.scaleb(8)) for f in fills))).scaleb(-8) if fills else D(1)
    streams = defaultdict(list)
    for f in sorted(fills, key=lambda f: (f.time, f.key)):
        streams[f.group].append(f)
    trades, shares = [], defaultdict(list)
    for group, stream in streams.items():
        if group is not None:
            stream.sort(key=lambda f: (f.time, f.effect == CLOSE))
        open_units, current = [], None  # open_units: the sign of each open unit
        for f in stream:
            sign = 1 if f.side == BUY else -1
            for _ in range(int(f.quantity / unit)):
                if open_units and open_units[0] != sign:
                    open_units.pop()
                    destination = (current, False)
                elif f.effect == CLOSE or not f.price:  # nothing opens at price 0 (an expiration)
                    destination = REJECTED
                else:
                    if current is None:
                        current = len(trades)
                        side = "long" if sign > 0 else "short"
                        trades.append(
                            {"side": side, "opening_key": f.key, "entry_time": f.time, "exit_time": None, "units": {}}
                        )
                    open_units.append(sign)
                    destination = (current, True)
                if destination != REJECTED:
                    units = trades[current]["units"]
                    units[f.key, destination[1]] = units.get((f.key, destination[1]), 0) + 1
                    if not open_units:
                        trades[current]["exit_time"], current = f.time, None
                if shares[f.key] and shares[f.key][-1][0] == destination:
                    shares[f.key][-1][1] += 1
                else:
                    shares[f.key].append([destination, 1])
    return trades, unit, shares


def fee_shares(fill, shares):
    """{destination: (commission, fees)}: each share but the last rounded half-up by its quantity,
    the last takes what is left."""
    total = sum(n for _, n in shares)
    result, commission_left, fees_left = {}, fill.commission, fill.fees
    for i, (destination, n) in enumerate(shares):
        if i == len(shares) - 1:
            commission, fees = commission_left, fees_left
        else:
            commission = half_up(Fraction(fill.commission) * n / total)
            fees = half_up(Fraction(fill.fees) * n / total)
        commission_left, fees_left = commission_left - commission, fees_left - fees
        result[destination] = (commission, fees)
    return result


@settings(deadline=None, max_examples=200)
@given(executions())
def test_the_build_matches_a_per_unit_ledger(fills):
    trades, unit, shares = ledger(fills)
    by_key = {f.key: f for f in fills}
    money = {key: fee_shares(by_key[key], split) for key, split in shares.items()}
    expected = []
    for index, t in enumerate(trades):
        opened = {key: n for (key, opening), n in t["units"].items() if opening}
        closed = {key: n for (key, opening), n in t["units"].items() if not opening}
        entry = sum(Fraction(by_key[k].price) * n for k, n in opened.items()) / sum(opened.values())
        exit_ = fills_pnl = None
        if t["exit_time"] is not None:
            exit_ = half_up(sum(Fraction(by_key[k].price) * n for k, n in closed.items()) / sum(closed.values()))
            # The money of the fills, closing minus opening: sales bring it in, buys pay it out.
            money_in = sum(
                Fraction(by_key[k].price) * n * Fraction(unit) * Fraction(by_key[k].multiplier)
                * (1 if by_key[k].side == SELL else -1)
                for k, n in [*opened.items(), *closed.items()]
            )  # fmt: skip
            fills_pnl = half_up(money_in)
        allocations = [
            Allocation(key, n * unit, *money[key][(index, opening)], opening)
            for (key, opening), n in t["units"].items()
        ]
        multiplier = by_key[t["opening_key"]].multiplier
        realized = None if t["exit_time"] else realized_so_far(t["side"], allocations, by_key, multiplier)
        expected.append(
            BuiltTrade(
                side=t["side"],
                quantity=sum(opened.values()) * unit,
                entry_time=t["entry_time"],
                entry_price=half_up(entry),
                exit_time=t["exit_time"],
                exit_price=exit_,
                commission=sum(a.commission + a.fees for a in allocations),
                multiplier=multiplier,
                allocations=allocations,
                opening_key=t["opening_key"],
                fills_pnl=fills_pnl,
                fills_realized_pnl=realized,
            )
        )
    expected.sort(key=lambda t: (t.entry_time, t.opening_key))
    rejected = {}
    for key, split in shares.items():
        for destination, n in split:
            if destination == REJECTED:
                reason = CLOSES_TOO_MUCH if len(split) > 1 else NOTHING_TO_CLOSE
                rejected[key] = Rejection(key, n * unit, reason, *money[key][REJECTED])

    build = build_trades(fills)
    assert build.trades == expected
    assert {r.key: r for r in build.rejected} == rejected
    assert [r.key for r in build.rejected] == sorted(rejected, key=lambda k: (by_key[k].time, k))


@settings(deadline=None)
@given(executions())
def test_every_execution_is_fully_allocated_or_rejected_with_its_commission_and_fees_to_the_last_digit(fills):
    build = build_trades(fills)
    totals = defaultdict(lambda: [D(0), D(0), D(0)])
    for trade in build.trades:
        for a in trade.allocations:
            totals[a.key][0] += a.quantity
            totals[a.key][1] += a.commission
            totals[a.key][2] += a.fees
        assert trade.commission == sum(a.commission + a.fees for a in trade.allocations)
    for r in build.rejected:
        totals[r.key][0] += r.quantity
        totals[r.key][1] += r.commission
        totals[r.key][2] += r.fees
    assert {k: tuple(v) for k, v in totals.items()} == {f.key: (f.quantity, f.commission, f.fees) for f in fills}


@settings(deadline=None)
@given(executions())
def test_a_closed_trade_closed_what_it_opened_and_its_quantity_is_the_total_opened(fills):
    for trade in build_trades(fills).trades:
        opened = sum(a.quantity for a in trade.allocations if a.opening)
        closed = sum(a.quantity for a in trade.allocations if not a.opening)
        assert trade.quantity == opened
        if trade.exit_time is None:
            assert closed < opened
        else:
            assert closed == opened


def streams_of(build, fills):
    """The trades of each stream (the ungrouped fills, each group), in the build's order."""
    group = {f.key: f.group for f in fills}
    streams = defaultdict(list)
    for trade in build.trades:
        streams[group[trade.opening_key]].append(trade)
    return streams.values()


@settings(deadline=None)
@given(executions())
def test_a_stream_has_at_most_one_open_trade_and_it_is_its_last(fills):
    for trades in streams_of(build_trades(fills), fills):
        assert all(t.exit_time is not None for t in trades[:-1])


@settings(deadline=None)
@given(executions())
def test_trades_of_a_stream_do_not_overlap_in_time(fills):
    time = {f.key: f.time for f in fills}
    for trades in streams_of(build_trades(fills), fills):
        for earlier, later in itertools.pairwise(trades):
            assert earlier.entry_time <= earlier.exit_time <= later.entry_time
        for trade in trades:
            assert trade.entry_time == min(time[a.key] for a in trade.allocations)
            if trade.exit_time is not None:
                assert trade.exit_time == max(time[a.key] for a in trade.allocations)


@settings(deadline=None)
@given(executions())
def test_a_closed_trades_pnl_is_exactly_its_fills_money_closing_minus_opening_times_the_multiplier(fills):
    cash_per_unit = {f.key: f.price * f.multiplier * (1 if f.side == SELL else -1) for f in fills}
    for trade in build_trades(fills).trades:
        pnl, net = compute_pnl(
            side=trade.side, quantity=trade.quantity, entry_price=trade.entry_price, exit_price=trade.exit_price,
            commission=trade.commission, multiplier=trade.multiplier, fills_pnl=trade.fills_pnl,
        )  # fmt: skip
        if trade.exit_time is None:
            assert (trade.fills_pnl, pnl) == (None, None)
            continue
        with localcontext() as exact:
            exact.prec = 200
            cash = sum(cash_per_unit[a.key] * a.quantity for a in trade.allocations)
        assert pnl == cash.quantize(D("0.00000001"), ROUND_HALF_UP)
        assert net == pnl - trade.commission


@settings(deadline=None)
@given(executions(), st.randoms(use_true_random=False))
def test_the_same_executions_in_any_order_build_the_same_trades(fills, rng):
    shuffled = list(fills)
    rng.shuffle(shuffled)
    assert build_trades(shuffled) == build_trades(fills)
