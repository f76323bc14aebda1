"""The generic CSV of fills: documented columns, either delimiter, signed quantities, bad rows."""

import re
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base, generic
from tests.formats_helpers import reader

sample, parse = reader(generic)


def test_docstring_lists_exactly_the_columns_the_parser_accepts():
    listed = set()
    for line in generic.__doc__.split("Columns", 1)[1].split("Delimiter", 1)[0].splitlines()[1:]:
        name, _, rest = line.strip().partition(" ")
        listed.add(name.replace("_", " "))
        also = re.search(r"also: ([^;]+)", rest)
        listed.update(alias.strip() for alias in also.group(1).split(",")) if also else None
        listed.update(["date", "time"] if "date and time" in rest else [])
    accepted = {alias for aliases in generic.COLUMNS.values() for alias in aliases}
    assert listed == accepted


def test_sides_in_every_documented_spelling_and_a_signed_quantity():
    text = "time,symbol,side,qty,price\n" + "".join(
        f"2025-01-02T10:00:0{i},ES,{side},{qty},5000\n"
        for i, (side, qty) in enumerate(
            [
                ("buy", 1),
                ("B", 1),
                ("BOT", 1),
                ("long", 1),
                ("sell", 1),
                ("s", 1),
                ("SLD", 1),
                ("Short", 1),
                ("", -3),
                ("", 2),
            ]
        )
    )
    summary = parse(text)
    assert [f.side for f in summary.fills] == [base.BUY] * 4 + [base.SELL] * 5 + [base.BUY]
    assert summary.fills[8].quantity == Decimal(3)


def test_date_and_time_columns_combine_and_naive_times_are_in_the_tz():
    summary = parse("Date,Time,Instrument,Side,Quantity,Price\n2025-07-01,09:30:00,AAPL,buy,10,200\n")
    assert summary.fills[0].time == datetime(2025, 7, 1, 13, 30, tzinfo=UTC)


def test_an_offset_in_the_text_wins_over_the_tz():
    summary = parse("time,instrument,side,quantity,price\n2025-07-01T09:30:00+02:00,AAPL,buy,10,200\n")
    assert summary.fills[0].time == datetime(2025, 7, 1, 7, 30, tzinfo=UTC)


def test_semicolon_file_reads_decimal_commas_and_thousands_points():
    fills = parse(sample("fills_semicolon_cp1252.csv"), ZoneInfo("Europe/Berlin")).fills
    assert [f.price for f in fills[-2:]] == [Decimal("1012.40"), Decimal("1020.00")]
    assert fills[0].commission == Decimal("4.90")
    assert fills[0].time == datetime(2025, 1, 15, 8, 5, 12, tzinfo=UTC)


def test_optional_columns_fill_the_fill():
    fill = parse(sample("fills.csv")).fills[-1]
    assert (fill.exec_id, fill.account, fill.multiplier, fill.asset_class, fill.effect, fill.instrument) == (
        "51ffcc4bd918474cac55756c91676067",
        base.AccountRef(number="Sim101"),
        Decimal(2),
        base.FUTURE,
        base.CLOSE,
        "MNQ MAR25",
    )


def test_costs_written_negative_are_stored_as_costs():
    fill = parse(
        "time,instrument,side,quantity,price,commission,fees\n2025-01-02 10:00,AAPL,buy,1,10,-1.25,(0.30)\n"
    ).fills[0]
    assert (fill.commission, fill.fees) == (Decimal("1.25"), Decimal("0.30"))


def test_an_expired_option_may_close_at_zero():
    text = "time,instrument,side,quantity,price,asset_class\n2025-01-17 16:00,SPY 250117C600,sell,1,0,option\n"
    assert parse(text).fills[0].price == 0


def test_detection_needs_the_documented_columns():
    assert generic.detect("time,instrument,side,quantity,price\n")
    assert generic.detect("Date;Time;Symbol;Qty;Price\n01.02.2025;10:00;SAP;-5;240,10\n")
    assert not generic.detect("time,instrument,quantity,price\n2025-01-02,ES,1,5000\n")  # unsigned, no side
    assert not generic.detect("instrument,side,quantity,price\n")


def test_times_of_day_without_a_date_column_are_not_a_generic_csv():
    assert not generic.detect("time,symbol,side,qty,price\n13:36:24,AAPL,buy,1,10\n")
    assert generic.detect("date,time,symbol,side,qty,price\n2025-01-02,13:36:24,AAPL,buy,1,10\n")
    assert generic.detect("time,symbol,side,qty,price\n2025-01-02 13:36,AAPL,buy,1,10\n")
