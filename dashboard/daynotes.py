"""The web journal's day notes: a note per trading day beside the Overview's calendar, a page per day
to write, edit and delete it, and the list of them all. Saved and rendered by daynotes/."""

import re
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from core import wire
from dashboard import charts
from daynotes import markdown
from daynotes.models import MAX_BODY, DayNote
from daynotes.services import day_note_delete, day_note_put

NOTES_PER_PAGE = 30


class Day:
    """A day in a path: YYYY-MM-DD, a real calendar date of the wire format's years (else a 404)."""

    regex = "[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        if not re.search(wire.DATE_PATTERN, value):
            raise ValueError(value)
        return date.fromisoformat(value)

    def to_url(self, value: date | str) -> str:
        return value if isinstance(value, str) else value.isoformat()


class DayNoteForm(forms.Form):
    body = forms.CharField(
        label="Note", max_length=MAX_BODY, strip=False, widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Markdown: **bold**, *italic*, - lists, [links](https://example.com), `code`.",
        error_messages={"required": "Write the note (or delete it below)."},
    )  # fmt: skip


def long_date(day: date) -> str:
    """Friday 14 March 2025."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def rendered(note: DayNote) -> SafeString:
    # Sanitised by daynotes.markdown (nh3): what is left is safe to put in the page as it is.
    return mark_safe(markdown.render(note.body))  # noqa: S308


def month_notes(user, first: date, days: list[dict], *, currency: str) -> list[dict]:
    """The month of `first` as the notes beside its calendar: each day with closed trades (the
    calendar's `days`) or a note, in date order, with its P&L and its note rendered (None without)."""
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    notes = {note.date: note for note in DayNote.objects.owned_by(user).filter(date__gte=first, date__lt=following)}
    figures = {date.fromisoformat(day["date"]): day for day in days}
    entries = []
    for day in sorted(set(notes) | set(figures)):
        traded = figures.get(day)
        entries.append({
            "date": day,
            "url": reverse("day-note-page", args=[day]),
            "html": rendered(notes[day]) if day in notes else None,
            "pnl": None if traded is None else f"{charts.money(traded['net_pnl'], signed=True)} {currency}",
            "tone": None if traded is None else charts.tone(traded["net_pnl"]),
            "trades": None if traded is None else traded["total_trades"],
        })  # fmt: skip
    return entries


@login_required
def day_notes(request: HttpRequest) -> HttpResponse:
    """Every note, newest day first, and a way to any day's page (`?date=` leads there)."""
    asked = request.GET.get("date", "")
    if re.search(wire.DATE_PATTERN, asked):
        return redirect("day-note-page", day=asked)
    page = Paginator(DayNote.objects.owned_by(request.user).newest_first(), NOTES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "notes": [{"note": note, "html": rendered(note)} for note in page],
        "date_error": f"Choose a day between {wire.FIRST_YEAR} and {wire.LAST_YEAR}." if asked else None,
    }
    return render(request, "dashboard/day_notes.html", context, status=400 if asked else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def day_note_page(request: HttpRequest, day: date) -> HttpResponse:
    note = DayNote.objects.owned_by(request.user).filter(date=day).first()
    form = DayNoteForm(request.POST or None, initial={"body": note.body if note else ""})
    if request.method == "POST" and form.is_valid():
        _, created = day_note_put(user=request.user, day=day, body=form.cleaned_data["body"])
        messages.success(request, f"Note for {long_date(day)} {'saved' if created else 'updated'}.")
        return redirect("day-note-page", day=day)
    context = {"day": day, "note": note, "html": rendered(note) if note else None, "form": form}
    return render(request, "dashboard/day_note.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def day_note_delete_page(request: HttpRequest, day: date) -> HttpResponse:
    if request.method != "POST":
        if not DayNote.objects.owned_by(request.user).filter(date=day).exists():
            return redirect("day-note-page", day=day)
        context = {"title": f"Delete the note for {long_date(day)}?", "what": "Its text goes with it.",
                   "cancel": reverse("day-note-page", args=[day])}  # fmt: skip
        return render(request, "dashboard/confirm_delete.html", context)
    if day_note_delete(user=request.user, day=day):
        messages.success(request, f"Note for {long_date(day)} deleted.")
    return redirect("day-notes-page")
