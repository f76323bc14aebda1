"""Questrade Edge executions export: what a trader sees after importing a Questrade file."""

from datetime import datetime
from zoneinfo import ZoneInfo

from imports.formats import base, questrade
from tests.formats_helpers import fill_at, reader

TORONTO = ZoneInfo("America/Toronto")
sample, parse = reader(questrade)


def test_the_exec_time_is_local_time_in_the_import_tz():
    fill = fill_at(parse(sample("questrade_executions.csv"), TORONTO), 2)
    assert fill.time == datetime(2025, 12, 16, 11, 15, 58, tzinfo=TORONTO)


def test_the_account_column_gives_the_number_and_type_and_the_row_its_currency():
    summary = parse(sample("questrade_executions.csv"))
    assert fill_at(summary, 2).account == base.AccountRef("12345678", "Margin", "CAD")
    assert fill_at(summary, 3).account == base.AccountRef("23456789", "TFSA", "USD")


def test_an_option_symbol_is_written_as_its_occ_symbol_with_its_effect():
    summary = parse(sample("questrade_executions.csv"))
    closed, opened = fill_at(summary, 3), fill_at(summary, 4)
    assert (closed.instrument, closed.multiplier, closed.effect) == ("SLV260220C00055000", 100, base.CLOSE)
    assert (opened.side, opened.effect, fill_at(summary, 2).effect) == (base.BUY, base.OPEN, None)
