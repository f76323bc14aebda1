"""The wire format of what clients send: the exact text accepted for timestamps, dates and decimals,
stated once as patterns that both validate requests and describe them in the OpenAPI schema.

Patterns are matched with `re.search`, exactly as JSON Schema validators apply `pattern`, so the
server accepts precisely what the published schema allows.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

# Dates outside these years are typing mistakes, not trades.
FIRST_YEAR, LAST_YEAR = 1970, 2099
YEAR = r"(?:19[7-9]\d|20\d\d)"
_LEAP_YEAR = r"(?:19(?:7[26]|8[048]|9[26])|20(?:[02468][048]|[13579][26]))"  # every 4th year; 2000 is one
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|02-(?:0[1-9]|1\d|2[0-8]))"
)
DATE = rf"(?:{YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
OFFSET = r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
TIMESTAMP_PATTERN = rf"^{DATE}T{TIME}{OFFSET}?$"
DATE_PATTERN = rf"^{DATE}$"
# In a query string an unencoded `+` arrives as a space; the filters read it back as `+`.
QUERY_OFFSET = r"(?:Z|[+\- ](?:[01]\d|2[0-3]):[0-5]\d)"
DATE_OR_TIMESTAMP_PATTERN = rf"^{DATE}(?:T{TIME}{QUERY_OFFSET}?)?$"
# A filter's value may also be empty (the same as leaving the filter out).
EMPTY_OR_DATE_OR_TIMESTAMP_PATTERN = rf"^(?:{DATE}(?:T{TIME}{QUERY_OFFSET}?)?)?$"
TIMESTAMP_FORMAT_HINT = "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]"

# Text: anything but NUL, which no database column can hold.
TEXT_PATTERN = r"^[^\x00]*$"

# A currency: an ISO 4217 code (USD) or a market's quote asset (USDT, USDC, BTC), 3 to 6 letters or
# digits, stored upper-case; clients may send any case. Different codes are never added: USDT is not USD.
CURRENCY_CODE = r"[A-Z0-9]{3,6}"
CURRENCY_ANY_CASE = r"[A-Za-z0-9]{3,6}"
CURRENCY_PATTERN = rf"^{CURRENCY_ANY_CASE}$"
CURRENCY_MESSAGE = "The currency must be 3 to 6 letters or digits: an ISO 4217 code (USD) or a quote asset (USDT)."

# Prices, quantities and money in: up to 12 digits before the point and 8 after.
INTEGER_DIGITS, PLACES = 12, 8
MAXIMUM = Decimal(10**INTEGER_DIGITS - 1)
SMALLEST = Decimal(1).scaleb(-PLACES)
_INTEGER = rf"(?:0|[1-9]\d{{0,{INTEGER_DIGITS - 1}}})"
_FRACTION = rf"(?:\.\d{{1,{PLACES}}})?"
# 0.x with at least one non-zero digit among at most PLACES: spelled out, as JSON Schema has no lookahead.
_POSITIVE_FRACTION = "|".join("0" * zeros + rf"[1-9]\d{{0,{PLACES - zeros - 1}}}" for zeros in range(PLACES))
NON_NEGATIVE_DECIMAL_PATTERN = rf"^{_INTEGER}{_FRACTION}$"
POSITIVE_DECIMAL_PATTERN = rf"^(?:[1-9]\d{{0,{INTEGER_DIGITS - 1}}}{_FRACTION}|0\.(?:{_POSITIVE_FRACTION}))$"

_TIMESTAMP = re.compile(TIMESTAMP_PATTERN)
_DATE = re.compile(DATE_PATTERN)
_DATE_OR_TIMESTAMP = re.compile(DATE_OR_TIMESTAMP_PATTERN)
_SPACED_OFFSET = re.compile(r" (\d\d:\d\d)$")
_ISO_LIKE = re.compile(r"^\s*[+-]?\d{4,}-\d\d-\d\d([T ]\d\d:\d\d.*)?\s*$")


def parse_timestamp(text: str) -> datetime | None:
    """An aware datetime from the pattern's text (naive means UTC); None when it doesn't match."""
    match = _TIMESTAMP.search(text)
    return None if match is None else _aware(datetime.fromisoformat(match.group(0).replace("Z", "+00:00")))


def parse_date_or_timestamp(text: str) -> date | datetime | None:
    match = _DATE_OR_TIMESTAMP.search(text)
    if match is None:
        return None
    value = match.group(0)
    if _DATE.search(value):
        return date.fromisoformat(value)
    return _aware(datetime.fromisoformat(_SPACED_OFFSET.sub(r"+\1", value).replace("Z", "+00:00")))


def date_or_timestamp_bounds(value: date | datetime) -> tuple[datetime, datetime]:
    """The first and last instant a filter value stands for: a date is its whole UTC day."""
    if isinstance(value, datetime):
        return value, value
    start = datetime.combine(value, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1) - timedelta(microseconds=1)


def looks_like_a_date_out_of_range(text: str) -> bool:
    """For the error message: a well-formed date whose year is outside FIRST_YEAR..LAST_YEAR."""
    match = _ISO_LIKE.match(text)
    return match is not None and not FIRST_YEAR <= int(text.strip().lstrip("+-")[:4]) <= LAST_YEAR


def _aware(value: datetime) -> datetime:
    # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 (and this format) allow.
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def decimal_pattern(*, positive: bool) -> str:
    return POSITIVE_DECIMAL_PATTERN if positive else NON_NEGATIVE_DECIMAL_PATTERN


def stored(value: Decimal) -> Decimal:
    """A number as stored: rounded half-up to PLACES (JSON numbers may carry more, strings may not)."""
    return value.quantize(SMALLEST, rounding=ROUND_HALF_UP)
