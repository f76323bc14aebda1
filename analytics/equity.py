"""The equity curve and its drawdowns, computed by the database in one statement: window functions
for the running equity, its running peak and the largest drawdown so far, in one ordered pass.

equity = starting balance + cumulative net P&L; peak = the greater of the starting balance and the
running maximum of equity; drawdown = peak - equity. The largest drawdown is the first point where
it is deepest (its trough, `end`); its peak (`start`) is the last point before it where equity stood
at its peak, or null when that peak is the starting balance itself (the curve fell from its first
trade on). Over no points there is no drawdown: the figures are null.
"""

from itertools import chain
from zoneinfo import ZoneInfo

from django.db.models import DateTimeField, F, QuerySet
from django.db.models.functions import Trunc

from analytics.database import (
    compiled,
    fetch_one,
    fetch_rows,
    greatest,
    point_column,
    point_json,
    points_column,
    read_points,
    read_time,
    real,
    settled,
    time_column,
    to_decimal,
)
from core import zones
from journal.models import Account
from journal.stats import MoneySum, to_cents

POINT_KEYS = ["time", "pnl", "equity", "peak", "drawdown"]
# The drawdown figures, as aggregates over running_ctes()'s `peaks`.
MAX_DRAWDOWN = f"MAX({settled('peak - equity')})"
# Only with a starting balance > 0, so every peak is > 0.
MAX_DRAWDOWN_PCT = f"MAX({real('peak - equity')} * 100 / peak) FILTER (WHERE sb > 0)"


def points_query(trades: QuerySet, *, interval: str, zone: ZoneInfo) -> QuerySet:
    """The curve's points before any running sum: (moment, amount) per closed trade (with its id, the
    tie-break of equal exit times), or per period with closed trades, the period starting in `zone`."""
    trades = trades.order_by()
    if interval == "trade":
        return trades.values("id").annotate(moment=F("exit_time"), amount=F("net_pnl"))
    period = Trunc("exit_time", interval, output_field=DateTimeField(), tzinfo=zones.in_database(zone))
    return trades.values(moment=period).annotate(amount=MoneySum("net_pnl"))


def point_order(interval: str) -> list[str]:
    return ["moment", "id"] if interval == "trade" else ["moment"]


def running_ctes(
    points: tuple[str, tuple], *, order: list[str], account_id: int | None, user,
    carry: tuple[str, ...] = (), first: dict[str, str] | None = None, second: dict[str, str] | None = None,
) -> tuple[str, tuple]:  # fmt: skip
    """Common table expressions over `points` (SQL selecting moment, amount, the `order` columns and
    the `carry` ones): base (sb, the starting balance: the named account's, a null one counting as 0,
    else 0) and peaks (every points column, sb, equity, peak), each point in `order`. `first` and
    `second` add window expressions (over `running`) to the two levels, the second seeing the first's.

    Each level keeps the order of the one below, so PostgreSQL sorts the points once at most."""
    points_sql, points_params = points
    passed = ", ".join(dict.fromkeys(["moment", "amount", *order, *carry]))
    window = f"WINDOW running AS (ORDER BY {', '.join(order)} ROWS UNBOUNDED PRECEDING)"
    level_one = "".join(f", {sql} AS {name}" for name, sql in (first or {}).items())
    level_two = "".join(f", {sql} AS {name}" for name, sql in (second or {}).items())
    sql = f"""
points AS ({points_sql}),
base AS (
    SELECT COALESCE((SELECT starting_balance FROM {Account._meta.db_table} WHERE id = %s AND user_id = %s), 0) AS sb
),
curve AS (
    SELECT {passed}, sb, {settled("sb + SUM(amount) OVER running")} AS equity{level_one}
    FROM points CROSS JOIN base {window}
),
peaks AS (
    SELECT curve.*, {greatest("sb", "MAX(equity) OVER running")} AS peak{level_two}
    FROM curve {window}
)
"""
    return sql, (*points_params, account_id, user.pk)


