"""The analytics endpoints' own query parameters (`tz`, `by`, `interval`, `month`, `year`), each
validated exactly as the OpenAPI schema describes it; an empty value is the same as leaving the
parameter out, as with the trade filters."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tradejournal import fields, wire

DEFAULT_ZONE = "UTC"
# Names the database would read otherwise than Python's zoneinfo, so they are refused rather than
# answered differently on PostgreSQL and SQLite (tests/test_analytics_api.py checks every other):
# - Django reads a name ending in a sign and two digits as a zone plus an offset, and so turns
#   Etc/GMT+10 (UTC-10) and its like around;
# - PostgreSQL reads CET, EET, MET and WET as abbreviations of a fixed offset, without the summer
#   time the zones of those names keep (Europe/Paris and its like are the zones to use);
# - "localtime" is whatever each machine is set to, and "Factory" no zone at all.
_MISREAD = re.compile(r"[+-]1\d$")
_REFUSED = {"CET", "EET", "MET", "WET", "localtime", "Factory"}
ZONES = sorted(name for name in available_timezones() - _REFUSED if not _MISREAD.search(name))

BREAKDOWNS = ("instrument", "setup_type", "side", "account", "tag", "weekday", "hour", "month", "hold_time")
INTERVALS = ("trade", "day", "week", "month")
DEFAULT_INTERVAL = "day"

MONTH_PATTERN = rf"^{wire.YEAR}-(?:0[1-9]|1[0-2])$"
YEAR_PATTERN = rf"^{wire.YEAR}$"
# Account ids as the trade routes take them.
_ACCOUNT_ID = re.compile(r"^\d{1,18}$")


def _choice(choices, name: str, invalid: str, help_text: str, **kwargs) -> serializers.ChoiceField:
    required = f"The {name} field is required."
    return serializers.ChoiceField(
        choices=choices, help_text=help_text,
        error_messages={"invalid_choice": invalid, "required": required, "blank": required}, **kwargs,
    )  # fmt: skip


@extend_schema_field({"type": "string", "enum": [*ZONES, ""]})
class ZoneField(serializers.CharField):
    """An IANA time zone name among ZONES, read as a ZoneInfo; empty is the default zone.

    Not a ChoiceField: DRF copies a field's choices for every request, and there are 600 zones."""

    default_error_messages = {"unknown": 'Unknown time zone "{input}": use an IANA name such as America/New_York.'}
    _names = frozenset(ZONES)

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data) -> ZoneInfo:
        name = super().to_internal_value(data)
        if name and name not in self._names:
            self.fail("unknown", input=name)
        return ZoneInfo(name) if name else ZoneInfo(DEFAULT_ZONE)


class AnalyticsParams(serializers.Serializer):
    """What every analytics endpoint takes besides the trade filters."""

    tz = ZoneField(help_text="IANA time zone that dates, weekdays, hours and periods are taken in (default UTC)")

    def validate(self, attrs: dict) -> dict:
        # Left out, or empty (which a blank-allowing field passes through as "").
        attrs["tz"] = attrs.get("tz") or ZoneInfo(DEFAULT_ZONE)
        return attrs


class BreakdownParams(AnalyticsParams):
    by = _choice(BREAKDOWNS, "by", f"Break down by one of: {', '.join(BREAKDOWNS)}.", "What the trades are grouped by")


class EquityParams(AnalyticsParams):
    interval = _choice(
        INTERVALS, "interval", f"The interval must be one of: {', '.join(INTERVALS)}.",
        "One point per closed trade, or per day, week (from Monday) or month (default day)",
        required=False, allow_blank=True,
    )  # fmt: skip

    def validate_interval(self, value: str) -> str:
        return value or DEFAULT_INTERVAL

    def validate(self, attrs: dict) -> dict:
        attrs.setdefault("interval", DEFAULT_INTERVAL)
        return super().validate(attrs)


MONTH_AND_YEAR = "Give a month or a year, not both."


class CalendarParams(AnalyticsParams):
    # Blank is allowed besides the pattern (the schema says so with a oneOf).
    month = fields.TextField(
        pattern=MONTH_PATTERN, required=False, allow_blank=True, help_text="YYYY-MM: that month's days",
        error_messages={"pattern": "Enter a month as YYYY-MM."},
    )  # fmt: skip
    year = fields.TextField(
        pattern=YEAR_PATTERN, required=False, allow_blank=True, help_text="YYYY: that year's days",
        error_messages={"pattern": "Enter a year as YYYY."},
    )  # fmt: skip

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        month, year = attrs.get("month"), attrs.get("year")
        if month and year:
            raise serializers.ValidationError({"month": [MONTH_AND_YEAR]})
        attrs["period"] = _period(month, year, attrs["tz"])
        return attrs


def _period(month: str | None, year: str | None, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The month's or year's first instant in `zone` and the next one's; None for every day."""
    if month:
        first_year, first_month = map(int, month.split("-"))
        last_year, last_month = (first_year + 1, 1) if first_month == 12 else (first_year, first_month + 1)
    elif year:
        first_year, first_month, last_year, last_month = int(year), 1, int(year) + 1, 1
    else:
        return None
    return datetime(first_year, first_month, 1, tzinfo=zone), datetime(last_year, last_month, 1, tzinfo=zone)


def single_account(query) -> int | None:
    """The account the `account` filter names when it names exactly one (the trade filters
    validate the value itself): its starting balance is where the equity curve starts."""
    parts = {part.strip() for part in query.get("account", "").split(",")} - {""}
    if not parts or not all(_ACCOUNT_ID.match(part) for part in parts):
        return None
    ids = {int(part) for part in parts}
    return ids.pop() if len(ids) == 1 else None
