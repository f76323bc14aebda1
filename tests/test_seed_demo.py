"""seed_demo: realistic, reproducible demo journals whose P&L is the model's own, with each
trader's accounts (futures with point values, one in euros) and tags."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from journal.models import Account, Tag, Trade, TradeTag, compute_pnl

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
                               exit_price=t.exit_price, commission=t.commission, multiplier=t.multiplier)  # fmt: skip
        assert (t.pnl, t.net_pnl) == expected
        assert t.exit_time is None or t.exit_time >= t.entry_time


def test_each_trader_gets_accounts_a_futures_one_with_point_values_and_one_in_euros():
    seed("--users", "3", "--trades-per-user", "300", "--seed", "5")
    for user in get_user_model().objects.all():
        accounts = {a.name: a for a in Account.objects.owned_by(user)}
        assert {a.currency for a in accounts.values()} == {"USD", "EUR"}, user
        futures = Trade.objects.owned_by(user).filter(account=accounts["Futures"])
        assert dict(futures.values_list("instrument", "multiplier").distinct()) == {"ES": 50, "NQ": 20, "MNQ": 2}
        assert Trade.objects.owned_by(user).filter(account=accounts["Europe"]).exists()
        assert Trade.objects.owned_by(user).filter(account=None).exists()  # some trades have no account
        assert Trade.objects.owned_by(user).exclude(account=None).exclude(account__user=user).count() == 0
    assert Trade.objects.exclude(multiplier=1).filter(pnl__isnull=False).exists()


def test_trades_carry_their_owners_tags():
    seed("--users", "3", "--trades-per-user", "300", "--seed", "5")
    links = TradeTag.objects.select_related("trade", "tag")
    assert links.count() > 300
    assert all(link.trade.user_id == link.tag.user_id for link in links)
    per_trade = Trade.objects.annotate(n=Count("tags")).values_list("n", flat=True)
    assert {0, 1, 2} <= set(per_trade) <= {0, 1, 2, 3}
    assert Tag.objects.filter(name="FOMO", color="#d62728").count() == 3


def test_seeding_again_reuses_the_traders_accounts_and_tags():
    seed("--users", "2", "--trades-per-user", "10", "--seed", "1")
    accounts, tags = Account.objects.count(), Tag.objects.count()
    seed("--users", "2", "--trades-per-user", "10", "--seed", "2")
    assert (Account.objects.count(), Tag.objects.count()) == (accounts, tags) == (6, 16)
    assert Trade.objects.count() == 40


def test_the_same_seed_gives_the_same_journals():
    seed("--users", "2", "--trades-per-user", "20", "--seed", "9", "--username-prefix", "a")
    seed("--users", "2", "--trades-per-user", "20", "--seed", "9", "--username-prefix", "b")

    def journal(prefix):
        rows = Trade.objects.filter(user__username__startswith=prefix).order_by("id")
        return [(t.instrument, t.side, t.quantity, t.entry_price, t.exit_price, t.net_pnl, t.account and t.account.name,
                 sorted(t.tags.values_list("name", flat=True))) for t in rows.select_related("account")]  # fmt: skip

    assert journal("a") == journal("b")
    assert get_user_model().objects.filter(username__startswith="a").count() == 2


def test_bad_counts_are_refused():
    with pytest.raises(CommandError):
        seed("--users", "0", "--trades-per-user", "1")
