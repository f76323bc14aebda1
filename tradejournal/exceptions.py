"""The API's one error envelope: every error is {"error": "..."} (plus "details" for validation)."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from tradejournal import outage
from tradejournal.errors import INTERNAL_ERROR, VALIDATION_FAILED, PayloadTooLarge

logger = logging.getLogger("tradejournal.api")

TOO_MANY_PARAMETERS = "Too many query parameters."


def _as_details(detail) -> dict[str, list[str]]:
    """Flatten DRF's error detail into the contract's {"field": ["message", ...]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for field, value in detail.items():
            if isinstance(value, dict):
                for sub, messages in _as_details(value).items():
                    out[f"{field}.{sub}"] = messages
            elif isinstance(value, list):
                out[str(field)] = [str(m) for m in _flatten(value)]
            else:
                out[str(field)] = [str(value)]
        return out
    return {"non_field_errors": [str(m) for m in _flatten(detail if isinstance(detail, list) else [detail])]}


def _flatten(items: list) -> list:
    flat = []
    for item in items:
        if isinstance(item, list):
            flat.extend(_flatten(item))
        elif isinstance(item, dict):
            flat.extend(m for messages in _as_details(item).values() for m in messages)
        else:
            flat.append(item)
    return flat


def api_exception_handler(exc: Exception, context: dict) -> Response:
    if isinstance(exc, outage.DATABASE_ERRORS):
        outage.database.failed(exc)
        set_rollback()
        return database_unavailable(Response)
    if isinstance(exc, outage.DependencyUnavailable):
        set_rollback()
        return database_unavailable(Response, message=outage.DEPENDENCY_UNAVAILABLE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
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
        return Response({"error": INTERNAL_ERROR}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)

    if isinstance(exc, exceptions.ValidationError):
        response.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
        response.data = {"error": VALIDATION_FAILED, "details": _as_details(exc.detail)}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = {"error": str(detail)}
    return response


def database_unavailable(response_class, message: str = outage.DATABASE_UNAVAILABLE):
    """503 with Retry-After; `response_class` is DRF's Response in the API, a JSON HttpResponse elsewhere."""
    response = response_class({"error": message}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
    return response
