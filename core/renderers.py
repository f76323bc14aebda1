"""JSON output: decimals as exact JSON numbers without trailing zeros (65000, 0.5, 748.5)."""

from datetime import UTC, datetime
from decimal import Decimal

import orjson
from django.http import HttpResponse
from django.utils.functional import Promise
from rest_framework.renderers import BaseRenderer
from rest_framework.settings import api_settings


def plain_decimal(value: Decimal) -> str:
    """The shortest exact decimal text of `value`, never in exponent form."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text


def format_timestamp(value: datetime) -> str:
    """A timestamp as the API writes it everywhere: UTC, microseconds, `Z` (DATETIME_FORMAT)."""
    return value.astimezone(UTC).strftime(api_settings.DATETIME_FORMAT)


def _default(obj):
    if isinstance(obj, Decimal):
        # A Fragment is written as-is: the number keeps every digit (no trip through float).
        return orjson.Fragment(plain_decimal(obj))
    if isinstance(obj, Promise):
        return str(obj)
    raise TypeError(f"Type is not JSON serializable: {type(obj).__name__}")


def dumps(data, *, sort_keys: bool = False) -> bytes:
    return orjson.dumps(data, default=_default, option=orjson.OPT_SORT_KEYS if sort_keys else 0)


def json_response(data, *, status: int = 200) -> HttpResponse:
    """A JSON response for plain Django views, rendered exactly as the API renders."""
    return HttpResponse(dumps(data), status=status, content_type="application/json")


class JSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition; no charset parameter.

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return dumps(data)
