"""/api/v1/day-notes: a Markdown note per day, written with PUT, read one by one or by a range of days,
deleted; the owner's alone; and its rendering keeps no script, event handler or javascript: link."""

from html.parser import HTMLParser

import pytest

from apikeys.scopes import STATS_READ, TRADES_READ
from daynotes.markdown import render
from daynotes.models import MAX_BODY, DayNote
from tests.factories import api_client, make_key, make_user

pytestmark = pytest.mark.django_db

NOTE = "## Plan\n\nWait for the **open**; no trades before 10:00."


class Elements(HTMLParser):
    """Every element of a piece of HTML, with its attributes, as a browser would build them."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def put(api, day: str, body: dict):
    return api.put(f"/api/v1/day-notes/{day}", body, format="json")


def test_a_note_is_written_read_replaced_and_deleted(api):
    r = put(api, "2025-03-14", {"body": NOTE})
    assert r.status_code == 201, r.content
    assert r["Location"] == "http://testserver/api/v1/day-notes/2025-03-14"
    created = r.json()
    assert list(created) == ["date", "body", "updated_at"]
    assert (created["date"], created["body"]) == ("2025-03-14", NOTE)
    assert created["updated_at"].endswith("Z")
    assert api.get("/api/v1/day-notes/2025-03-14/").json() == created

    r = put(api, "2025-03-14", {"body": "Took the A+ setup only."})
    assert r.status_code == 200, r.content
    assert r.json()["body"] == "Took the A+ setup only."
    assert DayNote.objects.count() == 1

    assert api.delete("/api/v1/day-notes/2025-03-14").status_code == 204
    r = api.get("/api/v1/day-notes/2025-03-14")
    assert (r.status_code, r.json()) == (404, {"error": "Not found."})
    assert api.delete("/api/v1/day-notes/2025-03-14").status_code == 404


def test_a_get_body_sent_back_with_put_is_accepted(api):
    body = put(api, "2025-03-14", {"body": NOTE}).json()
    r = put(api, "2025-03-14", {**body, "date": "1999-01-01"})
    assert r.status_code == 200, r.content
    assert r.json()["date"] == "2025-03-14"


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({}, {"body": ["The body field is required."]}),
        ({"body": ""}, {"body": ["The body field is required."]}),
        ({"body": None}, {"body": ["The body field is required."]}),
        ({"body": 42}, {"body": ["Not a valid string."]}),
        ({"body": "x" * (MAX_BODY + 1)}, {"body": [f"Ensure this field has no more than {MAX_BODY} characters."]}),
        ({"body": "ok", "mood": "calm"}, {"mood": ["Unknown field."]}),
    ],
)
def test_a_bad_note_is_422(api, body, details):
    r = put(api, "2025-03-14", body)
    assert r.status_code == 422, r.content
    assert r.json() == {"error": "Validation failed", "details": details}
    assert not DayNote.objects.exists()


@pytest.mark.parametrize("day", ["2025-02-30", "2025-13-01", "1969-12-31", "2100-01-01", "2025-3-14", "today"])
def test_a_day_that_is_no_calendar_date_is_404(api, day):
    r = put(api, day, {"body": NOTE})
    assert r.status_code == 404, r.content
    assert r.json() == {"error": "Not found."}


def test_the_list_counts_a_note_written_or_deleted_since_it_was_last_read(api):
    put(api, "2025-03-10", {"body": "First."})
    assert api.get("/api/v1/day-notes").json()["total"] == 1
    put(api, "2025-03-11", {"body": "Second."})
    assert api.get("/api/v1/day-notes").json()["total"] == 2
    api.delete("/api/v1/day-notes/2025-03-10")
    assert [n["date"] for n in api.get("/api/v1/day-notes").json()["data"]] == ["2025-03-11"]


def test_the_list_is_newest_day_first_within_from_and_to_both_included(api):
    for day in ("2025-03-10", "2025-03-11", "2025-03-12", "2025-04-01"):
        put(api, day, {"body": f"Note of {day}"})
    r = api.get("/api/v1/day-notes?from=2025-03-11&to=2025-04-01&per_page=2")
    assert r.status_code == 200, r.content
    body = r.json()
    assert [note["date"] for note in body["data"]] == ["2025-04-01", "2025-03-12"]
    assert (body["current_page"], body["last_page"], body["per_page"], body["total"]) == (1, 2, 2, 3)
    assert [n["date"] for n in api.get("/api/v1/day-notes?to=2025-03-10").json()["data"]] == ["2025-03-10"]
    assert api.get("/api/v1/day-notes?from=&to=").json()["total"] == 4


@pytest.mark.parametrize(
    ("query", "details"),
    [
        ("from=2025-02-30", {"from": ["Enter a date, YYYY-MM-DD, between 1970 and 2099."]}),
        ("to=yesterday", {"to": ["Enter a date, YYYY-MM-DD, between 1970 and 2099."]}),
        ("from=2025-03-12&to=2025-03-11", {"from": ["The from date must be before or equal to the to date."]}),
        ("per_page=0", {"per_page": ["The per_page must be between 1 and 100."]}),
    ],
)
def test_a_bad_range_is_422(api, query, details):
    r = api.get(f"/api/v1/day-notes?{query}")
    assert r.status_code == 422, r.content
    assert r.json() == {"error": "Validation failed", "details": details}


def test_another_traders_note_is_not_found_nor_listed_nor_changed(api):
    other = api_client(make_user())
    put(other, "2025-03-14", {"body": "Theirs."})
    assert api.get("/api/v1/day-notes/2025-03-14").status_code == 404
    assert api.delete("/api/v1/day-notes/2025-03-14").status_code == 404
    assert api.get("/api/v1/day-notes").json()["total"] == 0
    assert put(api, "2025-03-14", {"body": "Mine."}).status_code == 201
    assert other.get("/api/v1/day-notes/2025-03-14").json()["body"] == "Theirs."


def test_reading_needs_trades_read_and_writing_trades_write(user):
    reader = api_client(user)
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(user, scopes=[TRADES_READ])[1]}")
    assert reader.get("/api/v1/day-notes").status_code == 200
    r = put(reader, "2025-03-14", {"body": NOTE})
    assert (r.status_code, r.json()) == (403, {"error": "Insufficient scope: trades:write required"})
    stats = api_client(user)
    stats.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(user, scopes=[STATS_READ])[1]}")
    assert stats.get("/api/v1/day-notes/2025-03-14").json() == {"error": "Insufficient scope: trades:read required"}


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="javascript:alert(1)" onclick="alert(1)">click</a>',
        "<svg onload=alert(1)>",
        '<iframe src="https://evil.example"></iframe>',
        "[x](vbscript:msgbox(1))",
    ],
)
def test_rendering_keeps_no_script_handler_or_dangerous_link(hostile):
    elements = Elements()
    elements.feed(render(f"Before\n\n{hostile}\n\nafter"))
    assert {tag for tag, _ in elements.found} <= {"p", "a"}, elements.found
    for _, attributes in elements.found:
        assert not [name for name, _ in attributes if name.startswith("on") or name in ("src", "style")]
        assert all(value.startswith(("https:", "http:")) for name, value in attributes if name == "href")


def test_rendering_keeps_markdown_and_marks_links_noopener_nofollow():
    html = render(
        "# Day\n\n- **won** 2\n- *lost* 1\n\n[plan](https://example.com/plan)\n\n![chart](https://example.com/c.png)"
    )
    assert "<h1>Day</h1>" in html
    assert "<li><strong>won</strong> 2</li>" in html and "<li><em>lost</em> 1</li>" in html
    assert '<a href="https://example.com/plan" rel="noopener nofollow">plan</a>' in html
    # Nothing is loaded from another site: an image is a link to it, not an image.
    assert "<img" not in html and 'href="https://example.com/c.png"' in html
