"""The analytics endpoints' own query parameters (`tz`, `by`, `interval`, `month`, `year`), each
validated exactly as the OpenAPI schema describes it; an empty value is the same as leaving the
parameter out, as with the trade filters. What each class validates is what its selector takes
(analytics.selectors): a zone, `by`, `interval`, a calendar's period."""

from datetime import datetime
from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import fields, wire, zones
from journal.zones import zone_of

ZONES = zones.NAMES

BREAKDOWNS = ("instrument", "setup_type", "side", "account", "tag", "weekday", "hour", "month", "hold_time")
INTERVALS = ("trade", "day", "week", "month")
DEFAULT_INTERVAL = "day"
MIN_POINTS = 2
MAX_POINTS_INVALID = f"max_points must be a whole number of at least {MIN_POINTS}."

MONTH_PATTERN = rf"^{wire.YEAR}-(?:0[1-9]|1[0-2])$"
YEAR_PATTERN = rf"^{wire.YEAR}$"


def _choice(choices, name: str, invalid: str, help_text: str, **kwargs) -> serializers.ChoiceField:
    required = f"The {name} field is required."
    return serializers.ChoiceField(
        choices=choices, help_text=help_text,
        error_messages={"invalid_choice": invalid, "required": required, "blank": required}, **kwargs,
    )  # fmt: skip


@extend_schema_field({"type": "string", "enum": [*ZONES, ""]})
class ZoneField(serializers.CharField):
    """An IANA time zone name, read as a ZoneInfo; empty is None (the owner's zone).

    Not a ChoiceField: DRF copies a field's choices for every request, and there are 600 zones."""

    default_error_messages = {"unknown": zones.UNKNOWN}

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data) -> ZoneInfo | None:
        name = super().to_internal_value(data)
        if name and not zones.is_zone(name):
            self.fail("unknown", input=name)
        return ZoneInfo(name) if name else None


class AnalyticsParams(serializers.Serializer):
    """What every analytics endpoint takes besides the trade filters. `context["owner"]`: whose time
    zone (their profile's) is the default `tz`."""

    tz = ZoneField(
        help_text="IANA time zone that dates, weekdays, hours and periods are taken in (default: the key owner's "
        "profile's zone, UTC unless they set one)"
    )

    def validate(self, attrs: dict) -> dict:
        # Left out, or empty (which a blank-allowing field passes through as "").
        attrs["tz"] = attrs.get("tz") or ZoneInfo(zone_of(self.context.get("owner")))
        return attrs


class BreakdownParams(AnalyticsParams):
    by = _choice(BREAKDOWNS, "by", f"Break down by one of: {', '.join(BREAKDOWNS)}.", "What the trades are grouped by")


@extend_schema_field({"oneOf": [{"type": "integer", "minimum": MIN_POINTS}, {"type": "string", "maxLength": 0}]})
class PointsBound(serializers.IntegerField):
    """`max_points`: a whole number of at least MIN_POINTS, or empty (as left out: no bound)."""


class EquityParams(AnalyticsParams):
    interval = _choice(
        INTERVALS, "interval", f"The interval must be one of: {', '.join(INTERVALS)}.",
        "One point per closed trade, or per day, week (from Monday) or month (default day)",
        required=False, allow_blank=True,
    )  # fmt: skip

    max_points = PointsBound(
        min_value=MIN_POINTS, required=False,
        help_text=f"At most this many points (at least {MIN_POINTS}): a longer curve keeps its first and last "
        "points, its largest drawdown's, its running peaks and troughs as they fit, and its shape; the figures "
        "stay the full curve's",
        error_messages=dict.fromkeys(("invalid", "min_value", "max_string_length"), MAX_POINTS_INVALID),
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
        month, year = attrs.pop("month", None), attrs.pop("year", None)
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
