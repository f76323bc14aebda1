"""NinjaTrader 8 Executions grid: one fill a row, in the trader's own locale."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base, ninjatrader
from tests.formats_helpers import HEADERS, reader

HEADER = HEADERS["ninjatrader"]
sample, parse = reader(ninjatrader)


def test_a_us_grid_reads_fills_with_execution_ids_commission_and_accounts():
    fills = parse(sample("executions_grid.csv")).fills
    first, nq = fills[0], fills[7]
    assert (first.instrument, first.side, first.quantity, first.price) == (
        "MNQ MAR25",
        base.BUY,
        9,
        Decimal("21539.50"),
    )
    assert first.exec_id == "e6c4685b7fa74bb6a8af5cacebc76cb7"
    assert first.time == datetime(2025, 1, 28, 15, 59, 52, tzinfo=UTC)  # 10:59:52 AM in New York
    assert (nq.account, nq.commission, nq.exec_id) == (
        base.AccountRef(number="APEX1279810000026"),
        Decimal("1.55"),
        "158012701257",
    )
    assert {f.asset_class for f in fills} == {base.FUTURE}
    assert {f.multiplier for f in fills} == {None}  # the table knows MNQ and NQ


def test_entry_and_exit_are_the_position_effect():
    fills = parse(sample("executions_grid.csv")).fills
    assert [f.effect for f in fills[:4]] == [base.OPEN, base.OPEN, base.CLOSE, base.CLOSE]


def test_a_european_grid_reads_semicolons_decimal_commas_and_day_first_dates():
    fills = parse(sample("executions_fr.csv"), ZoneInfo("Europe/Paris")).fills
    assert fills[0].price == Decimal("7200.75")
    assert fills[0].commission == Decimal("1.24")
    assert fills[0].time == datetime(2026, 4, 27, 4, 5, 2, tzinfo=UTC)  # 6:05:02 in Paris, summer time
    assert fills[0].account == base.AccountRef(number="Playback101")


def test_sell_short_and_buy_to_cover_are_sides_with_effects():
    fills = parse(sample("executions_fr.csv")).fills
    short, cover = fills[3], fills[4]
    assert (short.side, short.effect, cover.side, cover.effect) == (base.SELL, base.OPEN, base.BUY, base.CLOSE)
    text = HEADER + "\nES 03-25,SellShort,1,6000,1/2/2025 9:30:00 AM,a,Entry,1 S,,,,1,Sim101,,\n"
    text += "ES 03-25,BuyToCover,1,5990,1/2/2025 9:31:00 AM,b,Exit,-,,,,1,Sim101,,\n"
    assert [f.side for f in parse(text).fills] == [base.SELL, base.BUY]


def test_a_reversal_marked_exit_has_no_stated_effect():
    reversal = parse(sample("executions_fr.csv")).fills[6]
    assert (reversal.side, reversal.quantity, reversal.effect) == (base.SELL, Decimal(2), None)


def test_dates_that_could_be_either_order_are_read_month_first():
    text = HEADER + "\nES 03-25,Buy,1,6000,2/3/2025 09:30:00,a,Entry,1 L,,,,1,Sim101,,\n"
    assert parse(text, ZoneInfo("UTC")).fills[0].time == datetime(2025, 2, 3, 9, 30, tzinfo=UTC)


def test_a_semicolon_grid_whose_dates_could_be_either_order_is_read_day_first():
    text = HEADER.replace(",", ";") + "\nES 03-25;Buy;1;6000,25;02/03/2025 09:30:00;a;Entry;1 L;;;;1;Sim101;;\n"
    assert parse(text, ZoneInfo("UTC")).fills[0].time == datetime(2025, 3, 2, 9, 30, tzinfo=UTC)


def test_columns_are_read_by_name_in_any_order_and_some_may_be_hidden():
    text = "Instrument,Action,Time,Price,E/X,Connection,Quantity,Account display name\n"
    text += "MNQZ6,Sell,9/15/2026 9:39,29441.25,Exit,TRADEIFY,6,ACCOUNT-1\n"
    fill = parse(text).fills[0]
    assert (fill.instrument, fill.side, fill.quantity, fill.price, fill.exec_id) == (
        "MNQZ6",
        base.SELL,
        6,
        Decimal("29441.25"),
        None,
    )
    assert fill.account == base.AccountRef(number="ACCOUNT-1")
