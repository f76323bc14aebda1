"""/api/v1/day-notes: a note per day, `{date, body, updated_at}`; GET a range of them, and GET, PUT or
DELETE one by its date. The trades scopes cover them."""

import re
from datetime import date

import django_filters
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apikeys.scopes import TRADES_READ, TRADES_WRITE
from core import fields, wire
from core.serializers import StrictModelSerializer
from daynotes.models import MAX_BODY, DayNote
from daynotes.services import day_note_delete, day_note_put
from journal.filters import PatternFilter
from journal.pagination import PagePagination

DAY = OpenApiParameter(
    "date", {"type": "string", "pattern": wire.DATE_PATTERN}, OpenApiParameter.PATH,
    description=f"The day, YYYY-MM-DD ({wire.FIRST_YEAR} to {wire.LAST_YEAR})",
)  # fmt: skip
DATE_MESSAGE = f"Enter a date, YYYY-MM-DD, between {wire.FIRST_YEAR} and {wire.LAST_YEAR}."


class DayNoteSerializer(StrictModelSerializer):
    """A day's note: its Markdown body, and when it was last written."""

    date = serializers.DateField(read_only=True)
    body = fields.TextField(
        max_length=MAX_BODY, help_text="Markdown; pages show it rendered and sanitised",
        error_messages={"required": "The body field is required.", "blank": "The body field is required.",
                        "null": "The body field is required."},
    )  # fmt: skip
    updated_at = fields.TimestampField(read_only=True)

    # What a client may echo back from a GET: the day is the path's.
    ignored_fields = ("date", "updated_at")

    class Meta:
        model = DayNote
        fields = ("date", "body", "updated_at")


class DayNoteFilter(django_filters.FilterSet):
    def is_valid(self) -> bool:
        valid = super().is_valid()
        start, end = (self.form.cleaned_data.get(name) for name in ("from", "to")) if valid else (None, None)
        if start and end and start > end:
            self.form.add_error("from", "The from date must be before or equal to the to date.")
            return False
        return valid


# `from` is a Python keyword: the two filters are added by name.
for _name, _word in (("from", "on or after"), ("to", "on or before")):
    DayNoteFilter.base_filters[_name] = PatternFilter(
        pattern=rf"^(?:{wire.DATE})?$", parse=date.fromisoformat, message=DATE_MESSAGE,
        field_name="date", lookup_expr="gte" if _name == "from" else "lte",
        help_text=f"Notes of days {_word} this one, YYYY-MM-DD",
    )  # fmt: skip


@extend_schema_view(get=extend_schema(summary="List day notes", description="Your day notes, newest day first."))
class DayNoteListView(generics.ListAPIView):
    serializer_class = DayNoteSerializer
    filterset_class = DayNoteFilter
    pagination_class = PagePagination
    required_scopes = {"GET": TRADES_READ}

    def get_queryset(self):
        return DayNote.objects.owned_by(self.request.user).newest_first()

    def filter_queryset(self, queryset):
        filterset = self.filterset_class(self.request.query_params, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs


@extend_schema_view(
    get=extend_schema(summary="Get a day's note", parameters=[DAY]),
    put=extend_schema(
        summary="Write a day's note", parameters=[DAY], responses={200: DayNoteSerializer, 201: DayNoteSerializer},
        description="Creates the day's note (201) or replaces it (200).",
    ),
    delete=extend_schema(summary="Delete a day's note", parameters=[DAY], responses={204: None}),
)  # fmt: skip
class DayNoteView(generics.GenericAPIView):
    serializer_class = DayNoteSerializer
    required_scopes = {"GET": TRADES_READ, "PUT": TRADES_WRITE, "DELETE": TRADES_WRITE}
    response_headers = {"Location": ("string", "The new note's URL.", (201,))}
    queryset = DayNote.objects.none()  # for the schema

    def get(self, request, **kwargs) -> Response:
        note = DayNote.objects.owned_by(request.user).filter(date=self.day).first()
        if note is None:
            raise Http404
        return Response(self.get_serializer(note).data)

    def put(self, request, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note, created = day_note_put(user=request.user, day=self.day, body=serializer.validated_data["body"])
        if not created:
            return Response(self.get_serializer(note).data)
        location = request.build_absolute_uri(reverse("day-note", args=[note.date.isoformat()]))
        return Response(self.get_serializer(note).data, status=status.HTTP_201_CREATED, headers={"Location": location})

    def delete(self, request, **kwargs) -> Response:
        if not day_note_delete(user=request.user, day=self.day):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)

    @property
    def day(self) -> date:
        """The path's day: a day that is no calendar date of the wire format's years is no note of yours."""
        if not re.search(wire.DATE_PATTERN, self.kwargs["date"]):
            raise Http404
        return date.fromisoformat(self.kwargs["date"])
