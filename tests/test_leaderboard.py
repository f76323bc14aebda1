"""GET /api/v1/leaderboard: the top 25 of the last 30 days, from a snapshot shared by all workers."""

import concurrent.futures
import random
import re
import threading
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import redis
import requests
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys import keycache
from core import redis_client
from journal.models import Trade
from leaderboard import snapshot
from leaderboard.models import TraderProfile
from leaderboard.rankings import compute_rankings
from leaderboard.snapshot import Snapshot
from tests.factories import make_account, make_trade, make_user
from tests.live import PrivateRedis

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_snapshot():
    cache.clear()
    yield
    cache.clear()


def close_trades(user, count: int, net_each: str = "10", *, closed_at=None, account=None):
    """`count` trades of `user` closed at `closed_at` (an hour ago by default), each netting `net_each`."""
    closed_at = closed_at or timezone.now() - timedelta(hours=1)
    for _ in range(count):
        make_trade(user, entry_time=closed_at - timedelta(hours=2), exit_time=closed_at, entry_price=Decimal(100),
                   exit_price=Decimal(100) + Decimal(net_each), quantity=Decimal(1), account=account)  # fmt: skip


def board(api) -> list[dict]:
    r = api.get("/api/v1/leaderboard")
    assert r.status_code == 200, r.content
    return r.json()


def test_reference_shape(api):
    close_trades(make_user("TraderAce"), 45, "188.88888888")
    close_trades(make_user("SwingKing"), 32, "193.765625")
    assert board(api) == [
        {"rank": 1, "user": "TraderAce", "trades": 45, "pnl": 8500},
        {"rank": 2, "user": "SwingKing", "trades": 32, "pnl": 6200.5},
    ]


def test_four_trades_are_not_enough_five_are(api):
    close_trades(make_user("four"), 4)
    close_trades(make_user("five"), 5)
    assert [row["user"] for row in board(api)] == ["five"]


def test_only_trades_closed_in_the_last_30_days_count(api):
    now = timezone.now()
    trader = make_user("window")
    close_trades(trader, 5, "10", closed_at=now - timedelta(days=29, hours=23))
    close_trades(trader, 3, "1000", closed_at=now - timedelta(days=30, hours=1))
    open_one = make_trade(trader, entry_time=now - timedelta(days=1), exit_time=None, exit_price=None)
    assert board(api) == [{"rank": 1, "user": "window", "trades": 5, "pnl": 50}]
    assert open_one.net_pnl is None


def test_a_trade_closing_exactly_at_the_window_start_counts():
    now = timezone.now()
    trader = make_user("edge")
    close_trades(trader, 4, closed_at=now - timedelta(days=1))
    close_trades(trader, 1, closed_at=now - timedelta(days=30))
    assert compute_rankings(now=now) == [{"rank": 1, "user": "edge", "trades": 5, "pnl": Decimal("50")}]
    assert compute_rankings(now=now + timedelta(microseconds=1)) == []


def test_ties_go_to_more_trades_then_name_and_ranks_have_no_gaps(api):
    close_trades(make_user("zed"), 10, "10")  # 100 in 10 trades
    close_trades(make_user("amy"), 5, "20")  # 100 in 5 trades
    close_trades(make_user("bob"), 5, "20")  # 100 in 5 trades
    close_trades(make_user("top"), 5, "100")
    close_trades(make_user("neg"), 5, "-5")
    assert [(r["rank"], r["user"], r["trades"], r["pnl"]) for r in board(api)] == [
        (1, "top", 5, 500), (2, "zed", 10, 100), (3, "amy", 5, 100), (4, "bob", 5, 100), (5, "neg", 5, -25),
    ]  # fmt: skip


def test_at_most_25_rows(api, user):
    for i in range(27):
        close_trades(make_user(f"t{i:02}"), 5, str(i + 1))
    rows = board(api)
    assert len(rows) == 25
    assert [r["rank"] for r in rows] == list(range(1, 26))
    assert rows[0]["user"] == "t26" and rows[-1]["user"] == "t02"


def test_display_name_replaces_the_username(api):
    trader = make_user("plainname")
    TraderProfile.objects.create(user=trader, display_name="TraderAce")
    close_trades(trader, 5)
    assert board(api)[0]["user"] == "TraderAce"


def test_a_trader_who_left_the_board_appears_nowhere(api):
    leaver = make_user("leaver")
    TraderProfile.objects.create(user=leaver, display_name="Ghost", hidden_from_leaderboard=True)
    close_trades(leaver, 5, "1000")
    close_trades(make_user("stayer"), 5)
    rows = board(api)
    assert [(r["rank"], r["user"]) for r in rows] == [(1, "stayer")]
    assert "leaver" not in str(rows) and "Ghost" not in str(rows)


