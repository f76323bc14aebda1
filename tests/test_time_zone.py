"""A trader's time zone (journal/zones.py): asked at sign-up, kept on their profile, the default `tz`
of the API for their keys (an explicit `tz` still wins) and the zone of every page; an import's
zone, left open on the page, is the one the trader's last file of that format was read in."""

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from imports.models import Import
from journal.models import JournalProfile, Trade
from journal.zones import time_zone_set, zone_of
from tests import analytics_oracle as oracle
from tests.factories import api_client, make_trade, make_user, read

SAMPLES = Path(__file__).parent / "data" / "imports"
THINKORSWIM = SAMPLES / "thinkorswim" / "papermoney_nvda_excerpt.csv"
NINJATRADER = SAMPLES / "ninjatrader" / "executions_grid.csv"
ENDPOINTS = ["breakdown?by=hour", "breakdown?by=weekday", "breakdown?by=month", "equity", "equity?interval=week",
             "calendar", "calendar?month=2025-03", "risk"]  # fmt: skip


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def journal(db):
    """Exits on either side of midnight in Kolkata (+5:30, 18:30 UTC) and Kathmandu (+5:45, 18:15
    UTC), one of them on the last evening of February in UTC: in both zones it is March 1st."""
    user = make_user("indira")
    exits = [at(3, 18, 10), at(3, 18, 20), at(3, 18, 40), at(7, 18, 25), at(28, 18, 50, month=2), at(14, 9)]
    for i, exit_time in enumerate(exits):
        make_trade(user, entry_time=exit_time.replace(hour=exit_time.hour - 2), exit_time=exit_time,
                   entry_price=Decimal("100"), exit_price=Decimal(100 + (-1) ** i * (i + 3)))  # fmt: skip
    return user


def oracle_rows(user) -> list[dict]:
    fields = ("id", "side", "quantity", "entry_time", "entry_price", "exit_time", "exit_price", "commission",
              "multiplier", "initial_risk", "account_id")  # fmt: skip
    return list(Trade.objects.filter(user=user).values(*fields))


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "Asia/Kathmandu"])
def test_a_traders_zone_is_the_default_tz_and_answers_as_the_explicit_tz_does(journal, zone):
    api = api_client(journal)
    in_utc = {path: read(api, f"/api/v1/stats/{path}") for path in ENDPOINTS}
    time_zone_set(user=journal, time_zone=zone)
    for path in ENDPOINTS:
        joiner = "&" if "?" in path else "?"
        default, explicit = read(api, f"/api/v1/stats/{path}"), read(api, f"/api/v1/stats/{path}{joiner}tz={zone}")
        assert default == explicit, path
        assert default != in_utc[path], path  # the journal's days, hours and months did move
    days = read(api, "/api/v1/stats/calendar")
    assert days["tz"] == zone
    assert days["days"] == oracle.calendar(oracle_rows(journal), zone=zone)["days"]


def test_an_explicit_tz_still_wins(journal):
    time_zone_set(user=journal, time_zone="Asia/Kolkata")
    api = api_client(journal)
    assert read(api, "/api/v1/stats/calendar?tz=UTC")["days"] == oracle.calendar(oracle_rows(journal))["days"]
    assert read(api, "/api/v1/stats/equity?tz=America/New_York")["tz"] == "America/New_York"


def test_a_new_zone_is_never_answered_from_figures_cached_in_the_former(journal):
    api = api_client(journal)
    before = read(api, "/api/v1/stats/calendar")
    assert read(api, "/api/v1/stats/calendar") == before  # cached
    time_zone_set(user=journal, time_zone="Asia/Kathmandu")
    after = read(api, "/api/v1/stats/calendar")
    assert (after["tz"], after["days"]) == (
        "Asia/Kathmandu",
        oracle.calendar(oracle_rows(journal), "Asia/Kathmandu")["days"],
    )


