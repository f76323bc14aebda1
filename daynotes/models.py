"""A trader's note on one day: Markdown, one per owner and date."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

# A day's note holds a few screens of text; the API's 64 KiB body limit takes it whatever it is made of.
MAX_BODY = 10_000


class DayNoteQuerySet(models.QuerySet):
    def owned_by(self, user) -> "DayNoteQuerySet":
        return self.filter(user=user)

    def between(self, start: date | None, end: date | None) -> "DayNoteQuerySet":
        """The notes from `start` to `end`, both included (either may be open)."""
        if start is not None:
            self = self.filter(date__gte=start)
        return self if end is None else self.filter(date__lte=end)

    def newest_first(self) -> "DayNoteQuerySet":
        return self.order_by("-date")


class DayNote(models.Model):
    # No index of its own: the unique (user, date) index leads with user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="day_notes", db_index=False
    )  # fmt: skip
    date = models.DateField()
    body = models.TextField(help_text="Markdown")
    updated_at = models.DateTimeField(auto_now=True)

    objects = DayNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="daynote_one_per_user_and_date"),
            # An empty note is no note: it is deleted instead.
            models.CheckConstraint(condition=~Q(body=""), name="daynote_body_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.date}"
