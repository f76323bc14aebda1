"""Many rows in at once: COPY on PostgreSQL (ids reserved from the table's sequence when the caller
needs them), one prepared INSERT run over all rows on SQLite (ids the next ones after the table's
highest, under the transaction's write lock). No per-row queries, no model instances.

No shape lives here: a row is a plain tuple in the order of the columns its caller names, so that
100,000 of them cost no model instance on PostgreSQL."""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, models, transaction

BATCH = 10_000


def insert(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple], *, ids: bool = False) -> list[int]:
    """Inserts `rows` (values in `columns` order, attnames such as `trade_id`); returns their new ids in
    row order when `ids`, else []."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy(model, columns, rows, ids=ids)
    if connection.vendor == "sqlite":
        return _executemany(model, columns, rows, ids=ids)
    objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
    model._default_manager.bulk_create(objects, batch_size=2000)
    return [obj.pk for obj in objects] if ids else []


def _executemany(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple], *, ids: bool) -> list[int]:
    # SQLite holds one write lock for everyone: the ORM's bulk_create (a model and a compiled
    # statement per row) held it five times longer than this for the same rows (measured).
    table = connection.ops.quote_name(model._meta.db_table)
    new_ids: list[int] = []
    with transaction.atomic(), connection.cursor() as cursor:  # the write lock from the first statement
        if ids:
            # AUTOINCREMENT never reuses an id: past both the highest row and the highest ever given.
            cursor.execute(
                f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "  # noqa: S608
                "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [model._meta.db_table],
            )
            first = cursor.fetchone()[0] + 1
            new_ids = list(range(first, first + len(rows)))
            columns = ("id", *columns)
            rows = [(new_id, *row) for new_id, row in zip(new_ids, rows, strict=True)]
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        marks = ", ".join(["%s"] * len(columns))
        # Times as the ORM writes them (UTC, naive text); every other value as the driver adapts it.
        fields = {field.attname: field for field in model._meta.concrete_fields}
        times = [i for i, column in enumerate(columns) if isinstance(fields.get(column), models.DateTimeField)]
        if times:
            rows = [_with_times(row, times) for row in rows]
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
    return new_ids


def _copy(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple], *, ids: bool) -> list[int]:
    table = connection.ops.quote_name(model._meta.db_table)
    new_ids: list[int] = []
    with connection.cursor() as cursor:
        if ids:
            # Ids come from the table's own sequence, as an INSERT would draw them: one round trip.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(rows)],
            )
            new_ids = [row[0] for row in cursor.fetchall()]
            columns = ("id", *columns)
            rows = [(new_id, *row) for new_id, row in zip(new_ids, rows, strict=True)]
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for start in range(0, len(rows), BATCH):
                copy.write("".join(["\t".join(map(_text, row)) + "\n" for row in rows[start : start + BATCH]]))
    return new_ids


def _with_times(row: tuple, times: list[int]) -> list:
    values = list(row)
    for i in times:
        if values[i] is not None:
            values[i] = connection.ops.adapt_datetimefield_value(values[i])
    return values


def _text(value) -> str:
    """A value in COPY's text format (written here: twice as fast as psycopg's write_row per row)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # int, Decimal, bool


def delete(model: type[models.Model], ids: Iterable[int]) -> None:
    """Deletes the rows with these ids (and what cascades from them), in batches of bounded size."""
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        # Only the ids: the collector needs no more to cascade, and loading whole rows cost more.
        model._default_manager.filter(pk__in=ids[start : start + BATCH]).only("pk").delete()
