"""The day notes' API routes; every path works with and without a trailing slash."""

from django.urls import re_path

from daynotes.api import DayNoteListView, DayNoteView

urlpatterns = [
    re_path(r"^day-notes/?$", DayNoteListView.as_view(), name="day-notes"),
    # The view takes only the real calendar dates of this shape (wire.DATE_PATTERN).
    re_path(r"^day-notes/(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})/?$", DayNoteView.as_view(), name="day-note"),
]
