"""The API's one error envelope, `{"error": "...", "details": {...}}`: built by `error_body`, for
every error whatever raised it — DRF's exception handler, the middleware that replaces Django's
HTML pages, the chunked-body refusal, the API's unknown paths and the schema's examples."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core import outage
from core.exceptions import (
    INTERNAL_ERROR,
    MAX_DETAILS,
    MORE_FIELDS,
    NON_FIELD_ERRORS,
    NOT_FOUND,
    TOO_MANY_PARAMETERS,
    VALIDATION_FAILED,
    PayloadTooLarge,
)
from core.renderers import json_response

logger = logging.getLogger("tradejournal.api")


def error_body(message: str, details: dict[str, list[str]] | None = None) -> dict:
    """The body of every error the API answers."""
    body = {"error": str(message)}
    if details is not None:
        body["details"] = details
    return body


def error_response(message: str, *, status: int, details: dict[str, list[str]] | None = None) -> HttpResponse:
    """An error answered outside DRF (middleware, plain Django views), rendered as the API renders."""
    return json_response(error_body(message, details), status=status)


def as_details(detail) -> dict[str, list[str]]:
    """DRF's error detail as the contract's {"field": ["message", ...]}: the first MAX_DETAILS fields,
    and the number of the others in `non_field_errors`."""
    details = _flat_details(detail)
    fields = [name for name in details if name != NON_FIELD_ERRORS]
    if len(fields) <= MAX_DETAILS:
        return details
    bounded = {name: details[name] for name in fields[:MAX_DETAILS]}
    more = MORE_FIELDS.format(count=len(fields) - MAX_DETAILS)
    bounded[NON_FIELD_ERRORS] = [*details.get(NON_FIELD_ERRORS, []), more]
    return bounded


def _flat_details(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for field, value in detail.items():
            if isinstance(value, dict):
                for sub, messages in _flat_details(value).items():
                    out[f"{field}.{sub}"] = messages
            elif isinstance(value, list):
                out[str(field)] = [str(m) for m in _flatten(value)]
            else:
                out[str(field)] = [str(value)]
        return out
    return {NON_FIELD_ERRORS: [str(m) for m in _flatten(detail if isinstance(detail, list) else [detail])]}


def _flatten(items: list) -> list:
    flat = []
    for item in items:
        if isinstance(item, list):
            flat.extend(_flatten(item))
        elif isinstance(item, dict):
            flat.extend(m for messages in _flat_details(item).values() for m in messages)
        else:
            flat.append(item)
    return flat


def api_exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception a view raises becomes the envelope."""
    if outage.database_unavailable(exc):
        outage.database_failed(exc)
        set_rollback()
        return unavailable(Response)
    if isinstance(exc, outage.DependencyUnavailable):
        set_rollback()
        return unavailable(Response, message=outage.DEPENDENCY_UNAVAILABLE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        # Over DATA_UPLOAD_MAX_NUMBER_FIELDS query parameters: a query no filter can use.
        exc = exceptions.ValidationError({"query": [TOO_MANY_PARAMETERS]})

    response = drf_exception_handler(exc, context)
    if response is None:
        # Unhandled: log the traceback for the operator, tell the client nothing internal.
        logger.error("Unhandled exception in %s", context.get("view"), exc_info=exc)
        set_rollback()
        return Response(error_body(INTERNAL_ERROR), status=status.HTTP_500_INTERNAL_SERVER_ERROR)

    if isinstance(exc, exceptions.ValidationError):
        response.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
        response.data = error_body(VALIDATION_FAILED, as_details(exc.detail))
    else:
        response.data = error_body(exc.detail if isinstance(exc, exceptions.APIException) else exc)
    return response


def unavailable(response_class=None, message: str = outage.DATABASE_UNAVAILABLE):
    """503 with Retry-After; `response_class` is DRF's Response in the API, else a plain JSON response."""
    if response_class is None:
        response = error_response(message, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    else:
        response = response_class(error_body(message), status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
    return response


class ErrorSerializer(serializers.Serializer):
    """The envelope as the schema shows it."""

    error = serializers.CharField()


class ValidationErrorSerializer(ErrorSerializer):
    # Absent only when the request is refused as a whole (an Idempotency-Key reused with another body).
    details = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
