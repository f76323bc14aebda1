"""The API's exceptions of our own, beside DRF's, and every error message the kernel gives, each
written once; importable from anywhere (no rest_framework.views)."""

import heapq
from collections.abc import Collection

from rest_framework import exceptions, status

from core import outage

VALIDATION_FAILED = "Validation failed"
INTERNAL_ERROR = "Internal server error"
NOT_FOUND = "Not found."
TOO_LARGE = "Request body too large."
TOO_MANY_PARAMETERS = "Too many query parameters."
UNKNOWN_FIELD = "Unknown field."
# An error names at most this many fields and counts the rest in one message, so that a body with
# thousands of bad fields gets a short answer, not a line for each (core/errors.py `as_details`).
MAX_DETAILS = 20
NON_FIELD_ERRORS = "non_field_errors"
MORE_FIELDS = "And {count:,} more fields with errors."
MORE_UNKNOWN_FIELDS = "And {count:,} more unknown fields."


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = TOO_LARGE
    default_code = "payload_too_large"


class UnprocessableEntity(exceptions.APIException):
    """Well-formed but impossible to honour, e.g. an idempotency key reused with another body."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


class ServiceUnavailable(exceptions.APIException):
    """Not now, but soon: the handler turns `wait` into Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Service temporarily unavailable; retry shortly."
    default_code = "unavailable"

    def __init__(self, detail: str | None = None, *, wait: int = outage.RETRY_AFTER_SECONDS):
        super().__init__(detail)
        self.wait = wait


class Conflict(exceptions.APIException):
    """The request is valid but the resource's state refuses it, e.g. deleting an account that holds trades."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the resource's current state."
    default_code = "conflict"


def unknown_fields(names: Collection[str]) -> exceptions.ValidationError:
    """The 422 for body fields no serializer reads: the first MAX_DETAILS in sorted order named, with
    the one message, the rest counted (without building an error for each)."""
    detail = {name: [UNKNOWN_FIELD] for name in heapq.nsmallest(MAX_DETAILS, names)}
    if len(names) > MAX_DETAILS:
        detail[NON_FIELD_ERRORS] = [MORE_UNKNOWN_FIELDS.format(count=len(names) - MAX_DETAILS)]
    return exceptions.ValidationError(detail)
