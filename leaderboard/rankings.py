"""The 30-day ranking, computed by the database: net P&L of trades closed in the window."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf

from journal.currency import in_currency
from journal.models import Account, Trade
from journal.stats import to_cents
from leaderboard.models import TraderProfile

WINDOW_DAYS = 30
MIN_TRADES = 5
SIZE = 25


def compute_rankings(*, now: datetime | None = None) -> list[dict]:
    """At most SIZE rows {"rank", "user", "trades", "pnl"}, best net P&L first (pnl to the cent).

    Ties: more trades first, then the public name; ranks run 1..n without gaps. Only active
    traders who have not left the board and closed at least MIN_TRADES trades in the window,
    counting only trades in settings.LEADERBOARD_CURRENCY (money in others is never added in).
    """
    User = get_user_model()
    # The public name of the grouped trader, looked up once per group (not per trade).
    public_name = Subquery(
        User.objects.filter(pk=OuterRef("user"))
        .annotate(name=Coalesce(NullIf("trader_profile__display_name", Value("")), "username"))
        .values("name")[:1]
    )
    closed = Trade.objects.closed_in_window(days=WINDOW_DAYS, now=now)
    window = in_currency(closed, settings.LEADERBOARD_CURRENCY, accounts=Account.objects.all())
    trades = (
        # Aggregate first, on the trades alone: the window comes from the partial (exit_time)
        # INCLUDE (user_id, net_pnl, account_id) index, grouped in memory. Joining users before
        # grouping let PostgreSQL walk every trader's whole journal instead (see bench/README.md).
        window.exclude(user__in=User.objects.filter(is_active=False).values("pk"))
        .exclude(user__in=TraderProfile.objects.filter(hidden_from_leaderboard=True).values("user"))
        .values("user")
        # COUNT(*), not COUNT(id): id is not in that index, and needing it costs the index-only scan.
        .annotate(window_trades=Count("*"), window_pnl=Sum("net_pnl"))
        .filter(window_trades__gte=MIN_TRADES)
        .annotate(public_name=public_name)
        .order_by("-window_pnl", "-window_trades", "public_name", "user")
    )
    rows = trades.values_list("public_name", "window_trades", "window_pnl")[:SIZE]
    return [
        {"rank": rank, "user": name, "trades": trades, "pnl": to_cents(pnl)}
        for rank, (name, trades, pnl) in enumerate(rows, start=1)
    ]
