"""The equity curve and its drawdowns, computed by the database in one statement: window functions
for the running equity and its running peak, and the largest drawdown's peak and trough.

equity = starting balance + cumulative net P&L; peak = the greater of the starting balance and the
running maximum of equity; drawdown = peak - equity. The largest drawdown is the first point where
it is deepest (its trough); its peak is the last point before it where equity stood at its peak,
or null when that peak is the starting balance itself (the curve fell from its first trade on).
Over no points there is no drawdown: the figures are null.
"""

from zoneinfo import ZoneInfo

from django.db.models import DateTimeField, F, QuerySet
from django.db.models.functions import Trunc

from analytics.database import (
    compiled,
    fetch_one,
    points_column,
    read_points,
    read_time,
    real,
    settled,
    time_column,
    to_decimal,
)
from journal.models import Account
from journal.stats import MoneySum, to_cents

POINT_KEYS = ["time", "pnl", "equity", "peak", "drawdown"]


def points_query(trades: QuerySet, *, interval: str, zone: ZoneInfo) -> QuerySet:
    """The curve's points before any running sum: (moment, amount) per closed trade (with its id, the
    tie-break of equal exit times), or per period with closed trades, the period starting in `zone`."""
    trades = trades.order_by()
    if interval == "trade":
        return trades.values("id").annotate(moment=F("exit_time"), amount=F("net_pnl"))
    period = Trunc("exit_time", interval, output_field=DateTimeField(), tzinfo=zone)
    return trades.values(moment=period).annotate(amount=MoneySum("net_pnl"))


def point_order(interval: str) -> str:
    return "points.moment, points.id" if interval == "trade" else "points.moment"


def drawdown_ctes(points: tuple[str, tuple], *, order: str, account_id: int | None, user) -> tuple[str, tuple]:
    """Common table expressions, from `points` (SQL selecting moment, amount) in `order`:
    base (sb: the starting balance), drawdowns (ord, moment, amount, equity, peak, drawdown, sb) and
    trough (the largest drawdown's point). The starting balance is the named account's (a null
    balance counting as 0), else 0."""
    points_sql, points_params = points
    sql = f"""
points AS ({points_sql}),
base AS (
    SELECT COALESCE((SELECT starting_balance FROM {Account._meta.db_table} WHERE id = %s AND user_id = %s), 0) AS sb
),
curve AS (
    SELECT ROW_NUMBER() OVER running AS ord, points.moment, points.amount, base.sb,
           {settled("base.sb + SUM(points.amount) OVER running")} AS equity
    FROM points CROSS JOIN base
    WINDOW running AS (ORDER BY {order} ROWS UNBOUNDED PRECEDING)
),
peaks AS (
    SELECT ord, moment, amount, equity, sb,
           CASE WHEN MAX(equity) OVER running > sb THEN MAX(equity) OVER running ELSE sb END AS peak
    FROM curve
    WINDOW running AS (ORDER BY ord ROWS UNBOUNDED PRECEDING)
),
drawdowns AS (SELECT ord, moment, amount, equity, peak, {settled("peak - equity")} AS drawdown, sb FROM peaks),
trough AS (SELECT ord, moment FROM drawdowns WHERE drawdown > 0 ORDER BY drawdown DESC, ord LIMIT 1)
"""
    return sql, (*points_params, account_id, user.pk)


def drawdown_columns(*, timestamp: bool) -> dict[str, str]:
    """The drawdown figures, as columns over drawdown_ctes()."""
    return {
        "starting_balance": "(SELECT sb FROM base)",
        "max_drawdown": "(SELECT MAX(drawdown) FROM drawdowns)",
        # Only with a starting balance > 0, so every peak is > 0.
        "max_drawdown_pct": f"(SELECT MAX({real('drawdown')} * 100 / peak) FROM drawdowns WHERE sb > 0)",
        "max_drawdown_start": "(SELECT {} FROM drawdowns, trough WHERE drawdowns.drawdown = 0 AND drawdowns.ord < "
        "trough.ord ORDER BY drawdowns.ord DESC LIMIT 1)".format(time_column("drawdowns.moment", timestamp=timestamp)),
        "max_drawdown_end": f"(SELECT {time_column('moment', timestamp=timestamp)} FROM trough)",
        "current_drawdown": "(SELECT drawdown FROM drawdowns ORDER BY ord DESC LIMIT 1)",
    }


def drawdown_figures(row: dict, *, timestamp: bool) -> dict:
    return {
        "max_drawdown": to_cents(to_decimal(row["max_drawdown"])),
        "max_drawdown_pct": to_cents(to_decimal(row["max_drawdown_pct"])),
        "max_drawdown_start": read_time(row["max_drawdown_start"], timestamp=timestamp),
        "max_drawdown_end": read_time(row["max_drawdown_end"], timestamp=timestamp),
        "current_drawdown": to_cents(to_decimal(row["current_drawdown"])),
    }


def equity(trades: QuerySet, *, interval: str, zone: ZoneInfo, account_id: int | None, user) -> dict:
    """{starting_balance, points: [{time, pnl, equity, peak, drawdown}], max_drawdown, ...} over
    the closed `trades`: a point per trade at its exit time, or per period at its first date."""
    timestamp = interval == "trade"
    ctes, params = drawdown_ctes(
        compiled(points_query(trades, interval=interval, zone=zone)),
        order=point_order(interval), account_id=account_id, user=user,
    )  # fmt: skip
    columns = drawdown_columns(timestamp=timestamp)
    columns["points"] = points_column(
        "drawdowns",
        {"time": time_column("moment", timestamp=timestamp), "pnl": "amount", "equity": "equity", "peak": "peak",
         "drawdown": "drawdown"},
        order="ord",
    )  # fmt: skip
    select = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
    row = fetch_one(f"WITH {ctes} SELECT {select}", params)
    return {
        "starting_balance": to_cents(to_decimal(row["starting_balance"])),
        "points": read_points(row["points"], POINT_KEYS, timestamp=timestamp, finish=to_cents),
        **drawdown_figures(row, timestamp=timestamp),
    }