def test_disabled_accounts_are_not_ranked(api):
    gone = make_user("disabled", is_active=False)
    close_trades(gone, 5)
    assert board(api) == []


def test_only_trades_in_the_leaderboard_currency_count(api):
    both = make_user("both")
    close_trades(both, 5, "10", account=make_account(both, "Main"))
    close_trades(both, 5, "1000", account=make_account(both, "Europe", currency="EUR"))
    euro_only = make_user("euro_only")
    close_trades(euro_only, 6, "1000", account=make_account(euro_only, "Europe", currency="EUR"))
    close_trades(make_user("no_account"), 5, "1")  # without an account: USD
    assert board(api) == [
        {"rank": 1, "user": "both", "trades": 5, "pnl": 50}, {"rank": 2, "user": "no_account", "trades": 5, "pnl": 5},
    ]  # fmt: skip


def test_the_leaderboard_currency_is_a_setting(settings):
    settings.LEADERBOARD_CURRENCY = "EUR"
    trader = make_user("euro")
    close_trades(trader, 5, "7", account=make_account(trader, "Europe", currency="EUR"))
    close_trades(trader, 5, "1000")  # USD, without an account
    dollar = make_user("dollar")
    close_trades(dollar, 5, "1000", account=make_account(dollar, "Main"))
    assert compute_rankings() == [{"rank": 1, "user": "euro", "trades": 5, "pnl": Decimal(35)}]


def test_matches_an_independent_computation_over_random_trades():
    rng = random.Random(7)
    now = timezone.now()
    users = [make_user(f"r{i:02}") for i in range(40)]
    trades = []
    for user in users:
        for _ in range(rng.randint(0, 12)):
            closed_at = now - timedelta(days=rng.uniform(0, 45))
            entry = Decimal(rng.randint(100, 100_000)) / 100
            trades.append(Trade(user=user, instrument="BTCUSDT", side=rng.choice(["long", "short"]),
                                quantity=Decimal(rng.randint(1, 5000)) / 1000, entry_price=entry,
                                exit_price=max(Decimal("0.01"), entry + Decimal(rng.randint(-5000, 5000)) / 100),
                                entry_time=closed_at - timedelta(hours=1), exit_time=closed_at,
                                commission=Decimal(rng.randint(0, 300)) / 100))  # fmt: skip
    Trade.objects.bulk_create(trades)

    totals: dict[str, list] = {}
    for t in trades:
        if now - timedelta(days=30) <= t.exit_time <= now:
            move = t.exit_price - t.entry_price if t.side == "long" else t.entry_price - t.exit_price
            entry = totals.setdefault(t.user.username, [0, Decimal(0)])
            entry[0] += 1
            entry[1] += move * t.quantity - t.commission
    ranked = sorted(((n, c, p) for n, (c, p) in totals.items() if c >= 5), key=lambda r: (-r[2], -r[1], r[0]))[:25]
    expected = [{"rank": i, "user": n, "trades": c, "pnl": p.quantize(Decimal("0.01"), ROUND_HALF_UP)}
                for i, (n, c, p) in enumerate(ranked, 1)]  # fmt: skip
    assert len(expected) > 5
    assert compute_rankings(now=now) == expected


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(Snapshot, "timer", clock)
    # Background refreshes run inline here: a thread would not see the test's transaction.
    monkeypatch.setattr(Snapshot, "in_background", staticmethod(lambda work: work()))
    return clock


def test_snapshot_is_served_for_up_to_a_minute_then_recomputed(api, clock):
    trader = make_user("steady")
    close_trades(trader, 5, "10")
    assert board(api)[0]["pnl"] == 50
    close_trades(trader, 1, "1000")
    clock.now += 44
    assert board(api)[0]["pnl"] == 50  # the snapshot, not the database
    clock.now += 16  # 60 s old: never served
    assert board(api)[0]["pnl"] == 1050


def test_a_snapshot_due_for_refresh_is_served_while_it_is_refreshed(api, clock):
    trader = make_user("steady")
    close_trades(trader, 5, "10")
    board(api)
    close_trades(trader, 1, "1000")
    clock.now += 50
    first = api.get("/api/v1/leaderboard")
    assert first.json()[0]["pnl"] == 50  # served at once; the refresh ran beside it
    assert board(api)[0]["pnl"] == 1050
    assert cache.get(snapshot.LOCK_KEY) is None


