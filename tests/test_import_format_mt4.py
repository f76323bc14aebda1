"""MetaTrader 4 account history report: closed positions as round trips at the report's own profit."""

from datetime import datetime
from decimal import Decimal

from imports.formats import base, mt4
from tests.formats_helpers import NEW_YORK, reader

sample, parse = reader(mt4)
REPORT = sample("DetailedStatement-2088913717.htm")


def row(*cells: str) -> str:
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


HEADER = row("Ticket", "Open Time", "Type", "Size", "Item", "Price", "S / L", "T / P", "Close Time", "Price",
             "Commission", "Taxes", "Swap", "Profit")  # fmt: skip
HEAD = (
    "<html><head><title>Statement: 7001 - Trader</title></head><body><table>"
    "<tr><td>Account: 7001</td><td>Name: Trader</td><td>Currency: USD</td></tr>"
    f"<tr><td>Closed Transactions:</td></tr>{HEADER}"
)


def test_a_closed_short_is_an_entry_sell_and_an_exit_buy_with_the_reports_account():
    entry, exit_ = [fill for fill in parse(REPORT).fills if fill.row == 11]  # 62002035: sell 0.50 eurusd
    assert (entry.instrument, entry.side, entry.price, entry.effect) == (
        "EURUSD",
        base.SELL,
        Decimal("1.17408"),
        base.OPEN,
    )
    assert (exit_.side, exit_.price, exit_.effect) == (base.BUY, Decimal("1.17379"), base.CLOSE)
    assert entry.time == datetime(2017, 10, 9, 15, 50, 34, tzinfo=NEW_YORK)
    assert (entry.commission, exit_.commission) == (Decimal("2.50"), 0)
    assert entry.account == base.AccountRef("2088913717", "DEMO-39361", "EUR")


def test_the_profit_states_each_positions_lot_size():
    entry, _ = [fill for fill in parse(REPORT).fills if fill.row == 5]  # usdnok 0.10 up 0.00125 for 1.33
    assert entry.multiplier == Decimal(10640)


def test_an_open_trade_is_an_entry_alone_and_swap_and_taxes_are_fees():
    text = HEAD + "<tr><td>Open Trades:</td></tr>" + HEADER + row(
        "5", "2025.03.03 10:00:00", "buy", "1.00", "xauusd", "2915.40", "0", "0", "", "2920.00", "-7.00", "-1.00",
        "-2.50", "460.00",
    ) + "</table></body></html>"  # fmt: skip
    (fill,) = parse(text).fills
    assert (fill.row, fill.side, fill.effect, fill.commission, fill.fees) == (
        6, base.BUY, base.OPEN, Decimal("7.00"), Decimal("3.50"),
    )  # fmt: skip


def test_an_unknown_type_is_an_error_on_its_row():
    text = HEAD + row("6", "2025.03.03 10:00:00", "swap it", "1.00", "eurusd", "1.1") + "</table></body></html>"
    assert [(error.row, "unknown type" in error.message) for error in parse(text).errors] == [(4, True)]
