"""On SQLite, the hours, weekdays, dates and periods of stored timestamps in a trader's zone are
SQLite's own (core/sqlite3/offsets.py): the same as Python's zoneinfo says, at any instant and
around each change of offset, and asked of no Python per trade."""

from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import DateTimeField
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, Trunc, TruncDate
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from core import zones
from journal.models import Trade
from journal.zones import time_zone_set
from tests.factories import examples, make_trade

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own date functions"),
]

# Changes of offset (UTC): summer time in both hemispheres, on the half and three-quarter hour, and
# standard offsets moved for good (Kathmandu 1986, Moscow 2011 and 2014, Caracas, Apia's date line),
# and Noronha's summer time of one week in 2000, the closest changes since 1970.
CHANGES = [
    ("America/New_York", "2025-03-09 07:00"), ("America/New_York", "2025-11-02 06:00"),
    ("America/New_York", "2007-03-11 07:00"), ("Australia/Sydney", "2025-04-05 16:00"),
    ("Australia/Sydney", "2025-10-04 16:00"), ("America/Santiago", "2025-04-06 03:00"),
    ("America/Santiago", "2025-09-07 04:00"), ("Pacific/Chatham", "2025-04-05 14:00"),
    ("Pacific/Chatham", "2025-09-27 14:00"), ("Australia/Eucla", "2006-12-02 17:15"),
    ("Australia/Eucla", "2009-03-28 17:15"), ("Asia/Kathmandu", "1985-12-31 18:30"),
    ("Europe/Moscow", "2011-03-26 23:00"), ("Europe/Moscow", "2014-10-25 22:00"),
    ("America/Caracas", "2007-12-09 07:00"), ("America/Caracas", "2016-05-01 07:00"),
    ("Pacific/Apia", "2011-12-30 10:00"), ("America/Noronha", "2000-10-08 02:00"),
    ("America/Noronha", "2000-10-15 01:00"),
]  # fmt: skip
INSTANTS = [datetime.fromisoformat(at).replace(tzinfo=UTC) for _, at in CHANGES]
# The zones as the analytics hand them to the database: named, and fixed offsets (Etc/GMT+10 is UTC-10).
ZONES = [
    *(ZoneInfo(name) for name in sorted({name for name, _ in CHANGES})),
    ZoneInfo("Asia/Kolkata"), ZoneInfo("Europe/London"), zones.in_database(ZoneInfo("Etc/GMT+10")),
    timezone(timedelta(hours=5, minutes=45)), timezone(-timedelta(hours=9, minutes=30)),
]  # fmt: skip
PERIODS = ("day", "week", "month", "year")


def _in_database(zone: tzinfo, trades: list[Trade]) -> list[dict]:
    """What the database answers for each trade's entry time in `zone`, by Django's functions."""
    periods = {period: Trunc("entry_time", period, output_field=DateTimeField(), tzinfo=zone) for period in PERIODS}
    return list(
        Trade.objects.filter(pk__in=[trade.pk for trade in trades])
        .order_by("entry_time", "pk")
        .values(
            "entry_time", hour=ExtractHour("entry_time", tzinfo=zone),
            iso_week_day=ExtractIsoWeekDay("entry_time", tzinfo=zone), date=TruncDate("entry_time", tzinfo=zone),
            **periods,
        )
    )  # fmt: skip


def _in_python(zone: tzinfo, entry_time: datetime) -> dict:
    """The same, by zoneinfo: a period starts at midnight of its first day, in `zone`."""
    local = entry_time.astimezone(zone)
    firsts = {
        "day": local.date(),
        "week": local.date() - timedelta(days=local.weekday()),
        "month": local.date().replace(day=1),
        "year": local.date().replace(month=1, day=1),
    }
    return {
        "entry_time": entry_time, "hour": local.hour, "iso_week_day": local.isoweekday(), "date": local.date(),
        **{period: datetime.combine(first, time(), tzinfo=zone) for period, first in firsts.items()},
    }  # fmt: skip


def _local(row: dict) -> dict:
    """`row` with its periods as their wall time and offset: equal instants in another zone differ."""
    return {
        key: (value.replace(tzinfo=None), value.utcoffset()) if key in PERIODS else value for key, value in row.items()
    }


def _assert_as_python(user, instants: list[datetime]) -> None:
    trades = [make_trade(user, entry_time=at, exit_time=at + timedelta(minutes=1)) for at in instants]
    for zone in ZONES:
        with CaptureQueriesContext(connection) as queries:
            answered = _in_database(zone, trades)
        expected = [_in_python(zone, at) for at in sorted(instants)]
        assert [_local(row) for row in answered] == [_local(row) for row in expected], zone
        assert "django_datetime_" not in queries[0]["sql"], zone


def test_the_listed_instants_are_changes_of_offset():
    for (name, _), at in zip(CHANGES, INSTANTS, strict=True):
        before, after = at - timedelta(microseconds=1), at
        assert before.astimezone(ZoneInfo(name)).utcoffset() != after.astimezone(ZoneInfo(name)).utcoffset(), name


def test_each_zone_answers_as_python_around_each_change_of_offset(user):
    around = (-timedelta(seconds=1), -timedelta(microseconds=1), timedelta(0), timedelta(microseconds=999_999))
    _assert_as_python(user, [at + step for at in INSTANTS for step in around])


near_a_change = st.builds(
    lambda at, seconds, microseconds: at + timedelta(seconds=seconds, microseconds=microseconds),
    st.sampled_from(INSTANTS), st.integers(-6 * 3600, 6 * 3600), st.integers(0, 999_999),
)  # fmt: skip
anywhere = st.datetimes(datetime(1970, 1, 1), datetime(2099, 12, 31), timezones=st.just(UTC))


@examples(60)
@given(instants=st.lists(near_a_change | anywhere, min_size=1, max_size=8))
def test_each_zone_answers_as_python_at_any_instant(user, instants):
    try:
        _assert_as_python(user, instants)
    finally:
        Trade.objects.filter(user=user).delete()


def test_the_overview_of_a_trader_in_new_york_calls_no_python_per_trade(web, user):
    time_zone_set(user=user, time_zone="America/New_York")
    make_trade(user)
    with CaptureQueriesContext(connection) as queries:
        r = web.get("/dashboard/")
    assert r.status_code == 200, r.content
    per_row = [query["sql"] for query in queries if "django_datetime_" in query["sql"]]
    assert not per_row, per_row
