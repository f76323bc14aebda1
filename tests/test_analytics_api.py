"""The analytics endpoints as an API: scope, paths, the `tz`/`by`/`interval`/`month`/`year`
parameters, the trade filters, currencies, isolation and the queries each costs."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from analytics.breakdown import breakdown
from analytics.calendar import calendar
from analytics.params import ZONES
from apikeys.scopes import ALL_SCOPES, STATS_READ
from journal.models import Account, Trade
from tests.factories import api_client, make_key, make_trade, make_user, read

pytestmark = pytest.mark.django_db

ENDPOINTS = ["breakdown?by=instrument", "equity", "calendar", "risk"]
T0 = datetime(2025, 3, 3, 15, tzinfo=UTC)


def get(client, path: str):
    return client.get(f"/api/v1/stats/{path}")


def details(client, path: str) -> dict:
    r = get(client, path)
    assert r.status_code == 422, r.content
    assert r.json()["error"] == "Validation failed"
    return r.json()["details"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_endpoint_needs_the_stats_read_scope(path, user):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {make_key(user, scopes=[s for s in ALL_SCOPES if s != STATS_READ])[1]}"
    )
    r = get(client, path)
    assert (r.status_code, r.json()) == (403, {"error": "Insufficient scope: stats:read required"})
    assert get(APIClient(), path).status_code == 401


@pytest.mark.parametrize("path", ["breakdown/?by=side", "equity/", "calendar/", "risk/"])
def test_paths_work_with_a_trailing_slash_without_redirect(api, path):
    assert get(api, path).status_code == 200


@pytest.mark.parametrize("path", ENDPOINTS)
def test_an_unknown_time_zone_is_422_and_an_empty_one_is_utc(api, path):
    joiner = "&" if "?" in path else "?"
    assert details(api, f"{path}{joiner}tz=Mars/Olympus") == {
        "tz": ['Unknown time zone "Mars/Olympus": use an IANA name such as America/New_York.']
    }
    assert get(api, f"{path}{joiner}tz=").status_code == 200


@pytest.mark.parametrize("zone", ["localtime", "Factory", "utc", "America/new_york"])
def test_zones_that_name_no_place_are_refused(api, zone):
    assert list(details(api, f"risk?tz={zone}")) == ["tz"]


@pytest.mark.parametrize("zone", ["Etc/GMT+10", "Etc/GMT-14", "CET", "EET", "MET", "WET"])
def test_every_iana_zone_is_accepted_even_those_the_databases_read_otherwise(api, zone):
    r = get(api, f"calendar?tz={quote(zone)}")
    assert (r.status_code, r.json()["tz"]) == (200, zone), r.content


def test_every_accepted_zone_is_read_by_the_database_as_python_reads_it(user):
    # A winter and a summer trade: the hours of their entries and the dates of their exits.
    entries = [datetime(2025, 1, 15, 12, 34, tzinfo=UTC), datetime(2025, 7, 15, 12, 34, tzinfo=UTC)]
    for entry in entries:
        make_trade(user, entry_time=entry, exit_time=entry.replace(hour=23, minute=50))
    trades, misread = Trade.objects.filter(user=user), []
    for name in ZONES:
        zone = ZoneInfo(name)
        hours = sorted(b["key"] for b in breakdown(trades, by="hour", zone=zone) for _ in range(b["total_trades"]))
        days = [d["date"] for d in calendar(trades, zone=zone, period=None)["days"]]
        if (hours, days) != (
            sorted(e.astimezone(zone).hour for e in entries),
            sorted({e.replace(hour=23, minute=50).astimezone(zone).date().isoformat() for e in entries}),
        ):
            misread.append(name)
    assert misread == []


def test_by_is_required_and_one_of_the_breakdowns(api):
    one_of = "Break down by one of: instrument, setup_type, side, account, tag, weekday, hour, month, hold_time."
    assert details(api, "breakdown") == {"by": ["The by field is required."]}
    assert details(api, "breakdown?by=") == details(api, "breakdown?by=color") == {"by": [one_of]}


def test_interval_is_one_of_four_and_empty_is_the_default_day(api):
    assert details(api, "equity?interval=year") == {
        "interval": ["The interval must be one of: trade, day, week, month."]
    }
    assert read(api, "/api/v1/stats/equity?interval=")["interval"] == "day"


@pytest.mark.parametrize(
    ("query", "message"),
    [("month=2025-13", "Enter a month as YYYY-MM."), ("month=2025-3", "Enter a month as YYYY-MM."),
     ("month=1969-12", "Enter a month as YYYY-MM."), ("year=25", "Enter a year as YYYY."),
     ("year=2100", "Enter a year as YYYY.")],
)  # fmt: skip
def test_month_and_year_are_checked(api, query, message):
    assert list(details(api, f"calendar?{query}").values()) == [[message]]


def test_month_and_year_together_are_422(api):
    # Pinned for tests/schemathesis_hooks.py, which gives generated valid requests one of them.
    assert details(api, "calendar?month=2025-03&year=2025") == {"month": ["Give a month or a year, not both."]}


def test_a_bad_filter_and_a_bad_parameter_are_reported_together(api):
    assert sorted(details(api, "breakdown?by=color&side=up")) == ["by", "side"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_trades_in_several_currencies_are_422_naming_them(api, user, path):
    make_trade(user, account=Account.objects.create(user=user, name="Euro", currency="EUR"))
    make_trade(user)
    r = get(api, path)
    assert r.status_code == 422, r.content
    assert "EUR, USD" in r.json()["error"] and "account or currency" in r.json()["error"]


def test_analytics_take_the_trade_filters(api, user):
    make_trade(user, instrument="ES", side="short", entry_price=Decimal(110), exit_price=Decimal(100),
               entry_time=T0, exit_time=T0)  # fmt: skip
    make_trade(user, instrument="NQ", entry_time=T0 + timedelta(days=10), exit_time=T0 + timedelta(days=10))
    assert [b["key"] for b in read(api, "/api/v1/stats/breakdown?by=instrument&side=short")["data"]] == ["ES"]
    assert read(api, "/api/v1/stats/calendar?instrument=nq")["net_pnl"] == 10
    assert len(read(api, "/api/v1/stats/equity?interval=trade&from=2025-03-10")["points"]) == 1
    assert read(api, "/api/v1/stats/risk?to=2025-03-05")["max_win_streak"] == 1


@pytest.mark.parametrize("path", ENDPOINTS)
def test_only_the_key_owners_closed_trades_count(api, user, path):
    make_trade(make_user(), exit_price=Decimal(1000))
    make_trade(user, exit_time=None, exit_price=None)
    body = read(api, f"/api/v1/stats/{path}")
    assert body == read(api_client(make_user()), f"/api/v1/stats/{path}")


@pytest.mark.parametrize("path", [*ENDPOINTS, "breakdown?by=tag", "equity?interval=trade", "calendar?month=2025-03"])
def test_each_endpoint_is_one_query_after_the_currency_check_and_a_repeat_none(api, user, path):
    for n, net in enumerate(["10", "-5", "0"]):
        make_trade(user, exit_price=Decimal(100) + Decimal(net), exit_time=T0 + timedelta(days=n),
                   entry_time=T0 + timedelta(days=n))  # fmt: skip
    get(api, path)  # records the key's last use
    query = f"{path}{'&' if '?' in path else '?'}tz=Europe/Berlin&side=long"
    with CaptureQueriesContext(connection) as first:
        assert get(api, query).status_code == 200
    assert len(journal_queries(first)) == 2, journal_queries(first)  # the owner's currencies, the figures
    with CaptureQueriesContext(connection) as repeat:
        assert get(api, query).status_code == 200
    assert journal_queries(repeat) == []  # the same question, the journal unchanged: from the cache


def journal_queries(captured) -> list[str]:
    return [
        q["sql"] for q in captured.captured_queries if "journal_" in q["sql"] and "tradejournal_cache" not in q["sql"]
    ]
