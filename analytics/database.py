"""Running the analytics' statements, and the few places where PostgreSQL and SQLite must be told
apart to give the same answers.

Each statement wraps the trade filters' own SQL (compiled by Django, values as parameters) in
common table expressions written once, in SQL both databases read. PostgreSQL computes in exact
numerics. SQLite adds decimals in binary floating point, so there:
- a running sum is rounded back to the 8 places money is stored with (`settled`), so that equal
  amounts compare equal (a peak reached again, a zero drawdown) and ties break the same way;
- a quotient is taken in floating point (`real`), as SQLite divides two whole numbers as integers;
- numbers read back keep 15 significant digits (`to_decimal`), like Django's own SQLite decimals,
  before Decimal rounds them half-up to the cent;
- the equity points are rounded and formatted in Python (PostgreSQL writes them as JSON itself).

PostgreSQL's JSON of the points is what a response carries, untouched (`as_json`: no Python work per
point, see bench/README.md); a caller that reads the points, as the web journal does, gets them
decoded, every amount a Decimal, as SQLite's are.
"""

import json
from collections.abc import Callable, Iterator
from datetime import UTC
from decimal import Context, Decimal

import orjson
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.utils import typecast_timestamp
from django.db.models import DecimalField, Func, QuerySet

from analytics.downsample import COMPARED, bounded_json, kept
from core.renderers import dumps, format_timestamp
from journal.models import MONEY

SQLITE_DIGITS = Context(prec=15)
# Rows fetched at a time from a server-side cursor: each fetch is a round trip (Django's 100 made a
# million-point curve 10,000 of them), and 2,000 points are about 200 KB.
FETCHED_ROWS = 2000


