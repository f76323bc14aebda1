"""The trade filters shared by the trade list and the stats: from, to, instrument, side, setup_type."""

from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime

from journal.models import Side, normalize_instrument


class DateOrDateTimeField(forms.Field):
    """`YYYY-MM-DD` or an ISO 8601 datetime (naive means UTC)."""

    default_error_messages = {"invalid": "Enter a date (YYYY-MM-DD) or an ISO 8601 datetime."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "+")  # a '+' offset arrives as a space if not URL-encoded
        try:
            parsed = parse_datetime(text) if "T" in text or ":" in text else parse_date(text)
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if isinstance(parsed, datetime) and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed


class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class TradeFilter(django_filters.FilterSet):
    # Declared as ChoiceFilter so a bad value is a validation error, not an empty result.
    side = django_filters.ChoiceFilter(
        choices=Side.choices, error_messages={"invalid_choice": "The side must be long or short."},
        help_text="long or short",
    )  # fmt: skip
    instrument = django_filters.CharFilter(method="filter_instrument", help_text="Symbol, any case, e.g. BTCUSDT")
    setup_type = django_filters.CharFilter(
        field_name="setup_type", lookup_expr="iexact", help_text="Setup type, any case"
    )

    def filter_instrument(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(instrument=normalize_instrument(value))

    def filter_from(self, queryset: QuerySet, name: str, value: date | datetime) -> QuerySet:
        start = value if isinstance(value, datetime) else _day_start(value)
        return queryset.filter(entry_time__gte=start)

    def filter_to(self, queryset: QuerySet, name: str, value: date | datetime) -> QuerySet:
        if isinstance(value, datetime):
            return queryset.filter(entry_time__lte=value)
        # A date `to` includes that whole day.
        return queryset.filter(entry_time__lt=_day_start(value) + timedelta(days=1))

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if valid:
            start, end = self.form.cleaned_data.get("from"), self.form.cleaned_data.get("to")
            if start and end and _as_instant(start) > _as_instant(end, end_of_day=True):
                self.form.add_error("from", "The from date must be before or equal to the to date.")
                return False
        return valid


# `from` is a Python keyword, so these two can't be class attributes; they are added by name.
TradeFilter.base_filters["from"] = DateOrDateTimeFilter(
    method="filter_from", help_text="Trades entered at or after: YYYY-MM-DD or an ISO 8601 datetime"
)
TradeFilter.base_filters["to"] = DateOrDateTimeFilter(
    method="filter_to", help_text="Trades entered at or before: an ISO 8601 datetime, or YYYY-MM-DD for that whole day"
)


def _as_instant(value: date | datetime, *, end_of_day: bool = False) -> datetime:
    if isinstance(value, datetime):
        return value
    return _day_start(value) + (timedelta(days=1) - timedelta(microseconds=1) if end_of_day else timedelta())
