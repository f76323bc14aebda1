"""Performance statistics of a set of trades: one aggregate query, finished on its single row.

The outcome figures (counts, sums, win rate, profit factor, averages) are defined here once, as
aggregates and their finish, for /stats and for every bucket of the analytics breakdowns.
`stats_in_currency` is /stats' answer, for the API and the web journal alike.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from journal.currency import single_currency
from journal.models import MONEY

CENT = Decimal("0.01")
ZERO = Decimal(0)
# A trade's P&L runs to 36 digits (price difference x quantity x multiplier, 12 each) and sums
# to more: Python's default 28 digits could neither round those to the cent nor divide them
# exactly enough to.
FIGURES = Context(prec=100, rounding=ROUND_HALF_UP)

CLOSED = Q(exit_time__isnull=False)
WIN = Q(net_pnl__gt=0)
LOSS = Q(net_pnl__lt=0)


class MoneySum(Sum):
    """A sum of money, exact on SQLite too. PostgreSQL adds numerics exactly; SQLite adds decimals
    in binary floating point, so there the sum is rounded back to the places money is stored with
    (otherwise a total of 735.475 could come back as 735.47499999999 and round to 735.47)."""

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = super().as_sqlite(compiler, connection, **extra)
        return f"ROUND({sql}, {MONEY['decimal_places']})", params


# Aliases differ from the field names: an alias may not shadow a field it aggregates.
OUTCOME_AGGREGATES = {
    "n_closed": Count("id", filter=CLOSED),
    "n_wins": Count("id", filter=WIN),
    "n_losses": Count("id", filter=LOSS),
    "sum_net": MoneySum("net_pnl"),
    "sum_wins": MoneySum("net_pnl", filter=WIN),
    "sum_losses": MoneySum("net_pnl", filter=LOSS),
}


def to_cents(value: Decimal | None) -> Decimal | None:
    """Money figures are shown rounded half-up to the cent."""
    return None if value is None else value.quantize(CENT, context=FIGURES)


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """numerator / denominator rounded half-up to 2 places; null when the denominator is zero."""
    return None if not denominator else to_cents(FIGURES.divide(Decimal(numerator), Decimal(denominator)))


def outcome_figures(row: dict) -> dict:
    """The outcome figures of one row of OUTCOME_AGGREGATES.

    A win has net_pnl > 0, a loss < 0, breakeven neither; gross_loss is a positive magnitude, so
    net_pnl = gross_profit - gross_loss. Ratios are null when their denominator is zero.
    """
    total, wins, losses = row["n_closed"], row["n_wins"], row["n_losses"]
    net_pnl = row["sum_net"] or ZERO
    gross_profit = row["sum_wins"] or ZERO
    gross_loss = -(row["sum_losses"] or ZERO)
    return {
        "total_trades": total,
        "wins": wins,
        "losses": losses,
        "breakeven": total - wins - losses,
        "win_rate": ratio(wins * 100, total),
        "net_pnl": to_cents(net_pnl),
        "gross_profit": to_cents(gross_profit),
        "gross_loss": to_cents(gross_loss),
        "profit_factor": ratio(gross_profit, gross_loss),
        "avg_win": ratio(gross_profit, wins),
        "avg_loss": ratio(-gross_loss, losses),
        "expectancy": ratio(net_pnl, total),
    }


# The reference's keys first, in its order, then ours.
STATS_KEYS = (
    "total_trades", "win_rate", "net_pnl", "profit_factor", "gross_profit", "gross_loss", "avg_win", "avg_loss",
    "best_trade", "worst_trade", "wins", "losses", "breakeven", "open_trades", "total_commission", "expectancy",
)  # fmt: skip


def trade_stats(trades: QuerySet) -> dict:
    """The contract's stats over the closed trades of `trades` (plus its count of open ones)."""
    row = trades.aggregate(
        **OUTCOME_AGGREGATES,
        n_open=Count("id", filter=~CLOSED),
        max_net=Max("net_pnl"),
        min_net=Min("net_pnl"),
        sum_commission=MoneySum("commission", filter=CLOSED),
    )
    figures = {
        **outcome_figures(row),
        "best_trade": to_cents(row["max_net"]),
        "worst_trade": to_cents(row["min_net"]),
        "open_trades": row["n_open"],
        "total_commission": to_cents(row["sum_commission"] or ZERO),
    }
    return {key: figures[key] for key in STATS_KEYS}


def stats_in_currency(*, owner: AbstractBaseUser, trades: QuerySet, filters: Mapping) -> dict:
    """The stats of `trades` (the owner's, as the trade filters with the values `filters` selected
    them) and the one currency they are in; UnprocessableEntity if they are in several."""
    currency = single_currency(trades, user=owner, filters=filters)
    return {**trade_stats(trades), "currency": currency}
