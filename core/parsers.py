"""JSON input: numbers with a fraction become Decimal (never float); oversized bodies are 413;
JSON that parsers disagree on (duplicate keys, lone surrogates) or that nests absurdly is 400; a
caller may bound the objects read."""

import itertools
import json
import re
from decimal import Decimal

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from core.exceptions import PayloadTooLarge

# Far deeper than any body this API takes; deeper input only costs stack and time.
MAX_DEPTH = 32
# A \uD800-\uDFFF escape: a surrogate, which is only valid as half of an escaped pair.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _Rejected(ValueError):
    pass


class TooManyObjects(Exception):
    """The text holds more objects than the caller takes (not a ValueError: the text may be valid)."""


def _reject_constant(name: str):
    raise _Rejected(f"{name} is not a valid JSON number")


def _object(pairs: list[tuple[str, object]]) -> dict:
    # Which of two values for one key wins differs between parsers; refuse rather than guess.
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise _Rejected(f"duplicate key {duplicate!r}")
    return obj


def _check(value: object, *, strings: bool) -> None:
    """Depth, and (when the text escapes a surrogate) that every string is valid Unicode."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise _Rejected(f"nested deeper than {MAX_DEPTH} levels")
            children = item.items() if isinstance(item, dict) else ((None, v) for v in item)
            for key, child in children:
                if strings and key is not None:
                    _valid_text(key)
                stack.append((child, depth + 1))
        elif strings and isinstance(item, str):
            _valid_text(item)


def _valid_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Rejected("a string holds a lone surrogate (\\ud800-\\udfff), which is not text") from None


def _counted(max_objects: int):
    """The object hook, counting: the parser calls it as each object is read, so raising stops the
    reading there, before the rest of the text is parsed."""
    read = itertools.count(1)

    def hook(pairs: list[tuple[str, object]]) -> dict:
        if next(read) > max_objects:
            raise TooManyObjects
        return _object(pairs)

    return hook


def loads(raw: bytes, *, max_objects: int | None = None):
    """The body as Python values; ParseError (400) for anything that is not plain, valid JSON, and
    with `max_objects` TooManyObjects at the first object past it."""
    hook = _object if max_objects is None else _counted(max_objects)
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=hook)
        _check(data, strings=_SURROGATE_ESCAPE.search(text) is not None)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ParseError(f"Malformed JSON: {exc}") from None
    return data


class JSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge()
        return loads(raw)
