"""On SQLite, the dates of stored timestamps in UTC are SQLite's own (core/sqlite3): the same days,
hours, weeks and holds as Python's, to the microsecond, and the Overview asks no Python per trade."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_trade, read

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own date functions"),
]

# Sunday 2025-03-09, a fraction of a microsecond before Monday: SQLite's date functions round
# fractions to the millisecond, which would make it Monday.
LAST_INSTANT = datetime(2025, 3, 9, 23, 59, 59, 999_600, tzinfo=UTC)
# Django's Python functions, which SQLite calls once per row.
PER_ROW_PYTHON = ("django_datetime_", "django_timestamp_diff")


def test_the_last_microseconds_of_a_day_stay_in_that_day_hour_week_and_month(api, user):
    # Exited Monday 2025-03-31 at 23:59:59.9996: the last instant of March, in that week's Monday.
    make_trade(user, entry_time=LAST_INSTANT, exit_time=LAST_INSTANT.replace(day=31))
    assert [b["key"] for b in read(api, "/api/v1/stats/breakdown?by=weekday")["data"] if b["total_trades"]] == ["Sun"]
    assert [b["key"] for b in read(api, "/api/v1/stats/breakdown?by=hour")["data"] if b["total_trades"]] == [23]
    assert [b["key"] for b in read(api, "/api/v1/stats/breakdown?by=month")["data"]] == ["2025-03"]
    assert [day["date"] for day in read(api, "/api/v1/stats/calendar?month=2025-03")["days"]] == ["2025-03-31"]
    for interval, start in (("day", "2025-03-31"), ("week", "2025-03-31"), ("month", "2025-03-01")):
        points = read(api, f"/api/v1/stats/equity?interval={interval}")["points"]
        assert [point["time"] for point in points] == [start], interval


@pytest.mark.parametrize(
    ("entry", "hold", "bucket"),
    [(LAST_INSTANT, timedelta(seconds=59, microseconds=999_999), "<1m"),
     (LAST_INSTANT.replace(microsecond=999_999), timedelta(microseconds=1), "<1m"),
     (LAST_INSTANT, timedelta(seconds=60), "1-5m"), (LAST_INSTANT.replace(microsecond=0), timedelta(days=1), "1d+"),
     (LAST_INSTANT.replace(microsecond=1), timedelta(days=1, microseconds=-2), "4-24h")],
)  # fmt: skip
def test_holds_are_exact_to_the_microsecond(api, user, entry, hold, bucket):
    make_trade(user, entry_time=entry, exit_time=entry + hold)
    assert [b["key"] for b in read(api, "/api/v1/stats/breakdown?by=hold_time")["data"] if b["total_trades"]] == [
        bucket
    ]
    seconds = round(hold.total_seconds())
    assert read(api, "/api/v1/stats/risk")["avg_hold_seconds"] == seconds


def test_the_overview_of_a_utc_trader_calls_no_python_per_trade(web, user):
    make_trade(user)
    with CaptureQueriesContext(connection) as queries:
        r = web.get("/dashboard/")
    assert r.status_code == 200, r.content
    per_row = [query["sql"] for query in queries if any(name in query["sql"] for name in PER_ROW_PYTHON)]
    assert not per_row, per_row


def test_the_overviews_statements_over_closed_trades_read_an_index_not_the_table(web, user):
    # The models' INCLUDE columns are kept on SQLite as trailing key columns (core/sqlite3), and the
    # analytics' index carries every column the analytics read: no statement reads the trades' rows,
    # but one: grouped by instrument, SQLite walks the instrument's index, already in that order.
    make_trade(user)
    with CaptureQueriesContext(connection) as queries:
        assert web.get("/dashboard/?currency=USD").status_code == 200
    analytics = [query["sql"] for query in queries if "exit_time" in query["sql"] and "journal_trade" in query["sql"]]
    assert len(analytics) >= 10, analytics
    with connection.cursor() as cursor:
        for sql in analytics:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            scans = [row[3] for row in cursor.fetchall() if "journal_trade " in row[3]]
            by_instrument = all("trade_user_instrument_idx" in scan for scan in scans)
            assert scans and (by_instrument or all("COVERING INDEX" in scan for scan in scans)), (scans, sql)
