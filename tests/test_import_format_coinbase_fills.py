"""Coinbase Advanced Trade / Pro fills report: what a trader sees after importing one."""

from datetime import UTC, datetime
from decimal import Decimal

from imports.formats import base, coinbase_fills
from tests.formats_helpers import HEADERS, NEW_YORK, fill_at, reader

HEADER = HEADERS["coinbase_fills"] + "\n"
sample, parse = reader(coinbase_fills)


def test_a_fill_is_a_spot_fill_of_the_pair_in_utc_with_its_trade_id():
    fill = fill_at(parse(sample("coinbase_pro_fills.csv"), NEW_YORK), 6)
    assert (fill.instrument, fill.side, fill.asset_class, fill.account.currency, fill.exec_id) == (
        "BCHBTC", base.SELL, base.CRYPTO, "BTC", "599047",
    )  # fmt: skip
    assert fill.time == datetime(2018, 11, 11, 16, 5, 5, 819000, tzinfo=UTC)


def test_the_fee_is_a_cost_in_the_quote_unit():
    row = "default,2985581,BTC-USDC,SELL,2020-11-25T11:29:22.362Z,0.75789000,BTC,19295.00,51.182206425,14572.305343575,USDC\n"
    (fill,) = parse(HEADER + row).fills
    assert (fill.instrument, fill.commission, fill.account.currency) == ("BTCUSDC", Decimal("51.182206425"), "USDC")
