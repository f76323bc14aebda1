"""GET /api/v1/stats: the reference's keys, the contract's definitions, correct to the cent."""

import random
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from journal.models import Trade
from tests.factories import make_key, make_trade, make_user

pytestmark = pytest.mark.django_db

REFERENCE_KEYS = ["total_trades", "win_rate", "net_pnl", "profit_factor", "gross_profit", "gross_loss", "avg_win",
                  "avg_loss", "best_trade", "worst_trade"]  # fmt: skip
EXTRA_KEYS = ["wins", "losses", "breakeven", "open_trades", "total_commission", "expectancy"]
T0 = datetime(2025, 3, 1, tzinfo=UTC)


def closed(user, net: str, **fields):
    """A closed long trade of quantity 1 whose net_pnl is `net` (commission 1)."""
    return make_trade(user, entry_price=Decimal(1000), exit_price=Decimal(1000) + Decimal(net) + 1,
                      commission=Decimal(1), **fields)  # fmt: skip


def open_trade(user, **fields):
    return make_trade(user, exit_time=None, exit_price=None, **fields)


def stats(api, query: str = "") -> dict:
    r = api.get(f"/api/v1/stats{query}")
    assert r.status_code == 200, r.content
    return r.json()


def test_reference_keys_come_first_and_exactly(api, user):
    closed(user, "100")
    body = stats(api)
    assert list(body) == REFERENCE_KEYS + EXTRA_KEYS


def test_no_trades_counts_and_sums_zero_the_rest_null(api):
    assert stats(api) == {
        "total_trades": 0, "win_rate": None, "net_pnl": 0, "profit_factor": None, "gross_profit": 0,
        "gross_loss": 0, "avg_win": None, "avg_loss": None, "best_trade": None, "worst_trade": None,
        "wins": 0, "losses": 0, "breakeven": 0, "open_trades": 0, "total_commission": 0, "expectancy": None,
    }  # fmt: skip


def test_only_open_trades_count_as_open_and_nothing_else(api, user):
    open_trade(user)
    open_trade(user, commission=Decimal(5))
    body = stats(api)
    assert (body["total_trades"], body["open_trades"], body["net_pnl"], body["total_commission"]) == (0, 2, 0, 0)
    assert body["win_rate"] is None and body["best_trade"] is None


def test_a_mixed_journal(api, user):
    for net in ("300", "150.5", "-100", "-50.25", "0"):
        closed(user, net)
    open_trade(user)
    assert stats(api) == {
        "total_trades": 5, "win_rate": 40, "net_pnl": 300.25, "profit_factor": 3, "gross_profit": 450.5,
        "gross_loss": 150.25, "avg_win": 225.25, "avg_loss": -75.13, "best_trade": 300, "worst_trade": -100,
        "wins": 2, "losses": 2, "breakeven": 1, "open_trades": 1, "total_commission": 5, "expectancy": 60.05,
    }  # fmt: skip


def test_only_wins_has_no_profit_factor(api, user):
    closed(user, "10")
    closed(user, "20")
    body = stats(api)
    assert (body["win_rate"], body["profit_factor"], body["gross_loss"], body["avg_loss"]) == (100, None, 0, None)
    assert (body["best_trade"], body["worst_trade"]) == (20, 10)


def test_only_losses_has_profit_factor_zero(api, user):
    closed(user, "-10")
    closed(user, "-30")
    body = stats(api)
    assert (body["win_rate"], body["profit_factor"], body["gross_profit"], body["avg_win"]) == (0, 0, 0, None)
    assert (body["gross_loss"], body["avg_loss"], body["net_pnl"]) == (40, -20, -40)


def test_breakeven_counts_in_total_but_is_neither_win_nor_loss(api, user):
    closed(user, "0")
    closed(user, "0")
    body = stats(api)
    assert (body["total_trades"], body["wins"], body["losses"], body["breakeven"], body["win_rate"]) == (2, 0, 0, 2, 0)
    assert body["profit_factor"] is None


def test_figures_are_rounded_half_up_to_cents(api, user):
    closed(user, "0.005")
    closed(user, "0.01")
    closed(user, "-0.015")
    body = stats(api)
    assert (body["best_trade"], body["gross_profit"], body["worst_trade"], body["gross_loss"]) == (
        0.01,
        0.02,
        -0.02,
        0.02,
    )
    assert body["win_rate"] == 66.67


def test_stats_accept_the_trade_list_filters(api, user):
    closed(user, "100", instrument="BTCUSDT", side="long", setup_type="breakout", entry_time=T0, exit_time=T0)
    closed(user, "-40", instrument="ETHUSDT", side="long", entry_time=T0 + timedelta(days=10),
           exit_time=T0 + timedelta(days=10))  # fmt: skip
    make_trade(user, side="short", instrument="ES", entry_price=Decimal(100), exit_price=Decimal(90), entry_time=T0 + timedelta(days=20),
               exit_time=T0 + timedelta(days=21))  # fmt: skip
    assert stats(api, "?instrument=btcusdt")["net_pnl"] == 100
    assert stats(api, "?side=short")["net_pnl"] == 10
    assert stats(api, "?setup_type=Breakout")["total_trades"] == 1
    assert stats(api, "?from=2025-03-05")["net_pnl"] == -30
    assert stats(api, "?to=2025-03-11")["net_pnl"] == 60
    assert stats(api, "?from=2025-03-12&to=2025-03-31")["total_trades"] == 1


