"""JSON output: decimals as exact JSON numbers without trailing zeros (65000, 0.5, 748.5)."""

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import orjson
from django.http import FileResponse, HttpResponse
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


# A body up to this size is written in memory (and cached: core.versions); a larger one on disk.
SPOOL_BYTES = 8 * 1024 * 1024


def spooled(data: dict) -> orjson.Fragment | FileResponse:
    """`data` rendered as dumps() would, a value that is an iterator (of its items' JSON texts) as an
    array written item by item, into a file kept in memory up to SPOOL_BYTES and on disk beyond: the
    body itself when it stayed in memory, else a response streaming the file, which closing the
    response removes. So a long series is never held whole, in the worker or in the cache."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    try:
        for index, (key, value) in enumerate(data.items()):
            spool.write(b"{" if index == 0 else b",")
            spool.write(dumps(key) + b":")
            if isinstance(value, Iterator):
                spool.write(b"[")
                for position, item in enumerate(value):
                    spool.write(item if position == 0 else b"," + item)
                spool.write(b"]")
            else:
                spool.write(dumps(value))
        spool.write(b"}")
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    if size <= SPOOL_BYTES:
        with spool:
            return orjson.Fragment(spool.read())
    return FileResponse(spool, content_type="application/json")


class JSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition; no charset parameter.

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return dumps(data)
