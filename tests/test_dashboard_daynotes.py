"""Day notes in the web journal: beside the Overview's calendar, one per trading day with its P&L; a page
per day to write, edit and delete the note (deleting asks first), the API's notes and the page's alike."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from daynotes.models import DayNote
from tests.factories import make_trade, make_user, read
from tests.test_day_notes import Elements

pytestmark = pytest.mark.django_db


def closed_on(user, day: int, exit_price: str) -> None:
    make_trade(user, entry_time=datetime(2025, 3, day, 14, tzinfo=UTC), exit_time=datetime(2025, 3, day, 15, tzinfo=UTC),
               exit_price=Decimal(exit_price))  # fmt: skip


def test_the_overview_lists_each_trading_day_of_the_month_beside_the_calendar_with_its_note(web, api, user):
    closed_on(user, 3, "90")
    closed_on(user, 4, "125")
    DayNote.objects.create(user=user, date=datetime(2025, 3, 4).date(), body="**Patience** paid.")
    DayNote.objects.create(user=user, date=datetime(2025, 3, 8).date(), body="Weekend review.")
    DayNote.objects.create(user=user, date=datetime(2025, 4, 1).date(), body="Next month's.")
    html = web.get("/dashboard/?month=2025-03").content.decode()
    panel = html[html.index('id="day-notes"') : html.index("</section>", html.index('id="day-notes"'))]
    calendar = {day["date"]: day for day in read(api, "/api/v1/stats/calendar?month=2025-03")["days"]}
    assert calendar["2025-03-03"]["net_pnl"] == -10 and calendar["2025-03-04"]["net_pnl"] == 25
    assert [part.split('"')[0] for part in panel.split('data-date="')[1:]] == ["2025-03-03", "2025-03-04", "2025-03-08"]
    assert "\u221210.00 USD" in panel and "+25.00 USD" in panel  # a true minus sign
    assert "<strong>Patience</strong> paid." in panel and "Weekend review." in panel
    assert "Next month" not in panel
    assert 'href="/dashboard/days/2025-03-03/">Write a note</a>' in panel
    assert 'href="/dashboard/days/2025-03-04/"' in panel


def test_a_note_written_on_its_page_is_the_apis_and_shows_rendered(web, api):
    r = web.post("/dashboard/days/2025-03-14/", {"body": "# Plan\n\nOnly *A+* setups."}, follow=True)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Note for Friday 14 March 2025 saved." in html
    assert "<h1>Plan</h1>" in html and "<em>A+</em>" in html
    assert read(api, "/api/v1/day-notes/2025-03-14")["body"] == "# Plan\n\nOnly *A+* setups."
    r = web.post("/dashboard/days/2025-03-14/", {"body": "Changed."}, follow=True)
    assert "Note for Friday 14 March 2025 updated." in r.content.decode()
    assert read(api, "/api/v1/day-notes/2025-03-14")["body"] == "Changed."


def test_a_note_written_through_the_api_is_edited_on_its_page(web, api):
    api.put("/api/v1/day-notes/2025-03-14", {"body": "From my script."}, format="json")
    html = web.get("/dashboard/days/2025-03-14/").content.decode()
    assert "<p>From my script.</p>" in html
    assert "From my script.</textarea>" in html


def test_an_empty_note_is_refused_next_to_the_field(web):
    r = web.post("/dashboard/days/2025-03-14/", {"body": ""})
    assert r.status_code == 400
    assert "Write the note (or delete it below)." in r.content.decode()
    assert not DayNote.objects.exists()


def test_deleting_a_note_asks_first(web, user):
    DayNote.objects.create(user=user, date=datetime(2025, 3, 14).date(), body="Gone soon.")
    r = web.get("/dashboard/days/2025-03-14/delete/")
    assert r.status_code == 200
    assert "Delete the note for Friday 14 March 2025?" in r.content.decode()
    assert DayNote.objects.exists()
    r = web.post("/dashboard/days/2025-03-14/delete/", follow=True)
    assert "Note for Friday 14 March 2025 deleted." in r.content.decode()
    assert not DayNote.objects.exists()


def test_a_hostile_note_is_shown_inert(web, user):
    DayNote.objects.create(user=user, date=datetime(2025, 3, 14).date(),
                           body='<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>')  # fmt: skip
    html = web.get("/dashboard/days/2025-03-14/").content.decode()
    note = html[html.index('class="note-body"') : html.index("</section>", html.index('class="note-body"'))]
    elements = Elements()
    elements.feed(note)
    assert [tag for tag, _ in elements.found] == ["p"]  # the text, escaped


def test_another_traders_note_is_not_shown(web):
    DayNote.objects.create(user=make_user(), date=datetime(2025, 3, 14).date(), body="Their secret plan.")
    assert "Their secret plan." not in web.get("/dashboard/days/2025-03-14/").content.decode()
    assert "Their secret plan." not in web.get("/dashboard/days/").content.decode()


def test_the_list_leads_to_any_day_and_refuses_a_day_out_of_range(web, user):
    DayNote.objects.create(user=user, date=datetime(2025, 3, 14).date(), body="Listed.")
    assert "Listed." in web.get("/dashboard/days/").content.decode()
    r = web.get("/dashboard/days/?date=2025-03-20")
    assert (r.status_code, r["Location"]) == (302, "/dashboard/days/2025-03-20/")
    assert web.get("/dashboard/days/?date=1900-01-01").status_code == 400


@pytest.mark.parametrize("day", ["2025-02-30", "1969-12-31", "2025-3-14"])
def test_a_day_that_is_no_calendar_date_is_404(web, day):
    assert web.get(f"/dashboard/days/{day}/").status_code == 404


def test_day_notes_need_a_signed_in_trader(client):
    r = client.get("/dashboard/days/2025-03-14/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