def compiled(queryset: QuerySet) -> tuple[str, tuple]:
    """The queryset's SELECT and its parameters, to be wrapped in a larger statement."""
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def fetch_one(sql: str, params: tuple, *, using: str = DEFAULT_DB_ALIAS) -> dict:
    """The statement's single row, by column name, read on the database `using` (the trades'
    queryset's `.db`: the standby where core.replicas sends the request's reads)."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def fetch_rows(sql: str, params: tuple, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[dict]:
    """The statement's rows, by column name, a chunk at a time from a server-side cursor (SQLite
    steps through its result anyway): a long result is never held whole. Behind a transaction
    pooler (DISABLE_SERVER_SIDE_CURSORS) the driver holds it all the same."""
    with connections[using].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        while chunk := cursor.fetchmany(FETCHED_ROWS):
            for values in chunk:
                yield dict(zip(names, values, strict=True))


def to_decimal(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return SQLITE_DIGITS.create_decimal_from_float(value)
    return Decimal(value)


class Quotient(Func):
    """a / b as a decimal quotient. SQLite divides two whole numbers as integers (100 / 30 = 3),
    so there the dividend is made real first, and the quotient kept to 10 places: the last bits of
    a float quotient differ between equal ratios (0.3 / 0.1 and 3 / 1), which would make a zero
    deviation look positive."""

    arg_joiner = " / "
    template = "(%(expressions)s)"
    output_field = DecimalField()

    def as_sqlite(self, compiler, connection, **extra):
        (dividend, dividend_params), (divisor, divisor_params) = map(compiler.compile, self.get_source_expressions())
        return f"ROUND(CAST({dividend} AS REAL) / {divisor}, 10)", (*dividend_params, *divisor_params)


def postgres() -> bool:
    return connection.vendor == "postgresql"


def settled(sql: str) -> str:
    """An amount computed from stored money, exact again (a no-op in PostgreSQL's numerics)."""
    return f"({sql})" if postgres() else f"ROUND({sql}, {MONEY['decimal_places']})"


def greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if postgres() else f"MAX({a}, {b})"


def real(sql: str) -> str:
    """A dividend, so that `real(a) / b` is a true quotient on both databases."""
    return f"({sql})" if postgres() else f"CAST({sql} AS REAL)"


# --- Equity points: time and money as the API writes them -------------------------------------------

# The API's timestamp format (DATETIME_FORMAT), written by PostgreSQL.
_PG_TIMESTAMP = """to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
_PG_DATE = "to_char({}, 'YYYY-MM-DD')"
# Money half-up to the cent (numeric round() takes halves away from zero), without trailing zeros.
_PG_MONEY = "trim_scale(round({}, 2))::text"


def time_column(sql: str, *, timestamp: bool) -> str:
    """A point's time as the API writes it: PostgreSQL formats it here, SQLite in read_time()."""
    if not postgres():
        return sql
    return (_PG_TIMESTAMP if timestamp else _PG_DATE).format(sql)


def read_time(value, *, timestamp: bool) -> str | None:
    if value is None or postgres():
        return value
    # SQLite gives a stored timestamp back as a naive UTC datetime, or as text inside JSON; a
    # period's start is text.
    if timestamp:
        moment = typecast_timestamp(value) if isinstance(value, str) else value
        return format_timestamp(moment.replace(tzinfo=UTC))
    return value[:10]


def points_column(columns: dict[str, str], *, order: list[str]) -> str:
    """An aggregate of the rows as a JSON array of objects {name: column} in `order`. On PostgreSQL
    the JSON itself, money rounded to the cent; on SQLite the raw values (the `order` columns first),
    finished by read_points(). `columns` maps names to SQL; the first is the time, the rest money."""
    if postgres():
        return f"'[' || COALESCE(string_agg({point_column(columns)}, ',' ORDER BY {', '.join(order)}), '') || ']'"
    return f"json_group_array(json_array({', '.join([*order, *columns.values()])}))"


def point_column(columns: dict[str, str]) -> str:
    """One row's point, as points_column() aggregates them: on PostgreSQL its JSON, on SQLite its raw
    values, finished by point_json()."""
    if not postgres():
        return f"json_array({', '.join(columns.values())})"
    (time_name, time_sql), *money = columns.items()
    fields = [f"""'"{time_name}":"' || {time_sql} || '"'"""]
    fields += [f"""'"{name}":' || {_PG_MONEY.format(sql)}""" for name, sql in money]
    return "'{' || " + " || ',' || ".join(fields) + " || '}'"


def point_json(names: list[str], *, timestamp: bool, finish) -> Callable[[str], bytes]:
    """What turns point_column()'s value into the JSON a response carries (chosen once: it runs per point)."""
    if postgres():
        return str.encode
    return lambda value: dumps(_point(json.loads(value), names, timestamp=timestamp, finish=finish))


def _point(values: list, names: list[str], *, timestamp: bool, finish) -> dict:
    """SQLite's raw values of a point, rounded with `finish` and formatted."""
    (time_name, *money), (at, *amounts) = names, values
    return {time_name: read_time(at, timestamp=timestamp)} | {
        name: finish(to_decimal(amount)) for name, amount in zip(money, amounts, strict=True)
    }


def read_points(
    value: str, names: list[str], *, order: list[str], timestamp: bool, finish, as_json: bool, max_points: int | None,
) -> object:  # fmt: skip
    """The points column as a list of {name: value}, no more than `max_points` of them (analytics.
    downsample): SQLite's rows put in order, rounded with `finish` and formatted; PostgreSQL's JSON
    decoded, or with `as_json` passed through as it is."""
    if postgres():
        value = bounded_json(value, max_points)
        return orjson.Fragment(value) if as_json else json.loads(value, parse_float=Decimal, parse_int=Decimal)
    money = names[1:]
    rows = [row[len(order) :] for row in sorted(json.loads(value))]
    if max_points is not None and len(rows) > max_points:
        # The points kept are chosen on the figures they are compared by, rounded as answered; only
        # those are formatted (every point of a long journal cost seconds: bench/README.md).
        compared = [
            {name: finish(to_decimal(amount)) for name, amount in zip(money, amounts, strict=True) if name in COMPARED}
            for _, *amounts in rows
        ]  # fmt: skip
        rows = [rows[index] for index in kept(compared, max_points)]
    return [_point(row, names, timestamp=timestamp, finish=finish) for row in rows]
