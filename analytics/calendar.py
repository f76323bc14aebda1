"""The P&L calendar: closed trades by the date of their exit in the trader's time zone — one
grouped aggregate query. The period's total is the exact sum of the days, rounded once."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.db.models.functions import TruncDate

from core import zones
from journal.stats import OUTCOME_AGGREGATES, ZERO, to_cents


def calendar(trades: QuerySet, *, zone: ZoneInfo, period: tuple[datetime, datetime] | None) -> dict:
    """{net_pnl, days: [{date, total_trades, wins, losses, net_pnl}]} over the closed `trades`
    exited in `period` (its first instant and the next period's), or over all of them."""
    if period is not None:
        trades = trades.filter(exit_time__gte=period[0], exit_time__lt=period[1])
    rows = (
        trades.order_by()
        .values(day=TruncDate("exit_time", tzinfo=zones.in_database(zone)))
        .annotate(**{name: OUTCOME_AGGREGATES[name] for name in ("n_closed", "n_wins", "n_losses", "sum_net")})
        .order_by("day")
    )
    days, total = [], ZERO
    for row in rows:
        total += row["sum_net"]
        days.append({
            "date": row["day"].isoformat(), "total_trades": row["n_closed"], "wins": row["n_wins"],
            "losses": row["n_losses"], "net_pnl": to_cents(row["sum_net"]),
        })  # fmt: skip
    return {"net_pnl": to_cents(total), "days": days}
