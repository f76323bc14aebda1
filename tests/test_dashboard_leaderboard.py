"""The leaderboard page: GET /api/v1/leaderboard's ranking as a table, and how the trader appears."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core.cache import cache
from django.utils import timezone

from leaderboard import snapshot
from leaderboard.models import TraderProfile
from leaderboard.snapshot import Snapshot
from tests.factories import api_client, make_trade, make_user, read

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_snapshot():
    cache.clear()
    yield
    cache.clear()


def close_trades(user, count: int, net_each: str) -> None:
    closed_at = timezone.now() - timedelta(hours=1)
    for _ in range(count):
        make_trade(user, entry_time=closed_at - timedelta(hours=2), exit_time=closed_at, entry_price=Decimal(10000),
                   exit_price=Decimal(10000) + Decimal(net_each), quantity=Decimal(1))  # fmt: skip


def table(page: str) -> list[tuple[int, str, int, Decimal]]:
    body = re.search(r'<table class="leaderboard" id="leaderboard">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        rank, name, trades, pnl = [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows.append(
            (int(rank), name.removesuffix(" you"), int(trades), Decimal(pnl.replace(",", "").replace("\u2212", "-")))
        )
    return rows


def test_the_table_is_the_apis_leaderboard(client):
    close_trades(make_user("TraderAce"), 45, "188.88888888")
    close_trades(make_user("SwingKing"), 32, "193.765625")
    loser = make_user("grinder")
    TraderProfile.objects.create(user=loser, display_name="Grinder Ğ")
    close_trades(loser, 6, "-1250.5")
    close_trades(make_user("topper"), 9, "1000")
    TraderProfile.objects.create(user=make_user("shy"), hidden_from_leaderboard=True)
    close_trades(make_user("four-only"), 4, "5000")
    me = make_user("viewer")
    client.force_login(me)

    page = client.get("/dashboard/leaderboard/")
    assert page.status_code == 200
    api = read(api_client(me), "/api/v1/leaderboard")
    shown = table(page.content.decode())
    assert shown == [(row["rank"], row["user"], row["trades"], row["pnl"]) for row in api]
    assert [name for _, name, _, _ in shown] == ["topper", "TraderAce", "SwingKing", "Grinder Ğ"]
    assert "+8,500.00" in page.content.decode() and "\u22127,503.00" in page.content.decode()


def test_the_trader_sees_how_they_appear_and_where_to_change_it(client):
    me = make_user("viewer")
    client.force_login(me)
    html = client.get("/dashboard/leaderboard/").content.decode()
    assert "You appear as <strong>viewer</strong> once you have closed at least 5 trades" in html
    assert 'href="/dashboard/keys/#profile-form"' in html

    TraderProfile.objects.create(user=me, display_name="Vee")
    close_trades(me, 5, "20")
    cache.clear()
    html = client.get("/dashboard/leaderboard/").content.decode()
    assert "You appear as <strong>Vee</strong>, on the board above" in html
    assert table(html) == [(1, "Vee", 5, Decimal("100.00"))]
    assert 'class="me" aria-current="true"' in html

    TraderProfile.objects.filter(user=me).update(hidden_from_leaderboard=True)
    cache.clear()
    html = client.get("/dashboard/leaderboard/").content.decode()
    assert "You are hidden from the leaderboard." in html
    assert "Nobody has closed 5 trades" in html


def test_the_page_serves_the_same_snapshot_as_the_api_for_a_minute(client):
    close_trades(make_user("early"), 5, "10")
    me = make_user("viewer")
    client.force_login(me)
    first = table(client.get("/dashboard/leaderboard/").content.decode())
    close_trades(make_user("late"), 5, "99")  # after the snapshot: neither shows it yet
    assert table(client.get("/dashboard/leaderboard/").content.decode()) == first
    assert [row["user"] for row in read(api_client(me), "/api/v1/leaderboard")] == ["early"]


def test_while_another_process_computes_the_snapshot_the_page_says_what_the_api_says(client, monkeypatch):
    me = make_user("viewer")
    client.force_login(me)
    cache.add(snapshot.LOCK_KEY, "1", timeout=snapshot.LOCK_TIMEOUT)  # another process holds the lock
    monkeypatch.setattr(Snapshot, "sleep", staticmethod(lambda seconds: None))
    clock = iter(range(0, 10_000, 1))
    monkeypatch.setattr(Snapshot, "timer", staticmethod(lambda: float(next(clock))))
    page = client.get("/dashboard/leaderboard/")
    api = api_client(me).get("/api/v1/leaderboard")
    assert page.status_code == api.status_code == 503
    assert api.json()["error"] == snapshot.BEING_COMPUTED
    assert f'<p role="alert">{snapshot.BEING_COMPUTED}</p>' in page.content.decode()
