"""Django's SQLite backend with the dates of stored timestamps taken by SQLite itself.

Django's SQLite backend registers Python functions for its date functions (Trunc, Extract, __date)
and calls one per row, parsing the timestamp's text and converting it to the zone asked for each
time: over a journal of 120,000 trades a breakdown by hour cost a second, the overview as a whole
several (bench/README.md). The same answers come from SQLite's own date functions, in C, given the
local time: where no conversion is asked for (the zone is the connection's own, UTC) the stored text
is already that; in any other zone, named or a fixed offset, it is the stored text moved by the
zone's offset at that instant, chosen in SQL (offsets.py). The lookups not listed here, a zone
zoneinfo does not know, and a database storing another zone than UTC are Django's.

SQLite stores a timestamp as 'YYYY-MM-DD HH:MM:SS[.ffffff]'. Its date functions round the fraction
to the millisecond (23:59:59.9996 would be the next day), so they are given the text up to the
second: what they answer is the whole seconds' date and time, as Python's parse keeps them. The
texts are Django's own functions' (a truncation is 'YYYY-MM-DD 00:00:00' in local time, a date
'YYYY-MM-DD'), so Django's converters read them back as they would its own.

SQLite has no INCLUDE columns in an index, and Django drops them there: the indexes the models
declare with INCLUDE for PostgreSQL's index-only scans were narrow on SQLite, and every analytics
statement read the whole row of each trade from the table. Here the included columns become the
index's last key columns, which SQLite reads the same way (a covering index): over 120,000 trades
a grouped aggregate of the closed ones went from 160 ms to 30 ms (bench/README.md).
"""

from django.db.backends.sqlite3 import base, operations, schema

from core.sqlite3 import offsets

# Django's answers, in SQLite: `{}` is the date function's arguments for the local time.
_EXTRACT = {
    "hour": "CAST(strftime('%%H', {}) AS INTEGER)",
    "iso_week_day": "((CAST(strftime('%%w', {}) AS INTEGER) + 6) %% 7 + 1)",  # %w: Sunday is 0
}
_TRUNC = {
    "year": "strftime('%%Y-01-01 00:00:00', {})",
    "month": "strftime('%%Y-%%m-01 00:00:00', {})",
    # Back to the Monday: six days back, then forward to the first Monday (the day itself if one).
    "week": "strftime('%%Y-%%m-%%d 00:00:00', {}, '-6 days', 'weekday 1')",
    "day": "strftime('%%Y-%%m-%%d 00:00:00', {})",
}
_CAST_DATE = "date({})"


class DatabaseOperations(operations.DatabaseOperations):
    def _native(self, template: str, sql: str, params, tzname: str | None) -> tuple[str, tuple] | None:
        """`template` over the local time of the timestamp `sql` in `tzname`, or None where only
        Django's function can tell it."""
        moment = f"substr({sql}, 1, 19)"
        if tzname is None or tzname == self.connection.timezone_name:
            return template.format(moment), tuple(params)
        # The offsets are from UTC: stored text in another zone (DATABASES' TIME_ZONE) is Django's.
        if self.connection.timezone_name != "UTC" or (shift := offsets.modifier(tzname)) is None:
            return None
        uses = 1 + shift.count(offsets.TIMESTAMP)
        return template.format(f"{moment}, {shift.format(sql)}"), tuple(params) * uses

    def datetime_extract_sql(self, lookup_type, sql, params, tzname):
        if lookup_type in _EXTRACT and (native := self._native(_EXTRACT[lookup_type], sql, params, tzname)):
            return native
        return super().datetime_extract_sql(lookup_type, sql, params, tzname)

    def datetime_trunc_sql(self, lookup_type, sql, params, tzname):
        if lookup_type in _TRUNC and (native := self._native(_TRUNC[lookup_type], sql, params, tzname)):
            return native
        return super().datetime_trunc_sql(lookup_type, sql, params, tzname)

    def datetime_cast_date_sql(self, sql, params, tzname):
        return self._native(_CAST_DATE, sql, params, tzname) or super().datetime_cast_date_sql(sql, params, tzname)


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    def _create_index_sql(self, model, *, fields=None, include=None, col_suffixes=(), **kwargs):
        """The index with its INCLUDE columns (given as column names) as trailing key columns."""
        if include and fields:
            by_column = {field.column: field for field in model._meta.concrete_fields}
            fields = [*fields, *(by_column[column] for column in include)]
            col_suffixes = (*col_suffixes, *[""] * len(include)) if col_suffixes else ()
        return super()._create_index_sql(model, fields=fields, col_suffixes=col_suffixes, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    SchemaEditorClass = DatabaseSchemaEditor
