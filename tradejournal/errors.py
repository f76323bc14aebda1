"""API exceptions of our own, beside DRF's; importable from anywhere (no rest_framework.views)."""

from rest_framework import exceptions, status

VALIDATION_FAILED = "Validation failed"
INTERNAL_ERROR = "Internal server error"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


class UnprocessableEntity(exceptions.APIException):
    """Well-formed but impossible to honour, e.g. an idempotency key reused with another body."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


class Conflict(exceptions.APIException):
    """The request is valid but the resource's state refuses it, e.g. deleting an account that holds trades."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
