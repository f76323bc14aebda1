"""Performance statistics of a set of trades: one aggregate query, finished on its single row."""

from decimal import ROUND_HALF_UP, Context, Decimal

from django.db.models import Count, Max, Min, Q, QuerySet, Sum

CENT = Decimal("0.01")
ZERO = Decimal(0)
# A trade's P&L runs to 36 digits (price difference x quantity x multiplier, 12 each) and sums
# to more: Python's default 28 digits could neither round those to the cent nor divide them
# exactly enough to.
FIGURES = Context(prec=100, rounding=ROUND_HALF_UP)

CLOSED = Q(exit_time__isnull=False)
WIN = Q(net_pnl__gt=0)
LOSS = Q(net_pnl__lt=0)


def to_cents(value: Decimal | None) -> Decimal | None:
    """Money figures are shown rounded half-up to the cent."""
    return None if value is None else value.quantize(CENT, context=FIGURES)


def _ratio(numerator: Decimal, denominator: Decimal | int) -> Decimal | None:
    return None if not denominator else to_cents(FIGURES.divide(Decimal(numerator), Decimal(denominator)))


def trade_stats(trades: QuerySet) -> dict:
    """The contract's stats over the closed trades of `trades` (plus its count of open ones).

    A win has net_pnl > 0, a loss < 0, breakeven neither; gross_loss is a positive magnitude, so
    net_pnl = gross_profit - gross_loss. Ratios are null when their denominator is zero.
    """
    row = trades.aggregate(
        # Aliases differ from the field names: an alias may not shadow a field it aggregates.
        n_closed=Count("id", filter=CLOSED),
        n_open=Count("id", filter=~CLOSED),
        n_wins=Count("id", filter=WIN),
        n_losses=Count("id", filter=LOSS),
        sum_net=Sum("net_pnl"),
        sum_wins=Sum("net_pnl", filter=WIN),
        sum_losses=Sum("net_pnl", filter=LOSS),
        max_net=Max("net_pnl"),
        min_net=Min("net_pnl"),
        sum_commission=Sum("commission", filter=CLOSED),
    )
    total, wins, losses = row["n_closed"], row["n_wins"], row["n_losses"]
    net_pnl = row["sum_net"] or ZERO
    gross_profit = row["sum_wins"] or ZERO
    gross_loss = -(row["sum_losses"] or ZERO)
    return {
        "total_trades": total,
        "win_rate": _ratio(wins * 100, total),
        "net_pnl": to_cents(net_pnl),
        "profit_factor": _ratio(gross_profit, gross_loss),
        "gross_profit": to_cents(gross_profit),
        "gross_loss": to_cents(gross_loss),
        "avg_win": _ratio(gross_profit, wins),
        "avg_loss": _ratio(-gross_loss, losses),
        "best_trade": to_cents(row["max_net"]),
        "worst_trade": to_cents(row["min_net"]),
        "wins": wins,
        "losses": losses,
        "breakeven": total - wins - losses,
        "open_trades": row["n_open"],
        "total_commission": to_cents(row["sum_commission"] or ZERO),
        "expectancy": _ratio(net_pnl, total),
    }