def equity(
    trades: QuerySet, *, interval: str, zone: ZoneInfo, account_id: int | None, user, points_json: bool = False,
    max_points: int | None = None, with_points: bool = True,
) -> dict:  # fmt: skip
    """{starting_balance, points: [{time, pnl, equity, peak, drawdown}], max_drawdown, ...} over
    the closed `trades`: a point per trade at its exit time, or per period at its first date; no more
    than `max_points` of them (analytics.downsample), the figures always the full series'.
    `points_json`: the points as the JSON a response carries where the database writes it
    (analytics.database), for a response only; without `max_points`, an iterator of each point's JSON
    read from a server-side cursor, for core.renderers.spooled() to write as it reads (a series of a
    million trades is ~100 MB). Without `with_points`, the figures alone (points empty): a page drawing
    a coarser curve still shows the drawdowns of this one."""
    timestamp, order = interval == "trade", point_order(interval)
    ctes, params, figures = _curve(trades, interval=interval, zone=zone, account_id=account_id, user=user)
    columns = {"time": time_column("moment", timestamp=timestamp), "pnl": "amount", "equity": "equity", "peak": "peak",
               "drawdown": "drawdown"}  # fmt: skip
    if points_json and with_points and max_points is None:
        return _streamed(ctes, params, figures, columns, order=order, timestamp=timestamp, using=trades.db)
    points = points_column(columns, order=order)
    row = fetch_one(
        f"WITH {ctes} SELECT {figures}, {points if with_points else 'NULL'} AS points FROM drawdowns",
        params,
        using=trades.db,
    )
    points = []
    if with_points:
        points = read_points(
            row["points"], POINT_KEYS, order=order, timestamp=timestamp, finish=to_cents, as_json=points_json,
            max_points=max_points,
        )  # fmt: skip
    return _figures(row, points, timestamp=timestamp)


def _streamed(
    ctes: str, params: tuple, figures: str, columns: dict[str, str], *, order: list[str], timestamp: bool, using: str,
) -> dict:  # fmt: skip
    """The curve with its points as an iterator of their JSON, in ONE statement: every point row
    carries the figures (the same aggregates as equity()'s, over the whole series, joined on), so the
    figures and the points are of one snapshot without a transaction to hold open. The join is a
    left one: a series without points still gives the figures' row, its point null."""
    in_order = ", ".join(f"point_rows.{name}" for name in order)
    rows = fetch_rows(
        f"""WITH {ctes},
figures AS (SELECT {figures} FROM drawdowns)
SELECT figures.*, point_rows.point
FROM figures LEFT JOIN (SELECT {", ".join(order)}, {point_column(columns)} AS point FROM drawdowns) AS point_rows
    ON 1 = 1
ORDER BY {in_order}""",
        params,
        using=using,
    )
    first = next(rows)
    written = point_json(POINT_KEYS, timestamp=timestamp, finish=to_cents)
    points = (written(row["point"]) for row in chain([first], rows) if row["point"] is not None)
    return _figures(first, points, timestamp=timestamp)


def _curve(trades: QuerySet, *, interval: str, zone: ZoneInfo, account_id: int | None, user) -> tuple[str, tuple, str]:
    """The common table expressions up to `drawdowns` (every point with its drawdown), their
    parameters, and the figures' select list, aggregates over `drawdowns`."""
    timestamp, order = interval == "trade", point_order(interval)
    ctes, params = running_ctes(
        compiled(points_query(trades, interval=interval, zone=zone)), order=order, account_id=account_id, user=user
    )
    # The largest drawdown before each point, and when equity last stood at its peak: a point that
    # deepens the largest drawdown is a new trough, and the last of them is the one.
    window = f"WINDOW running AS (ORDER BY {', '.join(order)})"
    trough = "(drawdown > COALESCE(deepest_before, 0))"
    ctes = f"""{ctes},
drawdowns AS (
    SELECT peaks.*, {settled("peak - equity")} AS drawdown,
           MAX({settled("peak - equity")}) OVER (running ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
               AS deepest_before,
           MAX(moment) FILTER (WHERE peak = equity) OVER (running ROWS UNBOUNDED PRECEDING) AS peak_moment
    FROM peaks {window}
)"""
    figures = f"""(SELECT sb FROM base) AS starting_balance, {MAX_DRAWDOWN} AS max_drawdown,
       {MAX_DRAWDOWN_PCT} AS max_drawdown_pct,
       {time_column(f"MAX(peak_moment) FILTER (WHERE {trough})", timestamp=timestamp)} AS max_drawdown_start,
       {time_column(f"MAX(moment) FILTER (WHERE {trough})", timestamp=timestamp)} AS max_drawdown_end,
       {settled(f"{greatest('MIN(sb)', 'MAX(equity)')} - {settled('MIN(sb) + SUM(amount)')}")} AS current_drawdown"""
    return ctes, params, figures


def _figures(row: dict, points: object, *, timestamp: bool) -> dict:
    return {
        "starting_balance": to_cents(to_decimal(row["starting_balance"])),
        "points": points,
        "max_drawdown": to_cents(to_decimal(row["max_drawdown"])),
        "max_drawdown_pct": to_cents(to_decimal(row["max_drawdown_pct"])),
        "max_drawdown_start": read_time(row["max_drawdown_start"], timestamp=timestamp),
        "max_drawdown_end": read_time(row["max_drawdown_end"], timestamp=timestamp),
        "current_drawdown": to_cents(to_decimal(row["current_drawdown"])),
    }
