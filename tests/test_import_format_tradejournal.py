"""Our own export read back: one trade a row, every digit and every character of the notes kept."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from imports.formats import base, tradejournal
from tests.formats_helpers import HEADERS, reader

HEADER = HEADERS["tradejournal"]
sample, parse = reader(tradejournal)
EXPORT = sample("export.csv")


def test_columns_are_the_exports_layout():
    assert tradejournal.COLUMNS[:5] == ("id", "account", "account_number", "currency", "instrument")
    assert len(tradejournal.COLUMNS) == len(set(tradejournal.COLUMNS)) == 21
    assert base.decode(EXPORT).splitlines()[0] == HEADER


def test_a_closed_trade_is_an_entry_fill_with_all_commission_and_an_exit_fill():
    entry, exit_ = [f for f in parse(EXPORT).fills if f.row == 3]
    assert (entry.side, entry.price, entry.commission, entry.effect) == (
        base.SELL,
        Decimal("5710.25"),
        Decimal("2.48"),
        base.OPEN,
    )
    assert (exit_.side, exit_.price, exit_.commission, exit_.effect) == (base.BUY, Decimal("5702.50"), 0, base.CLOSE)
    assert entry.quantity == exit_.quantity == Decimal(2)
    assert entry.multiplier == exit_.multiplier == Decimal(5)
    assert exit_.time == datetime(2025, 3, 15, 10, 52, 30, 500000, tzinfo=UTC)


def test_an_open_trade_is_one_entry_fill_keeping_every_digit():
    fills = [f for f in parse(EXPORT).fills if f.row == 4]
    assert len(fills) == 1
    assert str(fills[0].price) == "245.1000"
    assert fills[0].account == base.AccountRef(number="DE-998877", name="Depot EUR", currency="EUR")


def test_trade_details_ride_on_the_entry_fill():
    entry = parse(EXPORT).fills[0]
    assert entry.trade == {
        "setup_type": "breakout",
        "notes": 'Clean break, held the "retest"\nthen trailed',
        "stop_loss": Decimal("183.50"),
        "take_profit": Decimal("190.00"),
        "initial_risk": Decimal("175.00"),
        "tags": ["breakout", "a+"],
    }
    assert parse(EXPORT).fills[1].trade is None


def test_no_account_columns_means_no_account():
    assert {f.account for f in parse(EXPORT).fills if f.row == 5} == {None}


def test_times_are_utc_whatever_the_tz():
    assert parse(EXPORT).fills[0].time == datetime(2025, 3, 14, 14, 30, tzinfo=UTC)


def test_an_exported_row_reads_back_to_the_same_values():
    values = dict.fromkeys(tradejournal.COLUMNS, "")
    values |= {
        "id": "7", "account": "Konto, Ümlaut", "account_number": "X-1", "currency": "CHF", "instrument": "NQM5",
        "side": "short", "quantity": "3", "multiplier": "20", "entry_time": "2025-05-01T13:30:00.000001Z",
        "entry_price": "21000.123456789", "exit_time": "2025-05-01T14:00:00.000000Z", "exit_price": "20990.5",
        "commission": "6.60", "stop_loss": "21010", "setup_type": "ORB", "notes": ' two  spaces "q"\r\nline ',
        "tags": "a, b ,c",
    }  # fmt: skip
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=tradejournal.COLUMNS)
    writer.writeheader()
    writer.writerow(values)
    entry, exit_ = parse(out.getvalue()).fills
    assert (entry.price, exit_.price, entry.quantity, entry.multiplier) == (
        Decimal("21000.123456789"), Decimal("20990.5"), Decimal(3), Decimal(20),
    )  # fmt: skip
    assert entry.time == datetime(2025, 5, 1, 13, 30, 0, 1, tzinfo=UTC)
    assert entry.trade["notes"] == values["notes"]
    assert entry.trade["tags"] == ["a", "b", "c"]
    assert entry.account == base.AccountRef(number="X-1", name="Konto, Ümlaut", currency="CHF")


def test_detection_wants_exactly_our_header():
    assert tradejournal.detect("\ufeff" + HEADER + "\n")
    assert tradejournal.detect(HEADER + ",extra\n")
    assert not tradejournal.detect(HEADER.replace("net_pnl", "netpnl"))
    assert not tradejournal.detect("id,account\n")
