"""Firstrade account history CSV: what a trader sees after importing a Firstrade download."""

from datetime import datetime

from imports.formats import base, firstrade
from tests.formats_helpers import HEADERS, NEW_YORK, fill_at, reader

HEADER = HEADERS["firstrade"] + "\n"
sample, parse = reader(firstrade)


def test_an_option_without_a_symbol_is_named_from_its_description_with_its_effect():
    summary = parse(sample("firstrade_history.csv"))
    opened, closed = fill_at(summary, 5), fill_at(summary, 6)
    assert (opened.instrument, opened.multiplier, opened.effect) == ("IAG250221P00006000", 100, base.OPEN)
    assert (closed.side, closed.effect) == (base.BUY, base.CLOSE)


def test_an_exec_time_in_the_description_is_the_fill_time():
    assert fill_at(parse(sample("firstrade_history.csv")), 8).time == datetime(2026, 1, 15, 14, 30, 25, tzinfo=NEW_YORK)


def test_a_day_that_added_to_a_position_has_its_buys_before_its_sales():
    summary = parse(sample("firstrade_history.csv"))  # NET: -38 listed above +88 on 2026-05-07
    assert fill_at(summary, 11).time < fill_at(summary, 10).time
    reduced = parse(
        HEADER + "NET,40,250,BUY,CLOUDFLARE,2026-05-08,2026-05-09,0,-10000,0,0,18915M107,Trade\n"
        "NET,-100,251,SELL,CLOUDFLARE,2026-05-08,2026-05-09,0,25100,0,0,18915M107,Trade\n"
    )
    assert fill_at(reduced, 3).time < fill_at(reduced, 2).time


def test_a_bond_is_skipped_rather_than_read_at_its_price_per_hundred():
    row = ",100000.00,100.161,BUY,UNITED STATES TREASURY NOTE DUE 12/31/2026,2025-02-10,2025-02-11,-493.09,-100654.09,0,0,91282CME8,Trade\n"
    assert [(skip.row, "bond" in skip.reason) for skip in parse(HEADER + row).skipped] == [(2, True)]
