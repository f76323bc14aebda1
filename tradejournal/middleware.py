"""Guarantees that no HTML error page reaches an API client, whatever raised it and in any mode;
and that a database outage is a 503 to retry, not a 500, on every page."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tradejournal import outage
from tradejournal.errors import INTERNAL_ERROR
from tradejournal.exceptions import database_unavailable
from tradejournal.renderers import json_response

API_PREFIX = "/api/"
# Headers a client needs to act on an error; everything else of the HTML page is dropped.
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining")


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            # Django's own error pages (a 500 with DEBUG on, a bad Host header, ...) are HTML.
            # Django has already logged the traceback of a 500; the client learns nothing internal.
            message = INTERNAL_ERROR if response.status_code == 500 else response.reason_phrase
            replacement = json_response({"error": message}, status=response.status_code)
            for header in _KEPT_HEADERS:
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response


class DatabaseUnavailableMiddleware:
    """Views outside the API (the dashboard, the admin): a dependency outage is a 503 page, logged once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, (*outage.DATABASE_ERRORS, outage.DependencyUnavailable)):
            return None
        if isinstance(exc, outage.DATABASE_ERRORS):
            outage.database.failed(exc)
        if request.path.startswith(API_PREFIX):
            return database_unavailable(lambda data, status: json_response(data, status=status))
        response = HttpResponse(
            "<!doctype html><title>Unavailable</title><p>The journal is briefly unavailable. Try again in a moment.",
            status=503,
        )
        response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
        return response
