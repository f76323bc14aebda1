"""A trade's realized_pnl: the net P&L of the quantity closed so far, from its fills; net_pnl once flat,
0 for an open trade entered by hand; proven against a plain-Decimal computation over random fills."""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imports.apply import import_run
from imports.services import import_create
from journal.models import Trade
from tests.factories import REFERENCE_BODY, api_client, examples, make_trade, make_user, read

pytestmark = pytest.mark.django_db

START = datetime(2025, 6, 2, 14, 30, tzinfo=UTC)
HEADER = "time,instrument,side,quantity,price,commission\n"


def import_fills(user, fills: list[tuple]) -> None:
    """Generic CSV fills (seconds after START, instrument, side, quantity, price, commission), applied."""
    lines = [HEADER] + [
        f"{(START + timedelta(seconds=seconds)).isoformat()},{instrument},{side},{quantity},{price},{commission}\n"
        for seconds, instrument, side, quantity, price, commission in fills
    ]
    imp = import_create(user=user, data="".join(lines).encode(), enqueue=False)
    assert import_run(import_id=imp.pk).status == "succeeded"


def realized_by_hand(fills: list[tuple], multiplier: Decimal = Decimal(1)) -> Decimal:
    """The contract's words over the fills of one open trade, in plain Decimal: the closed part's price
    difference x quantity x multiplier, less its share of the commissions (the closing fills' own and
    the closed fraction of the opening fills'), rounded half-up to 8 places."""
    opening_side = fills[0][2]
    opening = [fill for fill in fills if fill[2] == opening_side]
    closing = [fill for fill in fills if fill[2] != opening_side]
    opened = sum(Decimal(str(fill[3])) for fill in opening)
    closed = sum((Decimal(str(fill[3])) for fill in closing), Decimal(0))
    if not closed:
        return Decimal(0)
    entry = sum(Decimal(str(f[3])) * Decimal(str(f[4])) for f in opening) / opened
    exit_ = sum(Decimal(str(f[3])) * Decimal(str(f[4])) for f in closing) / closed
    difference = exit_ - entry if opening_side == "buy" else entry - exit_
    costs = sum((Decimal(str(f[5])) for f in closing), Decimal(0)) + closed / opened * sum(
        Decimal(str(f[5])) for f in opening
    )
    return (difference * closed * multiplier - costs).quantize(Decimal("0.00000001"), ROUND_HALF_UP)


def test_a_partly_closed_position_shows_the_net_pnl_of_the_part_closed():
    # IBKR's GOLD: 691 shares bought, 100 of them sold; 3.455 of commission on the buy, 1 on the sale.
    user = make_user()
    import_fills(user, [(0, "GOLD", "buy", 691, "21.5", "3.455"), (600, "GOLD", "sell", 100, "22.1", "1")])
    trade = read(api_client(user), "/api/v1/trades")["data"][0]
    assert (trade["exit_time"], trade["net_pnl"]) == (None, None)
    # 100 x 0.60 = 60, less the sale's 1 and 100/691 of the buy's 3.455 (0.5).
    assert trade["realized_pnl"] == Decimal("58.5")


def test_once_flat_the_realized_pnl_is_the_net_pnl():
    user = make_user()
    fills = [(0, "ESU5", "sell", 3, "6000", "2.1"), (60, "ESU5", "buy", 1, "5990", "0.7")]
    import_fills(user, fills)
    client = api_client(user)
    trade_id = read(client, "/api/v1/trades")["data"][0]["id"]
    # ES is worth 50 a point: 10 points on one contract, less 0.7 and a third of 2.1.
    assert read(client, f"/api/v1/trades/{trade_id}")["realized_pnl"] == Decimal("498.6")
    import_fills(user, [*fills, (120, "ESU5", "buy", 2, "5996", "1.4")])
    trade = read(client, f"/api/v1/trades/{trade_id}")
    assert trade["net_pnl"] == Decimal("895.8")  # (18,000 - 5,990 - 11,992) x 50, less 4.2
    assert trade["realized_pnl"] == trade["net_pnl"]


def test_trades_entered_by_hand_realize_nothing_until_they_close(api, user):
    open_trade = make_trade(user, exit_time=None, exit_price=None, commission=Decimal("1.5"))
    closed = make_trade(user, commission=Decimal("1.5"))
    assert read(api, f"/api/v1/trades/{open_trade.pk}")["realized_pnl"] == 0
    assert read(api, f"/api/v1/trades/{closed.pk}")["realized_pnl"] == Decimal("8.5")
    listed = {row["id"]: row["realized_pnl"] for row in read(api, "/api/v1/trades")["data"]}
    assert listed == {open_trade.pk: 0, closed.pk: Decimal("8.5")}


def test_a_closed_trade_reopened_by_hand_has_realized_nothing(api, user):
    trade = make_trade(user)
    r = api.patch(f"/api/v1/trades/{trade.pk}", {"exit_time": None, "exit_price": None}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["realized_pnl"] == 0


def test_realized_pnl_comes_last_and_an_echo_of_it_is_ignored(api):
    created = api.post("/api/v1/trades", REFERENCE_BODY, format="json").json()
    body = read(api, f"/api/v1/trades/{created['id']}")
    assert list(body)[-2:] == ["initial_risk", "realized_pnl"]
    r = api.put(f"/api/v1/trades/{created['id']}", {**body, "realized_pnl": 12345}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["realized_pnl"] == body["realized_pnl"] == body["net_pnl"]


@st.composite
def open_positions(draw) -> list[tuple]:
    """The fills of one position that stays open: an opening fill, then adds and partial closes that
    never reach flat, at prices and commissions with up to 4 places (15 digits: SQLite keeps them)."""
    opening, closing = draw(st.sampled_from([("buy", "sell"), ("sell", "buy")]))

    def price() -> Decimal:
        return Decimal(draw(st.integers(1, 50_000_000))).scaleb(-4)

    def commission() -> Decimal:
        return Decimal(draw(st.integers(0, 50_000))).scaleb(-4)

    size = Decimal(draw(st.integers(2, 100_000))).scaleb(-2)
    fills = [(0, "XYZ", opening, size, price(), commission())]
    for seconds in range(1, draw(st.integers(1, 8)) + 1):
        if draw(st.booleans()) or size <= Decimal("0.01"):
            quantity = Decimal(draw(st.integers(1, 100_000))).scaleb(-2)
            fills.append((seconds, "XYZ", opening, quantity, price(), commission()))
            size += quantity
        else:
            quantity = Decimal(draw(st.integers(1, int(size * 100) - 1))).scaleb(-2)
            fills.append((seconds, "XYZ", closing, quantity, price(), commission()))
            size -= quantity
    return fills


@examples(40)
@given(fills=open_positions())
def test_realized_pnl_over_random_fills_is_the_plain_decimal_computation(fills):
    user = make_user()
    import_fills(user, fills)
    trade = read(api_client(user), "/api/v1/trades")["data"]
    assert len(trade) == 1 and trade[0]["exit_time"] is None
    assert trade[0]["realized_pnl"] == realized_by_hand(fills)
    assert Trade.objects.get(user=user).fills_realized_pnl == realized_by_hand(fills)