@pytest.mark.parametrize(("query", "field"), [("?side=up", "side"), ("?from=soon", "from"), ("?to=2025-99-01", "to")])
def test_bad_filters_are_422(api, query, field):
    r = api.get(f"/api/v1/stats{query}")
    assert r.status_code == 422, r.content
    assert list(r.json()["details"]) == [field]


def test_stats_cover_only_the_key_owners_trades(api, user):
    closed(user, "10")
    closed(make_user(), "1000")
    assert stats(api)["net_pnl"] == 10


def trade_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "journal_trade" in q["sql"]]


def test_stats_are_one_aggregate_query_and_a_repeat_is_served_from_the_cache(api, user):
    for net in ("1", "-1", "0"):
        closed(user, net)
    stats(api)  # records the key's last use
    with CaptureQueriesContext(connection) as first:
        stats(api, "?from=2025-01-01&side=long")
    assert len(trade_queries(first)) == 1, trade_queries(first)
    with CaptureQueriesContext(connection) as repeat:
        again = stats(api, "?side=long&from=2025-01-01&instrument=")  # the same question
    assert trade_queries(repeat) == []
    assert again == stats(api, "?from=2025-01-01&side=long")


def test_a_write_is_seen_by_the_very_next_stats_read(api, user):
    closed(user, "5")
    assert stats(api)["net_pnl"] == 5
    trade_id = api.get("/api/v1/trades").json()["data"][0]["id"]
    api.patch(f"/api/v1/trades/{trade_id}", {"commission": 2}, format="json")
    assert stats(api)["net_pnl"] == 4
    api.delete(f"/api/v1/trades/{trade_id}")
    assert stats(api)["total_trades"] == 0


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected_stats(rows: list[dict]) -> dict:
    """The contract's definitions, in plain Python over the rows as they were sent."""
    nets = []
    for row in rows:
        if row["exit_price"] is None:
            continue
        move = (
            row["exit_price"] - row["entry_price"] if row["side"] == "long" else row["entry_price"] - row["exit_price"]
        )
        nets.append(move * row["quantity"] - row["commission"])
    wins, losses = [n for n in nets if n > 0], [n for n in nets if n < 0]
    gross_profit, gross_loss = sum(wins, Decimal(0)), -sum(losses, Decimal(0))

    def ratio(a, b):
        return None if not b else float(cents(Decimal(a) / Decimal(b)))

    return {
        "total_trades": len(nets), "win_rate": ratio(len(wins) * 100, len(nets)),
        "net_pnl": float(cents(sum(nets, Decimal(0)))), "profit_factor": ratio(gross_profit, gross_loss),
        "gross_profit": float(cents(gross_profit)), "gross_loss": float(cents(gross_loss)),
        "avg_win": ratio(gross_profit, len(wins)), "avg_loss": ratio(-gross_loss, len(losses)),
        "best_trade": float(cents(max(nets))) if nets else None, "worst_trade": float(cents(min(nets))) if nets else None,
        "wins": len(wins), "losses": len(losses), "breakeven": len(nets) - len(wins) - len(losses),
        "open_trades": len(rows) - len(nets),
        "total_commission": float(cents(sum((r["commission"] for r in rows if r["exit_price"] is not None), Decimal(0)))),
        "expectancy": ratio(sum(nets, Decimal(0)), len(nets)),
    }  # fmt: skip


def random_rows(rng: random.Random, count: int) -> list[dict]:
    rows = []
    for _ in range(count):
        entry = Decimal(rng.randint(100, 5_000_000)) / 100
        is_open = rng.random() < 0.15
        exit_price = None if is_open else max(Decimal("0.01"), entry + Decimal(rng.randint(-50_000, 50_000)) / 100)
        if not is_open and rng.random() < 0.05:
            exit_price = entry  # some breakeven before commission
        entry_time = T0 + timedelta(minutes=rng.randint(0, 500_000))
        rows.append({
            "side": rng.choice(["long", "short"]), "quantity": Decimal(rng.randint(1, 50_000)) / 1000,
            "entry_price": entry, "exit_price": exit_price, "commission": Decimal(rng.choice([0, 0, 1, 250, 1999])) / 100,
            "entry_time": entry_time, "exit_time": None if is_open else entry_time + timedelta(hours=rng.randint(0, 200)),
            "instrument": rng.choice(["BTCUSDT", "ETHUSDT", "ES", "AAPL"]),
        })  # fmt: skip
    return rows


def test_stats_match_an_independent_computation_for_thousands_of_random_trades(django_settings_override):
    rng = random.Random(20251125)
    users = [make_user() for _ in range(12)]
    journals = {user.pk: random_rows(rng, rng.randint(50, 400)) for user in users}
    Trade.objects.bulk_create(Trade(user_id=uid, **row) for uid, rows in journals.items() for row in rows)
    assert Trade.objects.count() == sum(len(rows) for rows in journals.values()) > 2000
    for user in users:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(user)[1]}")
        assert stats(client) == expected_stats(journals[user.pk]), user.username
        only_btc = [r for r in journals[user.pk] if r["instrument"] == "BTCUSDT"]
        assert stats(client, "?instrument=BTCUSDT") == expected_stats(only_btc)
