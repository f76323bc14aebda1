"""Views that belong to no app: the load balancer's health check and the API's unknown paths."""

import logging
from collections.abc import Callable
from functools import wraps

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework.fields import CharField
from rest_framework.response import Response
from rest_framework.views import APIView

from tradejournal.renderers import json_response

logger = logging.getLogger(__name__)

# For API views anyone may call: no key, no scope, no per-key rate limit.
PUBLIC = {"authentication_classes": [], "permission_classes": [], "throttle_classes": []}


# The docs pages may load nothing from outside: Redoc's bundle, for one, links its logo from
# a CDN, which this policy stops in the browser before any request leaves.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'"
)


def same_origin_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response

    return wrapped


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("Health check: the database does not answer", exc_info=True)
        return json_response({"status": "unavailable", "database": "down"}, status=503)
    return json_response({"status": "ok", "database": "up"})


class PingView(APIView):
    """`GET /api/v1/ping`: a connectivity check that needs no key (and the framework's floor)."""

    authentication_classes = permission_classes = throttle_classes = ()

    @extend_schema(summary="Check connectivity", responses=inline_serializer("Pong", {"status": CharField()}))
    def get(self, request) -> Response:
        return Response({"status": "ok"})


@csrf_exempt
def api_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return json_response({"error": "Not found."}, status=404)
