"""Risk and consistency: R-multiples and SQN, win and loss streaks, holding times, the daily Sharpe
and Sortino ratios and the drawdowns — one statement over the closed trades.

- R = net P&L / the money risked (analytics.measures); sqn = sqrt(n) x mean(R) / sample stdev(R)
  over the n trades with an R, null when n < 30 or the deviation is 0.
- Streaks run in exit order (exit_time, then id), found as gaps and islands: a run of equal
  outcomes is numbered by how often the outcome changed before it. A breakeven ends a run;
  current_streak is +k after k wins, -k after k losses, 0 after a breakeven or with no trades.
- Holds are exit - entry; their means are given in whole seconds (rounded half-up).
- The daily series is the net P&L of each exit date in the trader's zone, days with closed trades
  only: sharpe = mean / sample stdev x sqrt(252), sortino = mean / sqrt(sum(min(0, x)^2) / N) x
  sqrt(252), null with fewer than 20 days or a zero deviation.
- The drawdowns are those of the equity curve with a point per trade (analytics.equity), whose
  running sums this statement shares.
"""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from zoneinfo import ZoneInfo

from django.db.models import F, QuerySet
from django.db.models.functions import TruncDate

from analytics.database import compiled, fetch_one, settled, to_decimal
from analytics.equity import MAX_DRAWDOWN, MAX_DRAWDOWN_PCT, running_ctes
from analytics.measures import OUTCOME, R_MULTIPLE, HoldMicroseconds
from core import zones
from journal.stats import ratio, to_cents

SQN_MIN_TRADES = 30
SHARPE_MIN_DAYS = 20
TRADING_DAYS_A_YEAR = 252
MICROSECONDS = Decimal(1_000_000)


def _closed(trades: QuerySet, zone: ZoneInfo) -> QuerySet:
    return (
        trades.order_by()
        .values("id")
        .annotate(moment=F("exit_time"), amount=F("net_pnl"), outcome=OUTCOME, r=R_MULTIPLE, hold=HoldMicroseconds(),
                  exit_day=TruncDate("exit_time", tzinfo=zones.in_database(zone)))
    )  # fmt: skip


def _figures() -> str:
    """Over running_ctes()'s `peaks`: the runs of equal outcomes, the totals, the days."""
    return f"""
runs AS (SELECT MIN(outcome) AS outcome, COUNT(*) AS length, run FROM peaks GROUP BY run),
totals AS (
    SELECT COUNT(r) AS n_r, SUM(r) AS sum_r, MIN(r) AS low_r, MAX(r) AS high_r, AVG(r) AS mean_r,
           COUNT(*) AS n, SUM(hold) AS hold,
           SUM(CASE WHEN outcome = 1 THEN 1 ELSE 0 END) AS n_wins,
           SUM(CASE WHEN outcome = 1 THEN hold END) AS hold_wins,
           SUM(CASE WHEN outcome = -1 THEN 1 ELSE 0 END) AS n_losses,
           SUM(CASE WHEN outcome = -1 THEN hold END) AS hold_losses,
           {MAX_DRAWDOWN} AS max_drawdown, {MAX_DRAWDOWN_PCT} AS max_drawdown_pct
    FROM peaks
),
days AS (SELECT exit_day, {settled("SUM(amount)")} AS pnl FROM peaks GROUP BY exit_day),
day_totals AS (
    SELECT COUNT(*) AS n_days, SUM(pnl) AS sum_days, MIN(pnl) AS low_day, MAX(pnl) AS high_day,
           AVG(pnl) AS mean_day, SUM(CASE WHEN pnl < 0 THEN pnl * pnl ELSE 0 END) AS downside
    FROM days
)
"""


# Deviations are summed around the mean in a second pass: stable in floating point too.
_COLUMNS = """
    totals.*, day_totals.*,
    (SELECT SUM((r - totals.mean_r) * (r - totals.mean_r)) FROM peaks WHERE r IS NOT NULL) AS squares_r,
    (SELECT SUM((pnl - day_totals.mean_day) * (pnl - day_totals.mean_day)) FROM days) AS squares_days,
    COALESCE((SELECT MAX(length) FROM runs WHERE outcome = 1), 0) AS max_win_streak,
    COALESCE((SELECT MAX(length) FROM runs WHERE outcome = -1), 0) AS max_loss_streak,
    COALESCE((SELECT outcome * length FROM runs ORDER BY run DESC LIMIT 1), 0) AS current_streak
"""


def risk(trades: QuerySet, *, zone: ZoneInfo, account_id: int | None, user) -> dict:
    """The risk figures of the closed `trades`; see the module's docstring for each definition."""
    ctes, params = running_ctes(
        compiled(_closed(trades, zone)), order=["moment", "id"], account_id=account_id, user=user,
        carry=("outcome", "r", "hold", "exit_day"),
        # A run of equal outcomes gets a number of its own: one more each time the outcome changes.
        first={"previous": "LAG(outcome) OVER running"},
        second={"run": "SUM(CASE WHEN outcome = previous THEN 0 ELSE 1 END) OVER running"},
    )  # fmt: skip
    row = fetch_one(f"WITH {ctes}, {_figures()} SELECT {_COLUMNS} FROM totals, day_totals", params, using=trades.db)
    row = {name: to_decimal(value) for name, value in row.items()}
    n_r, sum_r = int(row["n_r"]), row["sum_r"] or Decimal(0)
    return {
        "trades_with_r": n_r,
        "avg_r": ratio(sum_r, n_r),
        "total_r": to_cents(sum_r),
        "sqn": _sqn(n_r, sum_r, row["squares_r"], row["low_r"] == row["high_r"]),
        "max_win_streak": int(row["max_win_streak"]),
        "max_loss_streak": int(row["max_loss_streak"]),
        "current_streak": int(row["current_streak"]),
        "avg_hold_seconds": _seconds(row["hold"], row["n"]),
        "avg_hold_seconds_win": _seconds(row["hold_wins"], row["n_wins"]),
        "avg_hold_seconds_loss": _seconds(row["hold_losses"], row["n_losses"]),
        "trading_days": int(row["n_days"]),
        **_daily_ratios(row),
        "max_drawdown": to_cents(row["max_drawdown"]),
        "max_drawdown_pct": to_cents(row["max_drawdown_pct"]),
    }


def _sqn(n: int, total: Decimal, squares: Decimal | None, all_equal: bool) -> Decimal | None:
    if n < SQN_MIN_TRADES or all_equal or not squares:
        return None
    with localcontext(prec=40):
        return to_cents(Decimal(n).sqrt() * (total / n) / (squares / (n - 1)).sqrt())


def _daily_ratios(row: dict) -> dict:
    n = int(row["n_days"])
    if n < SHARPE_MIN_DAYS:
        return {"sharpe": None, "sortino": None}
    with localcontext(prec=40):
        mean = row["sum_days"] / n
        annual = Decimal(TRADING_DAYS_A_YEAR).sqrt()
        flat = row["low_day"] == row["high_day"] or not row["squares_days"]
        sharpe = None if flat else to_cents(mean / (row["squares_days"] / (n - 1)).sqrt() * annual)
        sortino = to_cents(mean / (row["downside"] / n).sqrt() * annual) if row["downside"] else None
    return {"sharpe": sharpe, "sortino": sortino}


def _seconds(total_microseconds: Decimal | None, count) -> int | None:
    if not count:
        return None
    return int((total_microseconds / int(count) / MICROSECONDS).quantize(Decimal(1), rounding=ROUND_HALF_UP))
