"""GET /api/v1/stats: the reference's keys, the contract's definitions, correct to the cent, in
one currency (several are a 422), with every trade filter."""

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from journal.models import Account, Tag, Trade, TradeTag
from tests.factories import REFERENCE_BODY, make_account, make_key, make_tag, make_trade, make_user, tag_trade

pytestmark = pytest.mark.django_db

REFERENCE_KEYS = ["total_trades", "win_rate", "net_pnl", "profit_factor", "gross_profit", "gross_loss", "avg_win",
                  "avg_loss", "best_trade", "worst_trade"]  # fmt: skip
EXTRA_KEYS = ["wins", "losses", "breakeven", "open_trades", "total_commission", "expectancy", "currency"]
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
        "currency": "USD",
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
        "currency": "USD",
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
        again = stats(api, "?side=long&from=2025-01-01")  # the same question, its parameters in another order
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


def expected_stats(rows: list[dict], currency: str = "USD") -> dict:
    """The contract's definitions, in plain Python over the rows as they were sent."""
    nets = []
    for row in rows:
        if row["exit_price"] is None:
            continue
        move = (
            row["exit_price"] - row["entry_price"] if row["side"] == "long" else row["entry_price"] - row["exit_price"]
        )
        nets.append(move * row["quantity"] * row.get("multiplier", 1) - row["commission"])
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
        "expectancy": ratio(sum(nets, Decimal(0)), len(nets)), "currency": currency,
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


def test_the_largest_trades_have_exact_figures_not_an_error(api, user, settings):
    # 12 digits each of price, quantity and multiplier: a P&L of 36 digits, more than Python's
    # default 28-digit arithmetic can round to the cent.
    big, tiny = Decimal("999999999999"), Decimal("0.00000001")
    make_trade(user, side="long", quantity=big, entry_price=tiny, exit_price=big, multiplier=big)
    make_trade(user, side="short", quantity=big, entry_price=big, exit_price=tiny, multiplier=big)
    r = api.get("/api/v1/stats")
    assert r.status_code == 200, r.content
    with localcontext() as exact:
        exact.prec = 100
        each = (big - tiny) * big * big
        expected = {"net_pnl": cents(2 * each), "best_trade": cents(each), "avg_win": cents(each),
                    "expectancy": cents(each)}  # fmt: skip
    body = json.loads(r.content, parse_float=Decimal)
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # 15 significant digits (README)
        assert all(abs(body[k] / v - 1) < Decimal("1e-14") for k, v in expected.items()), body
    else:
        assert {k: body[k] for k in expected} == expected


# --- multipliers, currencies and the new filters ----------------------------------------------


def test_the_multiplier_is_in_the_pnl(api):
    # MNQ: long 1 contract at 21000, out at 21012.5, $2 a point: 12.5 points x 2 = 25.
    body = {**REFERENCE_BODY, "instrument": "MNQ", "quantity": 1, "entry_price": 21000, "exit_price": 21012.5,
            "commission": 0, "multiplier": 2, "stop_loss": 20990, "take_profit": 21100}  # fmt: skip
    trade_id = api.post("/api/v1/trades", body, format="json").json()["id"]
    assert {k: api.get(f"/api/v1/trades/{trade_id}").json()[k] for k in ("pnl", "net_pnl", "multiplier")} == {
        "pnl": 25, "net_pnl": 25, "multiplier": 2,
    }  # fmt: skip
    assert stats(api)["net_pnl"] == 25
    r = api.patch(f"/api/v1/trades/{trade_id}", {"multiplier": 20}, format="json")  # NQ's point value
    assert (r.json()["pnl"], stats(api)["net_pnl"]) == (250, 250)


def mixed(user) -> dict:
    europe = make_account(user, "Europe", currency="EUR")
    usd = make_account(user, "Main")
    closed(user, "100", account=europe)
    closed(user, "40", account=usd)
    closed(user, "-10")  # no account: USD
    return {"europe": europe, "usd": usd}


def test_trades_in_several_currencies_are_422_naming_them_and_the_filters(api, user):
    mixed(user)
    r = api.get("/api/v1/stats")
    assert r.status_code == 422, r.content
    assert r.json() == {"error": "These trades are in several currencies (EUR, USD), which are never added "
                                 "together: filter by account or currency (e.g. currency=EUR)."}  # fmt: skip


def test_a_currency_or_account_filter_gives_one_currencys_stats(api, user):
    accounts = mixed(user)
    assert {k: stats(api, "?currency=eur")[k] for k in ("net_pnl", "currency")} == {"net_pnl": 100, "currency": "EUR"}
    assert {k: stats(api, "?currency=USD")[k] for k in ("net_pnl", "currency")} == {"net_pnl": 30, "currency": "USD"}
    by_account = stats(api, f"?account={accounts['europe'].pk}")
    assert (by_account["net_pnl"], by_account["currency"]) == (100, "EUR")
    assert stats(api, "?currency=GBP") == expected_stats([], currency="GBP")
    assert stats(api, "?instrument=ETHUSDT")["currency"] == "USD"  # nothing selected: nothing to mix


def test_an_account_in_another_currency_without_trades_mixes_nothing(api, user):
    make_account(user, "Europe", currency="EUR")
    closed(user, "5")
    assert stats(api)["currency"] == "USD"
    account = make_account(user, "Japan", currency="JPY")
    closed(user, "7", account=account)
    assert stats(api, "?side=long&currency=JPY")["net_pnl"] == 7


def test_stats_take_the_tag_filters(api, user):
    a, b = make_tag(user, "a"), make_tag(user, "b")
    tag_trade(closed(user, "10"), a)
    tag_trade(closed(user, "20"), a, b)
    tag_trade(closed(user, "40"), b)
    closed(user, "80")
    assert stats(api, "?tag=A")["net_pnl"] == 30
    assert stats(api, "?tag=a,b")["net_pnl"] == 70
    assert stats(api, "?tag=a,b&tag_mode=all")["net_pnl"] == 20


