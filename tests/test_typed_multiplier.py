"""A future entered by hand without a multiplier takes the point value its import would (the table of
contract roots in journal/multipliers.py), on the API and on the web journal's form, which says
which value it will use."""

from decimal import Decimal

import pytest

from tests.factories import form_errors, make_trade, read

pytestmark = pytest.mark.django_db

ES = {"instrument": "ES", "side": "long", "quantity": 1, "entry_time": "2025-03-03T15:00:00Z", "entry_price": 6000,
      "exit_time": "2025-03-03T16:00:00Z", "exit_price": 6010}  # fmt: skip


@pytest.mark.parametrize(
    ("instrument", "multiplier"),
    [("ES", 50), ("/es", 50), ("NQ MAR25", 20), ("MNQH6", 2), ("CL", 1000), ("ETH", 1), ("BTCUSDT", 1), ("AAPL", 1),
     ("SPY240119P00450000", 100)],
)  # fmt: skip
def test_a_trade_posted_without_a_multiplier_takes_its_roots(api, instrument, multiplier):
    r = api.post("/api/v1/trades", {**ES, "instrument": instrument}, format="json")
    assert r.status_code == 201, r.content
    trade = read(api, f"/api/v1/trades/{r.json()['id']}")
    assert (trade["multiplier"], trade["pnl"]) == (multiplier, 10 * multiplier)


def test_a_given_multiplier_wins_and_a_patch_keeps_the_one_stored(api):
    r = api.post("/api/v1/trades", {**ES, "multiplier": 1}, format="json")
    trade_id = r.json()["id"]
    assert read(api, f"/api/v1/trades/{trade_id}")["pnl"] == 10
    r = api.patch(f"/api/v1/trades/{trade_id}", {"instrument": "NQ"}, format="json")
    assert (r.json()["multiplier"], r.json()["pnl"]) == (1, 10)


def test_a_put_without_a_multiplier_takes_the_roots_too(api):
    trade_id = api.post("/api/v1/trades", {**ES, "instrument": "AAPL"}, format="json").json()["id"]
    r = api.put(f"/api/v1/trades/{trade_id}", {**ES, "instrument": "NQ"}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["multiplier"], r.json()["pnl"]) == (20, 200)


def test_the_form_saves_the_roots_multiplier_when_left_empty(web, api, user):
    form = {"instrument": "es", "side": "long", "quantity": "1", "entry_time": "2025-03-03T15:00",
            "entry_price": "6000", "exit_time": "2025-03-03T16:00", "exit_price": "6010", "multiplier": ""}  # fmt: skip
    r = web.post("/dashboard/trades/new/", form)
    assert r.status_code == 302, form_errors(r)
    trade = read(api, "/api/v1/trades")["data"][0]
    assert (trade["multiplier"], trade["pnl"]) == (50, 500)


def test_the_form_says_which_multiplier_an_empty_one_will_be(web, user):
    trade = make_trade(user, instrument="NQ MAR25", multiplier=Decimal("20"))
    page = web.get(f"/dashboard/trades/{trade.pk}/edit/").content.decode()
    assert "Left empty, NQ MAR25 takes 20." in page
    refused = web.post("/dashboard/trades/new/", {"instrument": "CL", "side": "long"}).content.decode()
    assert "Left empty, CL takes 1000." in refused and 'placeholder="1000"' in refused
    blank = web.get("/dashboard/trades/new/").content.decode()
    assert "ES 50, NQ 20" in blank and "trade-form.js" in blank
    # As the instrument is typed, the page asks the server (the same rule) for the hint.
    r = web.get("/dashboard/trades/multiplier/", {"instrument": "mnq"})
    assert r.json() == {"multiplier": "2", "hint": "Point value: P&L = price move x quantity x multiplier. "
                        "Left empty, MNQ takes 2."}  # fmt: skip
