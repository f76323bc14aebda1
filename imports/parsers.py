"""What POST /api/v1/imports reads: a broker file as the raw body, a multipart form with the file, or
JSON fills; each up to IMPORT_MAX_BYTES (413 above it, refused before the body is read when its
length says so)."""

from dataclasses import dataclass

from django.conf import settings
from rest_framework import parsers, serializers

from core.exceptions import PayloadTooLarge
from core.parsers import TooManyObjects, loads
from imports.formats import spreadsheet
from imports.serializers import MAX_EXECUTIONS, TOO_MANY_EXECUTIONS

# Content types a broker file may come as. MetaTrader's report is HTML or an Excel workbook; a
# browser sends what it guesses from the extension, and `curl --data-binary` sends octet-stream.
RAW_MEDIA_TYPES = (
    "text/csv", "application/xml", "text/xml", "text/plain", "text/html", spreadsheet.MEDIA_TYPE,
    "application/octet-stream",
)  # fmt: skip
# A multipart body is the file plus a few short fields and their boundaries.
FORM_OVERHEAD = 64 * 1024


@dataclass(frozen=True)
class RawFile:
    content: bytes


def _refuse_oversized(parser_context: dict | None, slack: int = 0) -> None:
    request = (parser_context or {}).get("request")
    length = request.META.get("CONTENT_LENGTH", "") if request is not None else ""
    if length.isdigit() and int(length) > settings.IMPORT_MAX_BYTES + slack:
        raise PayloadTooLarge()


def _read(stream, parser_context: dict | None) -> bytes:
    """The whole body, up to the upload limit (413 beyond it, before reading when its length says so)."""
    _refuse_oversized(parser_context)
    limit = settings.IMPORT_MAX_BYTES
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge()
    return content


class RawFileParser(parsers.BaseParser):
    media_type = RAW_MEDIA_TYPES[0]

    def parse(self, stream, media_type=None, parser_context=None) -> RawFile:
        return RawFile(_read(stream, parser_context))


RAW_PARSERS = [RawFileParser] + [
    type(f"RawFileParser{n}", (RawFileParser,), {"media_type": media_type})
    for n, media_type in enumerate(RAW_MEDIA_TYPES[1:], start=2)
]


class UploadMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        _refuse_oversized(parser_context, FORM_OVERHEAD)
        return super().parse(stream, media_type, parser_context)


class UploadJSONParser(parsers.BaseParser):
    """JSON fills, read like every JSON body (core/parsers.py) up to the upload limit rather than the
    64 KiB of a trade, and counted as they are read.

    Each fill is an object, and a body that could be taken holds no other object but the one around
    them: so a body with more objects than that is refused at the first one too many, before the
    rest is read, let alone checked fill by fill.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return loads(_read(stream, parser_context), max_objects=MAX_EXECUTIONS + 1)
        except TooManyObjects:
            raise serializers.ValidationError({"executions": [TOO_MANY_EXECUTIONS]}) from None
