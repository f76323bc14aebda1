"""seed_demo: realistic, reproducible demo journals whose P&L is the model's own."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from journal.models import Trade, compute_pnl

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_seeds_the_asked_traders_and_trades_with_consistent_pnl():
    out = seed("--users", "5", "--trades-per-user", "40", "--heavy-user-trades", "300", "--seed", "3")
    assert "Seeded 500 trades for 6 traders" in out
    per_user = dict(Trade.objects.values_list("user__username").annotate(n=Count("id")))
    assert per_user == {**{f"trader{i:05d}": 40 for i in range(1, 6)}, "trader_heavy": 300}
    trades = list(Trade.objects.all())
    assert {t.side for t in trades} == {"long", "short"}
    assert len({t.instrument for t in trades}) >= 5
    assert any(t.exit_time is None for t in trades) and any(t.exit_time for t in trades)
    assert any(t.exit_time and t.exit_time > timezone.now() - timedelta(days=30) for t in trades)
    assert min(t.entry_time for t in trades) < timezone.now() - timedelta(days=365)
    for t in trades:
        expected = compute_pnl(side=t.side, quantity=t.quantity, entry_price=t.entry_price,
                               exit_price=t.exit_price, commission=t.commission)  # fmt: skip
        assert (t.pnl, t.net_pnl) == expected
        assert t.exit_time is None or t.exit_time >= t.entry_time


def test_the_same_seed_gives_the_same_journals():
    seed("--users", "2", "--trades-per-user", "20", "--seed", "9", "--username-prefix", "a")
    seed("--users", "2", "--trades-per-user", "20", "--seed", "9", "--username-prefix", "b")

    def journal(prefix):
        rows = Trade.objects.filter(user__username__startswith=prefix).order_by("id")
        return [(t.instrument, t.side, t.quantity, t.entry_price, t.exit_price, t.net_pnl) for t in rows]

    assert journal("a") == journal("b")
    assert get_user_model().objects.filter(username__startswith="a").count() == 2


def test_bad_counts_are_refused():
    with pytest.raises(CommandError):
        seed("--users", "0", "--trades-per-user", "1")
