"""Kraken spot trades export: what a trader sees after importing a Kraken file."""

from datetime import UTC, datetime
from decimal import Decimal

from imports.formats import base, kraken
from tests.formats_helpers import HEADERS, NEW_YORK, fill_at, reader

HEADER = HEADERS["kraken"] + "\n"
sample, parse = reader(kraken)


def test_times_are_utc_whatever_the_import_tz():
    assert fill_at(parse(sample("kraken_trades.csv"), NEW_YORK), 2).time == datetime(2026, 9, 1, 14, 40, 16, tzinfo=UTC)


def test_old_and_new_pair_spellings_name_one_market_and_its_quote_asset_is_the_currency():
    old = fill_at(parse(sample("kraken_trades_legacy.csv")), 2)
    new = fill_at(parse(sample("kraken_trades.csv")), 3)
    assert (old.instrument, old.account.currency, new.instrument) == ("BTCEUR", "EUR", "POLEUR")
    assert [kraken.split_pair(pair) for pair in ("XETHXXBT", "ADAEUR", "SOLUSDT", "BTC/USD")] == [
        ("ETH", "BTC"), ("ADA", "EUR"), ("SOL", "USDT"), ("BTC", "USD"),
    ]  # fmt: skip


def test_a_spot_fill_is_crypto_with_its_fee_in_the_quote_asset_and_its_txid():
    fill = fill_at(parse(sample("kraken_trades_legacy.csv")), 2)
    assert (fill.asset_class, fill.commission, fill.exec_id) == (base.CRYPTO, Decimal("0.18"), "TDNN5P-YWGRO-YF32BH")


def test_spot_buys_open_and_sales_close_so_a_sale_never_opens_a_short():
    summary = parse(sample("kraken_trades_legacy.csv"))
    assert {(fill.side, fill.effect) for fill in summary.fills} <= {(base.BUY, base.OPEN), (base.SELL, base.CLOSE)}


def test_a_margin_trade_is_skipped_as_not_spot():
    row = '"T1","O1","XXBTZUSD","2024-03-19 19:43:31.6798","sell","limit",60000,6000,9.6,0.1,1200.0,"initiated",""\n'
    assert [(skip.row, "margin" in skip.reason) for skip in parse(HEADER + row).skipped] == [(2, True)]
