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


class ServiceUnavailable(exceptions.APIException):
    """Not now, but soon: DRF's handler turns `wait` into Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Service temporarily unavailable; retry shortly."
    default_code = "unavailable"

    def __init__(self, detail: str | None = None, *, wait: int = 5):
        super().__init__(detail)
        self.wait = wait


class Conflict(exceptions.APIException):
    """The request is valid but the resource's state refuses it, e.g. deleting an account that holds trades."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the resource's current state."
    default_code = "conflict"
