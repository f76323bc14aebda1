"""The 30-day ranking, computed by the database: net P&L of trades closed in the window."""

from datetime import datetime

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf

from journal.models import Trade
from journal.stats import to_cents

WINDOW_DAYS = 30
MIN_TRADES = 5
SIZE = 25


def compute_rankings(*, now: datetime | None = None) -> list[dict]:
    """At most SIZE rows {"rank", "user", "trades", "pnl"}, best net P&L first (pnl to the cent).

    Ties: more trades first, then the public name; ranks run 1..n without gaps. Only active
    traders who have not left the board and closed at least MIN_TRADES trades in the window.
    """
    trades = (
        Trade.objects.closed_in_window(days=WINDOW_DAYS, now=now)
        .filter(user__is_active=True)
        .filter(Q(user__trader_profile__isnull=True) | Q(user__trader_profile__hidden_from_leaderboard=False))
        # Grouped by trader: the window's rows come from the partial (exit_time) INCLUDE
        # (user_id, net_pnl) index; only the grouped rows meet the users table.
        .values("user")
        .annotate(
            public_name=Coalesce(NullIf("user__trader_profile__display_name", Value("")), "user__username"),
            window_trades=Count("id"),
            window_pnl=Sum("net_pnl"),
        )
        .filter(window_trades__gte=MIN_TRADES)
        .order_by("-window_pnl", "-window_trades", "public_name", "user")
    )
    rows = trades.values_list("public_name", "window_trades", "window_pnl")[:SIZE]
    return [
        {"rank": rank, "user": name, "trades": trades, "pnl": to_cents(pnl)}
        for rank, (name, trades, pnl) in enumerate(rows, start=1)
    ]