def journal_queries(captured) -> list[str]:
    return [
        q["sql"] for q in captured.captured_queries if "journal_" in q["sql"] and "tradejournal_cache" not in q["sql"]
    ]


def test_the_currency_check_costs_a_query_only_for_owners_with_several_currencies(api, user):
    accounts = mixed(user)
    stats(api, "?currency=USD")  # records the key's last use
    with CaptureQueriesContext(connection) as mixed_up:
        assert api.get("/api/v1/stats?side=long").status_code == 422
    # The accounts, the trades' distinct accounts: a 422 before any aggregate.
    assert len(journal_queries(mixed_up)) == 2, journal_queries(mixed_up)
    with CaptureQueriesContext(connection) as one_account:
        stats(api, f"?account={accounts['europe'].pk}")
    # One account named: its currency is known from the accounts; then the aggregate.
    assert len(journal_queries(one_account)) == 2, journal_queries(one_account)


CURRENCIES = ("USD", "USD", "EUR")  # of the three accounts each random journal has
TAG_NAMES = ("Alpha", "beta", "GAMMA")


def closed_or_open_trade() -> st.SearchStrategy[dict]:
    cents = st.integers(1, 5_000_000).map(lambda n: Decimal(n) / 100)
    return st.fixed_dictionaries({
        "side": st.sampled_from(["long", "short"]), "quantity": st.integers(1, 50_000).map(lambda n: Decimal(n) / 1000),
        "entry_price": cents, "exit_price": st.one_of(cents, cents, cents, st.none()), "commission": st.sampled_from([Decimal(0), Decimal("2.5")]),
        "multiplier": st.sampled_from([Decimal(1), Decimal(2), Decimal(50), Decimal("0.1")]),
        "account": st.sampled_from([None, 0, 1, 2]), "tags": st.sets(st.sampled_from(range(3))),
    })  # fmt: skip


def trade_filters() -> st.SearchStrategy[dict]:
    """Each filter left out about half of the time, so that selections are seldom empty."""
    tag_names = st.sampled_from(TAG_NAMES) | st.sampled_from(TAG_NAMES).map(str.swapcase)
    return st.fixed_dictionaries({
        "account": st.just([]) | st.lists(st.sampled_from(range(3)), min_size=1, max_size=2, unique=True),
        "currency": st.sampled_from([None, None, None, "USD", "eur", "GBP"]),
        "tag": st.just([]) | st.lists(tag_names, min_size=1, max_size=2),
        "tag_mode": st.sampled_from([None, "any", "all"]),
        "side": st.sampled_from([None, None, "long", "short"]),
    })  # fmt: skip


def selected(row: dict, filters: dict) -> bool:
    """The filters' meaning, stated plainly."""
    names = {TAG_NAMES[i].lower() for i in row["tags"]}
    wanted = {name.lower() for name in filters["tag"]}
    currency = "USD" if row["account"] is None else CURRENCIES[row["account"]]
    return (
        (not filters["account"] or row["account"] in filters["account"])
        and (filters["currency"] is None or currency == filters["currency"].upper())
        and (not wanted or (wanted <= names if filters["tag_mode"] == "all" else bool(wanted & names)))
        and (filters["side"] is None or row["side"] == filters["side"])
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(closed_or_open_trade(), min_size=5, max_size=30), filters=trade_filters())
def test_filtered_stats_match_an_independent_computation_or_name_the_currencies(django_settings_override, rows,
                                                                                filters):  # fmt: skip
    user = make_user()
    accounts = [Account.objects.create(user=user, name=f"A{i}", currency=c) for i, c in enumerate(CURRENCIES)]
    tags = [Tag.objects.create(user=user, name=name) for name in TAG_NAMES]
    trades = Trade.objects.bulk_create(
        Trade(user=user, instrument="ES", entry_time=T0, exit_time=None if row["exit_price"] is None else T0,
              account=None if row["account"] is None else accounts[row["account"]],
              **{k: row[k] for k in ("side", "quantity", "entry_price", "exit_price", "commission", "multiplier")})
        for row in rows
    )  # fmt: skip
    TradeTag.objects.bulk_create(
        TradeTag(trade=t, tag=tags[i]) for t, row in zip(trades, rows, strict=True) for i in row["tags"]
    )
    query = {"account": ",".join(str(accounts[i].pk) for i in filters["account"]), "tag": ",".join(filters["tag"]),
             **{k: filters[k] for k in ("currency", "tag_mode", "side") if filters[k]}}  # fmt: skip
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(user)[1]}")
    r = client.get("/api/v1/stats", {k: v for k, v in query.items() if v})

    chosen = [row for row in rows if selected(row, filters)]
    currencies = sorted({"USD" if row["account"] is None else CURRENCIES[row["account"]] for row in chosen})
    event(f"{len(currencies)} currencies, {len([row for row in chosen if row['exit_price']])} closed trades")
    if len(currencies) > 1:
        assert r.status_code == 422, r.content
        assert f"({', '.join(currencies)})" in r.json()["error"]
        return
    assert r.status_code == 200, r.content
    assert r.json() == expected_stats(chosen, expected_currency(currencies, filters))


def expected_currency(found: list[str], filters: dict) -> str:
    """The currency filter's; else the one the selected trades are in; with none selected, the
    named accounts' currency when they share one; else USD."""
    named = {CURRENCIES[i] for i in filters["account"]}
    if filters["currency"]:
        return filters["currency"].upper()
    return found[0] if found else named.pop() if len(named) == 1 else "USD"
