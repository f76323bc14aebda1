"""Charles Schwab transactions CSV: what a trader sees after importing a Schwab export."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base, schwab
from tests.formats_helpers import NEW_YORK, fill_at, reader

HEADER = '"Date","Action","Symbol","Description","Quantity","Price","Fees & Comm","Amount"\n'
sample, parse = reader(schwab)


def test_a_date_only_fill_is_placed_at_the_close_in_the_import_tz_on_its_as_of_date():
    summary = parse(sample("schwab_options.csv"))
    assert fill_at(summary, 5).time == datetime(2025, 8, 18, 16, tzinfo=NEW_YORK)
    assert fill_at(summary, 4).time == datetime(2025, 8, 22, 16, tzinfo=NEW_YORK)  # "08/25/2025 as of 08/22/2025"
    tokyo = ZoneInfo("Asia/Tokyo")
    assert fill_at(parse(sample("schwab_options.csv"), tokyo), 5).time == datetime(2025, 8, 18, 16, tzinfo=tokyo)


def test_same_day_fills_of_an_instrument_keep_the_order_they_happened_in():
    summary = parse(sample("schwab_options.csv"))  # newest first: the close is listed above the open
    opened, closed = fill_at(summary, 16), fill_at(summary, 14)
    assert (opened.effect, closed.effect) == (base.OPEN, base.CLOSE)
    assert closed.time - opened.time == (datetime(2024, 1, 1, 0, 0, 1) - datetime(2024, 1, 1))


def test_an_option_takes_its_point_value_from_the_amount_and_a_stock_leaves_it_to_the_table():
    summary = parse(sample("schwab_options.csv"))
    option = fill_at(summary, 5)  # 4 @ $1.10, fees $2.65, amount $437.35
    assert (option.asset_class, option.multiplier, option.commission) == (base.OPTION, 100, Decimal("2.65"))
    assert (fill_at(summary, 6).asset_class, fill_at(summary, 6).multiplier) == (base.STOCK, None)
    mini = parse(
        HEADER + '"01/10/2025","Buy to Open","AAPL 01/17/2025 230.00 C","MINI","2","$1.50","$0.00","-$30.00"\n'
    )
    assert mini.fills[0].multiplier == 10


def test_sell_closes_sell_short_opens_and_a_plain_buy_states_no_effect():
    summary = parse(sample("schwab_options.csv"))
    assert fill_at(summary, 3).effect == base.OPEN  # Sell Short
    assert fill_at(summary, 2).effect is None  # Buy (here covering that short)
    assert fill_at(summary, 9).effect == base.CLOSE  # Sell


def test_assigned_and_expired_options_close_at_zero_on_the_side_of_the_position():
    summary = parse(sample("schwab_options.csv"))
    assigned, short_expired, long_expired = fill_at(summary, 8), fill_at(summary, 4), fill_at(summary, 17)
    assert (assigned.side, assigned.price, assigned.effect) == (base.BUY, 0, base.CLOSE)
    assert (short_expired.side, short_expired.quantity) == (base.BUY, 4)
    assert (long_expired.side, long_expired.quantity) == (base.SELL, 1)


def test_an_expiry_without_its_opening_in_the_file_takes_its_side_from_the_quantity_sign():
    rows = '"02/26/2024 as of 02/23/2024","Expired","NVDA 02/23/2024 1080.00 C","CALL","-1","","",""\n'
    assert parse(HEADER + rows).fills[0].side == base.SELL


def test_the_title_line_names_the_account():
    titled = '"Transactions  for account Individual ...123 as of 10/15/2026 08:00:00 ET"\n'
    summary = parse(titled + HEADER + '"03/12/2026","Buy","NVDA","NVIDIA CORP","100","$148.20","","-$14,820.00"\n')
    assert summary.fills[0].account == base.AccountRef("...123", "Individual", "USD")
    assert parse(sample("schwab_titled.csv")).rows_total == 3  # no blank row, no total line


def test_the_older_export_with_trailing_commas_and_padded_actions_reads():
    text = (
        '"Transactions  for account XXXX-3910 as of 12/20/2014 21:16:49 ET"\n'
        '"Date","Action","Symbol","Description","Quantity","Price","Fees & Comm","Amount",\n'
        '"12/16/2014 as of 12/15/2014","Bank Interest","","BANK INT","","","","$0.11",\n'
        '"12/13/2014","Buy                 ","F","FORD MOTOR COMPANY NEW","1","$14.39","$8.95","-$23.34",\n'
    )
    summary = parse(text)
    (fill,) = summary.fills
    assert (fill.instrument, fill.side, fill.price, fill.commission) == (
        "F",
        base.BUY,
        Decimal("14.39"),
        Decimal("8.95"),
    )
    assert fill.account == base.AccountRef("XXXX-3910", None, "USD")
    assert [(skip.row, skip.reason) for skip in summary.skipped] == [(3, "interest, not a trade")]


def test_a_bad_date_or_number_is_an_error_on_its_row():
    bad = sample("schwab_options.csv").decode().replace("04/04/2024,Buy,DELL", "04/31/2024,Buy,DELL")
    bad = bad.replace("$55.50,$0.70", "$55.50x,$0.70")
    assert [error.row for error in parse(bad).errors] == [6, 15]


def test_an_unknown_action_with_a_price_is_an_error_not_a_silent_skip():
    summary = parse(HEADER + '"01/10/2025","Mystery Trade","AAPL","APPLE","1","$1.50","","-$1.50"\n')
    assert [error.row for error in summary.errors] == [2]
