"""TradeNote trade export: what a trader moving from TradeNote sees after importing it."""

from datetime import UTC, datetime
from decimal import Decimal

from imports.formats import base, tradenote
from tests.formats_helpers import NEW_YORK, reader

sample, parse = reader(tradenote)
TEXT = sample("tradenote_trades.csv").decode()
HEADER, FIRST = TEXT.splitlines()[:2]


def with_cells(**change: str) -> str:
    """The sample's first row with some of its cells changed."""
    cells = dict(zip(HEADER.split(";"), FIRST.split(";"), strict=True)) | change
    return f"{HEADER}\n{';'.join(cells.values())}\n"


def test_unix_times_are_utc_whatever_the_import_tz_and_the_account_is_named():
    entry, exit_fill = [fill for fill in parse(TEXT, NEW_YORK).fills if fill.row == 2]
    assert (entry.time, exit_fill.time) == (
        datetime(2025, 2, 19, 20, 28, 40, tzinfo=UTC), datetime(2025, 2, 19, 20, 29, 2, tzinfo=UTC),
    )  # fmt: skip
    assert entry.account == base.AccountRef("9VV3566", None, "USD")


def test_a_future_takes_its_point_value_from_the_gross_proceeds_and_the_costs_are_the_totals():
    entry = parse(with_cells(sec="0.02", taf="0.01")).fills[0]
    assert (entry.multiplier, entry.asset_class, entry.commission, entry.fees) == (
        5, base.FUTURE, Decimal("1.14"), Decimal("0.03"),
    )  # fmt: skip


def test_an_open_position_is_an_entry_alone():
    summary = parse(with_cells(exitTime="0", exitPrice="0", openPosition="true"))
    assert [(fill.side, fill.effect) for fill in summary.fills] == [(base.BUY, base.OPEN)]


def test_a_short_opens_with_a_sale():
    assert [fill.side for fill in parse(TEXT).fills if fill.row == 4] == [base.SELL, base.BUY]


def test_a_bad_strategy_time_or_price_is_an_error_on_its_row():
    for change in ({"strategy": "flat"}, {"entryTime": "yesterday"}, {"entryPrice": "61x3"}, {"exitTime": "1"}):
        assert [error.row for error in parse(with_cells(**change)).errors] == [2], change
