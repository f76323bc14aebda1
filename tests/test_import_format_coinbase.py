"""Coinbase transaction history report: what a trader sees after importing a Coinbase report."""

from datetime import UTC, datetime
from decimal import Decimal

from imports.formats import base, coinbase
from tests.formats_helpers import HEADERS, NEW_YORK, fill_at, reader

# The 2021 report: title lines above the header, "Spot Price", no ID column.
OLDER = HEADERS["coinbase"] + "\n"
sample, parse = reader(coinbase)


def test_a_buy_is_a_spot_fill_of_coin_and_price_currency_in_utc():
    fill = fill_at(parse(sample("coinbase_transactions.csv"), NEW_YORK), 8)
    assert (fill.instrument, fill.side, fill.asset_class, fill.account.currency) == (
        "BTCEUR", base.BUY, base.CRYPTO, "EUR",
    )  # fmt: skip
    assert (fill.time, fill.exec_id) == (datetime(2022, 3, 25, 6, 45, 27, tzinfo=UTC), "623d6507925c200001fcbXXX")


def test_fee_and_spread_are_the_commission_so_the_cash_moved_is_exact():
    fill = fill_at(parse(sample("coinbase_transactions.csv")), 8)
    assert fill.price * fill.quantity + fill.commission == Decimal("70.00")


def test_the_older_report_with_title_lines_reads_and_a_sale_keeps_what_fell_short_of_its_value():
    rows = (
        "2021-05-01T09:00:00Z,Buy,ETH,1.5,USD,3000.00,4500.00,4515.00,15.00,Bought 1.5000 ETH for $4515.00 USD\n"
        "2021-08-14T19:30:00Z,Sell,ETH,1,USD,3200.00,3200.00,3180.00,20.00,Sold 1 ETH for $3180.00 USD\n"
    )
    bought, sold = parse(OLDER + rows).fills
    assert (bought.row, bought.commission, sold.side, sold.commission) == (5, 15, base.SELL, 20)