@pytest.mark.parametrize("zone", ["WET", "CET", "Etc/GMT+10", "America/Argentina/ComodRivadavia"])
def test_every_iana_zone_is_a_traders_zone_and_the_database_takes_days_in_it(journal, zone):
    # In summer time: PostgreSQL would read CET or WET as a fixed offset, a day early.
    make_trade(journal, entry_time=at(15, 20, month=7), exit_time=at(15, 23, 30, month=7))
    time_zone_set(user=journal, time_zone=zone)
    JournalProfile.objects.get(user=journal).full_clean()
    api = api_client(journal)
    assert read(api, "/api/v1/stats/calendar")["days"] == oracle.calendar(oracle_rows(journal), zone=zone)["days"]
    assert read(api, f"/api/v1/stats/risk?tz={quote(zone)}") == read(api, "/api/v1/stats/risk")


def test_a_name_that_is_no_zone_is_refused(db):
    user = make_user()
    with pytest.raises(ValidationError, match="Unknown time zone"):
        time_zone_set(user=user, time_zone="Mars/Olympus")
    assert zone_of(user) == "UTC" and not JournalProfile.objects.filter(user=user).exists()


# --- The web journal -----------------------------------------------------------------------------


@pytest.fixture
def web(journal) -> Client:
    client = Client()
    client.force_login(journal)
    return client


def calendar_dates(html: str) -> list[str]:
    return re.findall(r'data-date="([0-9-]+)" data-net-pnl', html)


def test_the_overview_calendar_takes_days_in_the_traders_zone(web, journal):
    utc = calendar_dates(web.get("/dashboard/?month=2025-03").content.decode())
    time_zone_set(user=journal, time_zone="Asia/Kolkata")
    html = web.get("/dashboard/?month=2025-03").content.decode()
    days = read(api_client(journal), "/api/v1/stats/calendar?month=2025-03&tz=Asia/Kolkata")["days"]
    assert calendar_dates(html) == [day["date"] for day in days]
    # 18:40 UTC on the 3rd is past midnight in Kolkata; 18:50 UTC on 28 February is March 1st there.
    assert "2025-03-01" not in utc and "2025-03-04" not in utc
    assert "2025-03-01" in calendar_dates(html) and "2025-03-04" in calendar_dates(html)
    assert "Net P&amp;L per day of exit (Asia/Kolkata)" in html


def test_trade_pages_show_and_take_times_in_the_traders_zone(web, journal):
    time_zone_set(user=journal, time_zone="Asia/Kathmandu")
    trade = Trade.objects.get(user=journal, exit_time=at(14, 9))
    page = web.get(f"/dashboard/trades/{trade.pk}/").content.decode()
    assert "Entry time (Asia/Kathmandu)" in page and "2025-03-14 12:45" in page  # 07:00 UTC
    listing = web.get("/dashboard/trades/").content.decode()
    assert "Entry (Asia/Kathmandu)" in listing and "2025-03-14 12:45" in listing
    form = web.get(f"/dashboard/trades/{trade.pk}/edit/").content.decode()
    assert 'value="2025-03-14T12:45:00"' in form
    assert "Exit time (Asia/Kathmandu)" in form


