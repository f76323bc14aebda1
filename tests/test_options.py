"""Options wherever they appear: an OCC symbol read into underlying, expiry, strike and put/call, one
contract one instrument whichever way it was written, 100 shares a contract unless stated."""

from datetime import date
from decimal import Decimal

import pytest

from imports.apply import import_run
from imports.services import import_create
from journal.models import Trade, normalize_instrument
from journal.options import OptionContract, read_occ
from tests.factories import REFERENCE_BODY


def test_an_occ_symbol_is_read_into_underlying_expiry_strike_and_put_or_call():
    assert read_occ("SPY   240119P00450000") == OptionContract("SPY", date(2024, 1, 19), Decimal(450), "P")
    assert read_occ("aapl230120c00150500") == OptionContract("AAPL", date(2023, 1, 20), Decimal("150.5"), "C")
    assert read_occ("BRKB 241220C00450000").underlying == "BRKB"


@pytest.mark.parametrize(
    "symbol", ["AAPL", "ESZ5", "BTCUSDT", "/ESZ25", "SPY 240231P00450000", "SPY 24011P00450000", "SPY 240119X00450000"]
)
def test_what_is_not_an_occ_symbol_reads_as_none(symbol):
    assert read_occ(symbol) is None


def test_one_contract_is_one_instrument_however_its_symbol_is_padded_or_cased():
    forms = ["SPY   240119P00450000", "SPY240119P00450000", "spy 240119p00450000", " SPY  240119P00450000 "]
    assert {normalize_instrument(form) for form in forms} == {"SPY240119P00450000"}
    assert normalize_instrument("ES 03-25") == "ES 03-25"  # anything else: trimmed and upper-cased only


def test_a_trade_entered_with_an_occ_symbol_is_stored_and_found_in_the_journals_form(api):
    r = api.post("/api/v1/trades", {**REFERENCE_BODY, "instrument": "SPY240119P00450000"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["instrument"] == "SPY240119P00450000"
    found = api.get("/api/v1/trades?instrument=spy%20%20%20240119p00450000")
    assert [trade["instrument"] for trade in found.json()["data"]] == ["SPY240119P00450000"]


@pytest.mark.django_db
def test_an_imported_occ_symbol_is_an_option_of_100_shares_that_may_expire_at_0(user):
    data = (
        b"time,instrument,side,quantity,price\n"
        b"2024-01-10T15:00:00Z,SPY240119P00450000,buy,2,2.5\n"
        b"2024-01-19T21:00:00Z,SPY   240119P00450000,sell,2,0\n"
    )
    imp = import_run(import_id=import_create(user=user, data=data, enqueue=False).pk)
    assert imp.status == "succeeded" and imp.errors == [], imp.errors
    trade = Trade.objects.get(user=user)
    assert (trade.instrument, trade.multiplier, trade.exit_price, trade.pnl) == ("SPY240119P00450000", 100, 0, -500)
