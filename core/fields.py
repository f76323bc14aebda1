"""Serializer fields for what clients send, held to the wire format (core.wire): each
accepts exactly the text its published schema describes, and describes itself the same way."""

import copy
import re
from datetime import datetime
from decimal import Decimal

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from core import wire
from core.renderers import format_timestamp


class CopiedCheaply:
    """A serializer copies each field it declares for every instance it builds (once a request).
    DRF's copy runs the field's __init__ again on deep copies of its arguments, which cost a
    trade's create more than its validation (profiled); a field not yet bound to a serializer holds
    nothing a copy must not share (its validators are stateless), so a shallow copy does."""

    def __deepcopy__(self, memo):
        if self.parent is not None:  # bound (a list's child): DRF's own copy binds it anew
            return super().__deepcopy__(memo)
        clone = copy.copy(self)
        if hasattr(self, "_validators"):
            clone._validators = list(self._validators)
        return clone


class DecimalField(CopiedCheaply, serializers.Field):
    """A JSON number (stored rounded to 8 places) or a numeric string (exactly as the pattern says).

    Bounds apply to the value as sent: 0 < value (or 0 <= value) and at most 12 digits before
    the point. Strings keep every digit, so they may not have more than 8 after it.
    """

    default_error_messages = {
        "invalid": "A valid number is required.",
        "positive": "Ensure this value is greater than 0.",
        "non_negative": "Ensure this value is at least 0.",
        "too_small": f"Ensure this value is at least {wire.SMALLEST:f}.",
        "max_whole_digits": (
            f"Ensure that there are no more than {wire.INTEGER_DIGITS} digits before the decimal point."
        ),
        "max_decimal_places": f"Ensure that there are no more than {wire.PLACES} decimal places.",
    }

    def __init__(self, *, positive: bool, **kwargs):
        self.positive = positive
        self.pattern = wire.decimal_pattern(positive=positive)
        self.regex = re.compile(self.pattern)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | Decimal | str):
            self.fail("invalid")
        if isinstance(data, str) and not self.regex.search(data):
            self._explain(data)
        value = Decimal(data)
        self._check_bounds(value)
        return wire.stored(value)

    def _check_bounds(self, value: Decimal) -> None:
        if not value.is_finite():
            self.fail("invalid")
        if self.positive and value <= 0:
            self.fail("positive")
        if not self.positive and value < 0:
            self.fail("non_negative")
        if self.positive and value < wire.SMALLEST:
            self.fail("too_small")
        if value > wire.MAXIMUM:
            self.fail("max_whole_digits")

    def _explain(self, text: str):
        """Why a string failed the pattern, in the most useful words available."""
        try:
            value = Decimal(text)
        except ArithmeticError:
            self.fail("invalid")
        if value.is_finite() and text.strip() == text and "e" not in text.lower():
            if value.as_tuple().exponent < -wire.PLACES:
                self.fail("max_decimal_places")
            self._check_bounds(value)
        self.fail("invalid")

    def to_representation(self, value):
        return value


class TimestampField(CopiedCheaply, serializers.Field):
    """An ISO 8601 timestamp `YYYY-MM-DDThh:mm[:ss[.uuuuuu]][Z|±HH:MM]` in 1970..2099 (naive = UTC)."""

    default_error_messages = {
        "invalid": f"Datetime has wrong format. Use one of these formats instead: {wire.TIMESTAMP_FORMAT_HINT}.",
        "out_of_range": f"Dates must be between {wire.FIRST_YEAR} and {wire.LAST_YEAR}.",
    }

    def to_internal_value(self, data) -> datetime:
        if not isinstance(data, str):
            self.fail("invalid")
        value = wire.parse_timestamp(data)
        if value is None:
            self.fail("out_of_range" if wire.looks_like_a_date_out_of_range(data) else "invalid")
        return value

    def to_representation(self, value: datetime) -> str:
        return format_timestamp(value)


class IdField(CopiedCheaply, serializers.Field):
    """The id of a record as a JSON integer from 1 to MAX_ID; not a string, not a boolean. `3.0`
    is the integer 3, as JSON Schema counts it."""

    MAX_ID = 10**18 - 1  # ids are 64-bit; the routes take at most 18 digits too
    default_error_messages = {"invalid": f"Enter the id as a whole number from 1 to {MAX_ID}."}

    def to_internal_value(self, data) -> int:
        # The range first: converting 1E+999999999 would build a billion-digit integer.
        if isinstance(data, Decimal) and data.is_finite() and 1 <= data <= self.MAX_ID and data % 1 == 0:
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int) or not 1 <= data <= self.MAX_ID:
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class TextField(CopiedCheaply, serializers.CharField):
    """Text that must arrive as a JSON string (DRF's CharField also takes numbers), kept exactly
    as sent; with `pattern`, text it does not match is refused ("blank" if only whitespace)."""

    default_error_messages = {"pattern": "Enter a valid value."}

    def __init__(self, *, pattern: str | None = None, **kwargs):
        self.pattern = pattern
        self.regex = re.compile(pattern) if pattern else None
        super().__init__(trim_whitespace=False, **kwargs)

    def to_internal_value(self, data) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if self.regex is not None and not self.regex.search(data):
            text = data.strip()
            if not text:
                self.fail("blank")
            if self.max_length is not None and len(data) > self.max_length:
                self.fail("max_length", max_length=self.max_length, length=len(data))
            self.fail("pattern")
        return super().to_internal_value(data)


class ListField(serializers.ListField):
    """A list counted before its items are checked: one over `max_length` is refused at once, not
    after checking (and answering for) every one of its thousands of items."""

    def to_internal_value(self, data) -> list:
        if isinstance(data, list) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


# --- How these fields appear in the OpenAPI schema ----------------------------------------------


class DecimalFieldSchema(OpenApiSerializerFieldExtension):
    target_class = DecimalField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return build_basic_type(OpenApiTypes.NUMBER)
        minimum = {"minimum": float(wire.SMALLEST)} if self.target.positive else {"minimum": 0}
        return {
            "oneOf": [
                {"type": "number", **minimum, "maximum": int(wire.MAXIMUM)},
                {"type": "string", "pattern": self.target.pattern},
            ],
            "description": "A JSON number, or a numeric string to keep every digit "
            f"(up to {wire.INTEGER_DIGITS} digits before the point and {wire.PLACES} after).",
        }


class TimestampFieldSchema(OpenApiSerializerFieldExtension):
    target_class = TimestampField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return build_basic_type(OpenApiTypes.DATETIME)
        return {"type": "string", "pattern": wire.TIMESTAMP_PATTERN, "example": "2025-03-15T10:30:00Z"}


class IdFieldSchema(OpenApiSerializerFieldExtension):
    target_class = IdField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return build_basic_type(OpenApiTypes.INT)
        return {"type": "integer", "minimum": 1, "maximum": IdField.MAX_ID}


class TextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = TextField

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "string"}
        if self.target.max_length is not None:
            schema["maxLength"] = self.target.max_length
        if direction == "request":
            # No NUL: the database cannot store it (and the field refuses it).
            schema["pattern"] = self.target.pattern or wire.TEXT_PATTERN
            if not self.target.allow_blank and self.target.pattern is None:
                schema["minLength"] = 1
        return schema
