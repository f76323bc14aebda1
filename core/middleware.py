"""Guarantees that no HTML error page reaches an API client, whatever raised it and in any mode;
that a database outage is a 503 to retry, not a 500, on every page; and that every request is
counted, timed and logged under its id."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from core import logs, metrics, outage
from core.errors import error_response, unavailable
from core.exceptions import INTERNAL_ERROR

API_PREFIX = "/api/"
access_logger = logging.getLogger("tradejournal.requests")
QUIET_ROUTES = frozenset({"healthz", "readyz", "metrics"})
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
            replacement = error_response(message, status=response.status_code)
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
        return outage_response(request, exc)


def outage_response(request: HttpRequest, exc: Exception) -> HttpResponse | None:
    """The 503 for an exception that is a dependency outage (None for any other): the API's JSON, or
    a page. For views (DatabaseUnavailableMiddleware), and for a middleware that reads the database
    itself (an exception raised there never reaches process_exception)."""
    if not (outage.database_unavailable(exc) or isinstance(exc, outage.DependencyUnavailable)):
        return None
    if outage.database_unavailable(exc):
        outage.database_failed(exc)
    if request.path.startswith(API_PREFIX):
        return unavailable()
    # Rendered without the request: its context (the signed-in user) would ask the database again.
    page = render_to_string("core/unavailable.html", {"retry_after": outage.RETRY_AFTER_SECONDS})
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
    return response


def route_of(request: HttpRequest) -> str:
    """The route's name (a bounded label set), not the path with its ids."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class RequestLogMiddleware:
    """Outermost: the request's id for every line logged while it runs, its metrics, its log line."""

    timer = staticmethod(time.perf_counter)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id, token = logs.begin_request(request.headers.get(logs.REQUEST_ID_HEADER, ""))
        started = self.timer()
        try:
            response = self.get_response(request)
            elapsed = self.timer() - started
            route = route_of(request)
            metrics.requests.labels(route=route, method=request.method, status=str(response.status_code)).inc()
            metrics.latency.labels(route=route, method=request.method).observe(elapsed)
            reads = getattr(request, "_replica_reads", None)
            # The load balancer's health checks, every second, are counted but not logged.
            log = access_logger.debug if route in QUIET_ROUTES else access_logger.info
            log(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 1),
                    "reads_on": reads[1] if reads else None,
                },
            )
            response[logs.REQUEST_ID_HEADER] = request_id
            return response
        finally:
            logs.end_request(token)
