"""Binance spot trade history CSV: what a trader sees after importing a Binance export."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from imports.formats import base, binance
from tests.formats_helpers import NEW_YORK, fill_at, reader

GLUED = "Date(UTC),Pair,Side,Price,Executed,Amount,Fee\n"
sample, parse = reader(binance)


def test_times_are_utc_as_the_header_says_whatever_the_import_tz():
    fill = fill_at(parse(sample("binance_trade_history.csv"), NEW_YORK), 2)
    assert fill.time == datetime(2021, 5, 9, 22, 47, 36, tzinfo=UTC)
    shifted = parse(
        "Date(UTC+8),Pair,Side,Price,Executed,Amount,Fee\n2021-05-10 06:47:36,VETUSDT,BUY,0.22917,43.7VET,10.01USDT,0.01USDT\n"
    )
    assert shifted.fills[0].time == datetime(2021, 5, 10, 6, 47, 36, tzinfo=timezone(timedelta(hours=8)))
    assert shifted.fills[0].time == fill.time


def test_units_glued_to_numbers_and_quoted_thousands_are_read():
    fill = fill_at(parse(sample("binance_trade_history.csv")), 9)
    assert (fill.instrument, fill.side, fill.quantity, fill.price) == (
        "BTCUSDT", base.BUY, Decimal("0.052845"), Decimal("11426.2"),
    )  # fmt: skip
    assert (fill.asset_class, fill.multiplier, fill.exec_id) == (base.CRYPTO, None, None)


def test_spot_buys_open_and_sales_close_so_a_sale_never_opens_a_short():
    summary = parse(sample("binance_trade_history.csv"))
    effects = {(fill.side, fill.effect) for fill in summary.fills}
    assert effects == {(base.BUY, base.OPEN), (base.SELL, base.CLOSE)}


def test_a_fill_is_in_its_pairs_quote_coin():
    summary = parse(sample("binance_trade_history.csv"))
    quotes = {fill.instrument: fill.account.currency for fill in summary.fills}
    assert quotes == {
        "VETUSDT": "USDT", "LTCUSDT": "USDT", "XMRUSDT": "USDT", "ADAUSDT": "USDT", "TRXBTC": "BTC",
        "BTCUSDT": "USDT", "ETHUSDT": "USDT", "BNBUSDT": "USDT", "BNBETH": "ETH", "LTCBNB": "BNB", "APPCBTC": "BTC",
    }  # fmt: skip
    assert {fill.account.number for fill in summary.fills} == {None}  # Binance names no account


def test_a_fee_in_the_quote_coin_is_kept_one_in_the_base_coin_is_priced_and_bnb_counts_zero():
    summary = parse(sample("binance_trade_history.csv"))
    assert fill_at(summary, 14).commission == Decimal("0.02302714")  # LTCBNB, fee in BNB, the quote
    assert fill_at(summary, 15).commission == Decimal("0.225") * Decimal("0.00020217")  # APPC fee at the price
    assert fill_at(summary, 9).commission == 0  # BNB fee on BTCUSDT: no BNB price in the file


def test_a_coin_starting_with_a_digit_is_told_apart_from_the_number():
    text = GLUED + "2021-05-09 22:47:36,1INCHUSDT,BUY,3.5,14.00000000001INCH,49.00000000USDT,0.01400000001INCH\n"
    fill = parse(text).fills[0]
    assert (fill.quantity, fill.commission) == (Decimal("14"), Decimal("0.049"))


def test_the_2022_layout_with_base_and_quote_columns_reads():
    text = (
        "Date(UTC),Pair,Base Asset,Quote Asset,Type,Price,Amount,Total,Fee,Fee Coin\n"
        "2023-03-01 10:00:00,ETHUSDT,ETH,USDT,SELL,1650.5,0.5,825.25,0.82525,USDT\n"
    )
    fill = parse(text).fills[0]
    assert (fill.side, fill.quantity, fill.price, fill.commission) == (
        base.SELL, Decimal("0.5"), Decimal("1650.5"), Decimal("0.82525"),
    )  # fmt: skip


def test_a_bad_side_or_number_is_an_error_on_its_row():
    bad = sample("binance_trade_history.csv").decode().replace("XMRUSDT,SELL", "XMRUSDT,HOLD")
    bad = bad.replace("1.7526000000,11.42", "1.75x,11.42")
    summary = parse(bad)
    assert [error.row for error in summary.errors] == [6, 7]
    assert len(summary.fills) == 12