def test_a_failed_background_refresh_releases_the_lock(api, clock, monkeypatch):
    close_trades(make_user("x"), 5)
    board(api)
    clock.now += 50
    monkeypatch.setattr(snapshot, "compute_rankings", lambda: 1 / 0)
    assert board(api)[0]["user"] == "x"
    assert cache.get(snapshot.LOCK_KEY) is None


def test_last_modified_tells_the_snapshot_time(api, clock):
    r = api.get("/api/v1/leaderboard")
    assert r["Last-Modified"] == "Fri, 15 Jan 2027 08:00:00 GMT"


def test_while_one_process_refreshes_the_others_serve_the_current_snapshot(api, clock, monkeypatch):
    close_trades(make_user("x"), 5)
    board(api)
    clock.now += 50  # due for a refresh
    cache.add(snapshot.LOCK_KEY, "1")  # another worker is refreshing it
    computed = []
    monkeypatch.setattr(snapshot, "compute_rankings", lambda: computed.append(1) or [])
    assert board(api)[0]["user"] == "x"
    assert computed == []


def test_without_a_snapshot_the_others_wait_for_the_one_computing_it(clock, monkeypatch):
    cache.add(snapshot.LOCK_KEY, "1")
    rows = [{"rank": 1, "user": "w", "trades": 5, "pnl": Decimal(1)}]

    def other_worker_finishes(seconds):  # the lock holder stores its result while we sleep
        clock.now += seconds
        cache.set(snapshot.SNAPSHOT_KEY, {"rows": rows, "computed_at": clock.now})

    monkeypatch.setattr(Snapshot, "sleep", staticmethod(other_worker_finishes))
    monkeypatch.setattr(snapshot, "compute_rankings", lambda: pytest.fail("computed twice"))
    assert Snapshot().get()[0] == rows


@pytest.mark.live
def test_two_workers_share_one_snapshot_and_compute_it_once(live_site):
    key = live_site.create_key("board-reader", "leaderboard:read")
    headers = {"Authorization": f"Bearer {key}", "Connection": "close"}
    with live_site.serve(workers=2, API_KEY_RATE_LIMIT="100000/day") as base_url:
        start = threading.Barrier(16)

        def call(_: int) -> requests.Response:
            start.wait()
            return requests.get(f"{base_url}/api/v1/leaderboard", headers=headers, timeout=30)

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            responses = list(pool.map(call, range(32)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.headers["Last-Modified"] for r in responses}) == 1
    served_by = {line.split()[0] for line in live_site.access_log.read_text().splitlines() if "leaderboard" in line}
    assert len(served_by) == 2, served_by
    computed = re.findall(r"Leaderboard snapshot computed", live_site.server_log.read_text())
    assert len(computed) == 1


# --- With Redis: the warm answer read in authentication's round trip ---------------------------------


@pytest.fixture(scope="module")
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def with_redis(settings, private_redis):
    settings.REDIS_URL = private_redis
    keycache.forget_all()
    redis.Redis.from_url(private_redis).flushdb()
    yield
    keycache.forget_all()


def test_a_warm_leaderboard_is_one_redis_round_trip_and_no_database(api, with_redis, monkeypatch):
    close_trades(make_user("steady"), 5, "10")
    first = api.get("/api/v1/leaderboard")  # computes the snapshot
    api.get("/api/v1/leaderboard")  # and by now the key is remembered
    trips = []
    original = redis_client.on_redis
    monkeypatch.setattr(redis_client, "on_redis", lambda command, **kw: trips.append(1) or original(command, **kw))
    with CaptureQueriesContext(connection) as queries:
        again = api.get("/api/v1/leaderboard")
    assert again.status_code == 200, again.content
    assert (again.content, again["Last-Modified"]) == (first.content, first["Last-Modified"])
    assert again.json() == [{"rank": 1, "user": "steady", "trades": 5, "pnl": 50}]
    assert len(trips) == 1, "the key checks, the rate limit and the answer: one pipeline"
    assert queries.captured_queries == []


def test_with_redis_a_snapshot_due_for_refresh_is_refreshed_all_the_same(api, with_redis, clock):
    trader = make_user("steady")
    close_trades(trader, 5, "10")
    board(api)
    close_trades(trader, 1, "1000")
    clock.now += 44
    assert board(api)[0]["pnl"] == 50  # the stored answer
    clock.now += 6
    assert board(api)[0]["pnl"] == 50  # due: served while the refresh runs
    assert board(api)[0]["pnl"] == 1050