def test_a_time_typed_on_the_trade_form_is_in_the_traders_zone(web, journal):
    time_zone_set(user=journal, time_zone="Asia/Kolkata")
    r = web.post("/dashboard/trades/new/", {"instrument": "NVDA", "side": "long", "quantity": "1",
                 "entry_time": "2025-03-20T09:30:00", "entry_price": "100", "exit_time": "2025-03-20T15:00",
                 "exit_price": "101"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    trade = Trade.objects.get(user=journal, instrument="NVDA")
    assert (trade.entry_time, trade.exit_time) == (at(20, 4), at(20, 9, 30))


def test_the_keys_page_sets_the_zone_and_refuses_a_name_that_is_none(web, journal):
    r = web.post("/dashboard/profile/time-zone/", {"time_zone": "WET"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert zone_of(JournalProfile.objects.get(user=journal).user) == "WET"
    page = web.get("/dashboard/keys/").content.decode()
    assert '<option value="WET" selected>' in page
    r = web.post("/dashboard/profile/time-zone/", {"time_zone": "Mars/Olympus"})
    assert r.status_code == 400
    assert "Unknown time zone &quot;Mars/Olympus&quot;" in r.content.decode()
    assert JournalProfile.objects.get(user=journal).time_zone == "WET"


def test_sign_up_asks_for_the_zone_utc_without_javascript_the_browsers_with_it(client, db):
    page = client.get("/accounts/signup/").content.decode()
    select = re.search(r'<select name="time_zone"[^>]*>', page).group(0)
    assert "data-browser-zone" in select and '<option value="UTC" selected>' in page
    assert "dashboard/time-zone.js" in page
    r = client.post("/accounts/signup/", {"username": "kiran", "password1": "a long pass phrase 7",
                    "password2": "a long pass phrase 7", "time_zone": "Asia/Kathmandu"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    assert JournalProfile.objects.get(user__username="kiran").time_zone == "Asia/Kathmandu"


def test_sign_up_refuses_a_zone_that_is_none(client, db):
    r = client.post("/accounts/signup/", {"username": "kiran", "password1": "a long pass phrase 7",
                    "password2": "a long pass phrase 7", "time_zone": "Mars/Olympus"})  # fmt: skip
    assert r.status_code == 400
    assert "Unknown time zone &quot;Mars/Olympus&quot;" in r.content.decode()


# --- Imports -------------------------------------------------------------------------------------


def upload(web, path: Path, tz: str):
    form = {"format": "auto", "account": "", "tz": tz, "file": SimpleUploadedFile(path.name, path.read_bytes())}
    r = web.post("/dashboard/imports/", form)
    assert r.status_code == 302, r.content.decode()[:3000]
    return Import.objects.filter(user=web.trader).latest("id")


def test_an_imports_zone_left_open_is_the_last_one_of_its_format_else_the_traders(journal):
    web = Client()
    web.force_login(journal)
    web.trader = journal
    time_zone_set(user=journal, time_zone="Asia/Kolkata")
    form = web.get("/dashboard/imports/").content.decode()
    assert "else mine (Asia/Kolkata)" in form
    assert upload(web, THINKORSWIM, "").tz == "Asia/Kolkata"
    assert upload(web, THINKORSWIM, "America/Chicago").tz == "America/Chicago"
    assert upload(web, THINKORSWIM, "").tz == "America/Chicago"  # remembered for thinkorswim files
    assert upload(web, NINJATRADER, "").tz == "Asia/Kolkata"  # another format: the trader's
    form = web.get("/dashboard/imports/").content.decode()
    assert "thinkorswim (thinkorswim): America/Chicago" in form


def test_the_apis_import_tz_defaults_to_the_traders_zone(journal):
    time_zone_set(user=journal, time_zone="Asia/Kathmandu")
    api = api_client(journal)
    r = api.post("/api/v1/imports", THINKORSWIM.read_bytes(), content_type="text/csv")
    assert r.status_code == 202, r.content
    assert r.json()["tz"] == "Asia/Kathmandu"
    r = api.post("/api/v1/imports?tz=America/New_York&dry_run=true", THINKORSWIM.read_bytes(), content_type="text/csv")
    assert (r.status_code, r.json()["tz"]) == (202, "America/New_York"), r.content


def test_the_filter_bars_dates_are_the_traders_days(web, journal):
    # Entered 19:00 and exited 19:30 UTC on the 20th: the 21st in Kolkata.
    make_trade(journal, instrument="NVDA", entry_time=at(20, 19), exit_time=at(20, 19, 30))
    listing = web.get("/dashboard/trades/?from=2025-03-21&to=2025-03-21").content.decode()
    assert "NVDA" not in listing
    time_zone_set(user=journal, time_zone="Asia/Kolkata")
    listing = web.get("/dashboard/trades/?from=2025-03-21&to=2025-03-21").content.decode()
    assert len(re.findall(r"<tr[^>]* data-trade=", listing)) == 1 and "NVDA" in listing
    html = web.get("/dashboard/?from=2025-03-21&to=2025-03-21&month=2025-03").content.decode()
    asked = "from=2025-03-20T18:30:00Z&to=2025-03-21T18:29:59.999999Z"
    days = read(api_client(journal), f"/api/v1/stats/calendar?month=2025-03&{asked}")["days"]
    assert calendar_dates(html) == [day["date"] for day in days] == ["2025-03-21"]
