"""Puts X-RateLimit-Limit and X-RateLimit-Remaining on every response the key's limit counted."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class RateLimitHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        rate_limit = getattr(request, "rate_limit", None)
        if rate_limit is not None:
            response["X-RateLimit-Limit"] = str(rate_limit[0])
            response["X-RateLimit-Remaining"] = str(rate_limit[1])
        return response
