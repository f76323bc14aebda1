"""cTrader history: a closing deal per row, timed in the offset its headers state, its lot size from its money."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from imports import formats
from imports.formats import base, ctrader
from tests.formats_helpers import NEW_YORK, reader

sample, parse = reader(ctrader)
# The header and first row of a real workbook of the History table (SOURCES.md), exported without
# the Opening time column.
WORKBOOK = (
    "Order ID,Symbol,Opening direction,Closing time,Entry price,Closing price,Closing Quantity,Swap,Commission,"
    "Gross AUD,Net AUD,Balance AUD,Pips\n"
    "OID329360964,CADJPY,Buy,17/01/2026 01:54:32.633,114.285,113.557,0.5,-1.27,-4.49,-344.63,-350.39,17458.89,-72.8\n"
)


def with_opening_time(text: str) -> str:
    """The workbook's rows with the Opening time column shown, before Closing time."""
    return text.replace(",Closing time", ",Opening time,Closing time").replace(
        ",17/01/2026", ",16/01/2026 22:10:05.120,17/01/2026"
    )


def test_times_are_read_in_the_offset_their_headers_state_whatever_the_imports_tz():
    entry, exit_ = parse(sample("history.csv"), tz=NEW_YORK).fills[:2]
    minus_four = timezone(timedelta(hours=-4))
    assert entry.time == datetime(2026, 4, 15, 15, 9, 58, 271000, tzinfo=minus_four)
    assert exit_.time == datetime(2026, 4, 17, 15, 53, 4, 151000, tzinfo=minus_four)
    utc = parse(sample("history.csv").replace(b"(UTC-4)", b"(UTC+0)"))
    assert utc.fills[0].time == datetime(2026, 4, 15, 15, 9, 58, 271000, tzinfo=UTC)


def test_lots_are_the_quantity_and_the_net_gives_the_lot_size():
    summary = parse(sample("history.csv"))
    silver = [fill for fill in summary.fills if fill.instrument == "XAGUSD"]
    assert [(fill.side, fill.quantity, fill.multiplier) for fill in silver] == [
        (base.SELL, Decimal("0.01"), Decimal(5000)),
        (base.BUY, Decimal("0.01"), Decimal(5000)),
    ]


def test_gross_gives_the_point_value_and_the_costs_go_on_the_entry_fill():
    entry, exit_ = parse(with_opening_time(WORKBOOK)).fills
    # -344.63 AUD on a -0.728 move of 0.5 lots: AUD a point for a lot.
    assert entry.multiplier == exit_.multiplier == Decimal("946.785714")
    assert (entry.commission, entry.fees, exit_.commission, exit_.fees) == (
        Decimal("4.49"), Decimal("1.27"), Decimal(0), Decimal(0),
    )  # fmt: skip
    assert entry.account == base.AccountRef(currency="AUD")


def test_without_gross_the_net_less_the_costs_shown_is_the_gross():
    net_only = with_opening_time(WORKBOOK.replace("Gross AUD,", "").replace("-344.63,", ""))
    assert parse(net_only).fills[0].multiplier == Decimal("946.785714")


def test_a_history_exported_without_opening_times_is_detected_and_refused_saying_which_column_to_show():
    assert formats.detect(WORKBOOK) is ctrader
    with pytest.raises(base.FormatError, match="no Opening time column: show it"):
        parse(WORKBOOK)


def test_a_direction_that_is_not_buy_or_sell_is_an_error_on_its_row():
    summary = parse(with_opening_time(WORKBOOK.replace(",Buy,", ",Hold,")))
    assert [(error.row, "Opening direction 'Hold'" in error.message) for error in summary.errors] == [(2, True)]
