"""The trade filters shared by the trade list, the stats and the analytics: from, to, instrument,
side, setup_type, account, tag (with tag_mode) and currency."""

import functools
from datetime import date, datetime

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from core import wire
from journal.currency import in_currency
from journal.instruments import normalize_instrument, trade_instrument
from journal.models import Account, Side, Tag, TradeTag

MAX_FILTER_TAGS = 20
# What each filter accepts, exactly as the schema publishes it: account ids, comma-separated; up
# to MAX_FILTER_TAGS tag names, comma-separated (spaces around a name are ignored; names hold no
# commas); a currency code in any case. Each may be empty, the same as leaving the filter out.
ACCOUNT_IDS_PATTERN = r"^(?:[1-9][0-9]{0,17}(?:,[1-9][0-9]{0,17})*)?$"
TAG_NAMES_PATTERN = rf"^[^,\x00]*(?:,[^,\x00]*){{0,{MAX_FILTER_TAGS - 1}}}$"
CURRENCY_PATTERN = rf"^(?:{wire.CURRENCY_ANY_CASE})?$"


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


class EmptyOrChoiceFilter(django_filters.ChoiceFilter):
    """A choice, or empty for no filter (as every filter here treats an empty value)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_override(self, "field", {"type": "string", "enum": [value for value, _ in self.extra["choices"]] + [""]})


class PatternField(forms.CharField):
    """Text matching `pattern`, the regex the schema publishes for the parameter, checked on the
    value as sent (not stripped, exactly as a schema validator sees it); then parsed by `parse`."""

    def __init__(self, *, pattern: str, message: str, parse, **kwargs):
        self.parse = parse
        super().__init__(strip=False, validators=[RegexValidator(pattern, message)], **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.parse(value) if value else None


def _ids(text: str) -> list[int]:
    return [int(item) for item in text.split(",")]


def _currency(text: str) -> str:
    return text.strip().upper()


def _names(text: str) -> list[str] | None:
    # A trailing newline passes `$`, as in the schema's own regex; no name holds one.
    return list(dict.fromkeys(name for item in text.split(",") if (name := item.strip(" \n")))) or None


class PatternFilter(django_filters.Filter):
    field_class = PatternField

    def __init__(self, *, pattern: str, **kwargs):
        super().__init__(pattern=pattern, **kwargs)
        set_override(self, "field", {"type": "string", "pattern": pattern})


@extend_schema_field({"type": "string", "pattern": wire.TEXT_PATTERN})
class TextFilter(django_filters.CharFilter):
    """Any text but NUL (which no database column can hold)."""


class TradeFilter(django_filters.FilterSet):
    # Declared as ChoiceFilter so a bad value is a validation error, not an empty result.
    side = EmptyOrChoiceFilter(
        choices=Side.choices, error_messages={"invalid_choice": "The side must be long or short."},
        help_text="long or short",
    )  # fmt: skip
    instrument = TextFilter(
        method="filter_instrument",
        help_text="Symbol, any case, e.g. BTCUSDT; a dated future in any form brokers write it (`MNQ SEP26`, `MNQU6`) "
        "finds the trades stored under its one name (`MNQU26`)",
    )
    setup_type = TextFilter(field_name="setup_type", lookup_expr="iexact", help_text="Setup type, any case")
    account = PatternFilter(
        pattern=ACCOUNT_IDS_PATTERN, parse=_ids, method="filter_account",
        message="The account must be an account id or a comma-separated list of them, e.g. 3,7.",
        help_text="An account id or a comma-separated list of them, e.g. `3,7`; another trader's id matches nothing",
    )  # fmt: skip
    tag = PatternFilter(
        pattern=TAG_NAMES_PATTERN, parse=_names, method="filter_tag",
        message=f"The tag must be a comma-separated list of at most {MAX_FILTER_TAGS} tag names.",
        help_text=f"Tag names, any case, comma-separated (at most {MAX_FILTER_TAGS}); see tag_mode",
    )  # fmt: skip
    tag_mode = EmptyOrChoiceFilter(
        choices=[("any", "any"), ("all", "all")], method="filter_tag_mode",
        error_messages={"invalid_choice": "The tag_mode must be any or all."},
        help_text="`any` (default): trades with at least one of the tags; `all`: trades with every one",
    )  # fmt: skip
    currency = PatternFilter(
        pattern=CURRENCY_PATTERN, parse=_currency, method="filter_currency",
        message=wire.CURRENCY_MESSAGE,
        help_text="A currency code (ISO 4217 or a quote asset such as USDT), any case: the trades of accounts in "
        "that currency (without an account: USD)",
    )  # fmt: skip

    def filter_instrument(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """The trades of `value`'s instrument: `MNQ SEP26` finds those stored as `MNQU26` (a one-digit
        contract year, `MNQU6`, is read from the current year), and those stored under the name as sent
        (typed before trades took the one name, or imported from our own export, which keeps names)."""
        names = {normalize_instrument(value), trade_instrument(value, year=timezone.now().year)}
        return queryset.filter(instrument__in=names)

    # Accounts and tags are matched among the key owner's own: the trades already are theirs, and
    # keeping the subqueries to one owner keeps them a few rows long.
    def filter_account(self, queryset: QuerySet, name: str, value: list[int]) -> QuerySet:
        return queryset.filter(account__in=value)

    def filter_currency(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return in_currency(queryset, value, accounts=Account.objects.owned_by(self.request.user))

    def filter_tag(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        tags = Tag.objects.owned_by(self.request.user)

        def tagged(names: list[str]) -> QuerySet:
            return TradeTag.objects.filter(tag__in=tags.named(names)).values("trade")

        if self.form.cleaned_data.get("tag_mode") == "all":
            # One semi-join per name: exactly "has each of them", whatever case each was sent in.
            for tag_name in value:
                queryset = queryset.filter(id__in=tagged([tag_name]))
            return queryset
        return queryset.filter(id__in=tagged(value))

    def filter_tag_mode(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # read by filter_tag

    def filter_from(self, queryset: QuerySet, name: str, value: date | datetime) -> QuerySet:
        return queryset.filter(entry_time__gte=wire.date_or_timestamp_bounds(value)[0])

    def filter_to(self, queryset: QuerySet, name: str, value: date | datetime) -> QuerySet:
        # A date `to` includes that whole day.
        return queryset.filter(entry_time__lte=wire.date_or_timestamp_bounds(value)[1])

    def get_form_class(self) -> type[forms.Form]:
        # django-filter builds a form class, and a field for every filter, on each request; these
        # fields depend on nothing in a request (each form deep-copies them anyway), so it is
        # built once per filter set: about a quarter of their cost per request (profiled).
        return _form_class(type(self))

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


@functools.cache
def _form_class(filterset: type[django_filters.FilterSet]) -> type[forms.Form]:
    fields = {name: filter_.field for name, filter_ in filterset.base_filters.items()}
    return type(f"{filterset.__name__}Form", (filterset._meta.form,), fields)


def filtered_trades(request, trades: QuerySet) -> tuple[QuerySet, dict]:
    """`trades` narrowed by the request's trade filters, and the filters' values (for
    journal.currency.single_currency); a bad value is a 422 like any validation error."""
    filterset = TradeFilter(request.query_params, queryset=trades, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs, filterset.form.cleaned_data
