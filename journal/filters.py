"""The trade filters shared by the trade list and the stats: from, to, instrument, side, setup_type."""

from datetime import date, datetime

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from journal.models import Side, normalize_instrument
from tradejournal import wire


class DateOrDateTimeField(forms.Field):
    """`YYYY-MM-DD` or an ISO 8601 datetime (naive means UTC), in the wire format's years."""

    default_error_messages = {"invalid": "Enter a date (YYYY-MM-DD) or an ISO 8601 datetime."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = wire.parse_date_or_timestamp(str(value))
        if parsed is None:
            out_of_range = wire.looks_like_a_date_out_of_range(str(value))
            raise forms.ValidationError(
                f"Dates must be between {wire.FIRST_YEAR} and {wire.LAST_YEAR}."
                if out_of_range
                else self.error_messages["invalid"],
                code="invalid",
            )
        return parsed


# An empty value, like every filter's, is the same as leaving the filter out.
@extend_schema_field({"type": "string", "pattern": wire.EMPTY_OR_DATE_OR_TIMESTAMP_PATTERN})
class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


@extend_schema_field({"type": "string", "enum": [*Side.values, ""]})
class EmptyOrChoiceFilter(django_filters.ChoiceFilter):
    """A choice, or empty for no filter (as every filter here treats an empty value)."""


@extend_schema_field({"type": "string", "pattern": wire.TEXT_PATTERN})
class TextFilter(django_filters.CharFilter):
    """Any text but NUL (which no database column can hold)."""


class TradeFilter(django_filters.FilterSet):
    # Declared as ChoiceFilter so a bad value is a validation error, not an empty result.
    side = EmptyOrChoiceFilter(
        choices=Side.choices, error_messages={"invalid_choice": "The side must be long or short."},
        help_text="long or short",
    )  # fmt: skip
    instrument = TextFilter(method="filter_instrument", help_text="Symbol, any case, e.g. BTCUSDT")
    setup_type = TextFilter(field_name="setup_type", lookup_expr="iexact", help_text="Setup type, any case")

    def filter_instrument(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(instrument=normalize_instrument(value))

    def filter_from(self, queryset: QuerySet, name: str, value: date | datetime) -> QuerySet:
        return queryset.filter(entry_time__gte=wire.date_or_timestamp_bounds(value)[0])

    def filter_to(self, queryset: QuerySet, name: str, value: date | datetime) -> QuerySet:
        # A date `to` includes that whole day.
        return queryset.filter(entry_time__lte=wire.date_or_timestamp_bounds(value)[1])

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if valid:
            start, end = self.form.cleaned_data.get("from"), self.form.cleaned_data.get("to")
            if start and end and wire.date_or_timestamp_bounds(start)[0] > wire.date_or_timestamp_bounds(end)[1]:
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
