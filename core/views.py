"""Views that belong to no app: the health checks (liveness and readiness) and the API's unknown paths."""

from collections.abc import Callable
from functools import wraps

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework.fields import CharField
from rest_framework.response import Response
from rest_framework.views import APIView

from core import outage
from core.errors import error_response
from core.exceptions import NOT_FOUND
from core.redis_client import shared_redis
from core.renderers import json_response

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
    """Liveness: the process answers. It asks no dependency, so an outage elsewhere never gets
    healthy workers restarted."""
    return json_response({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: every dependency answers (the database, and Redis when configured); 503 if not,
    so a load balancer sends traffic elsewhere."""
    checks = {"database": _database_up(), "redis": _redis_up() if settings.REDIS_URL else None}
    ready = all(up for up in checks.values() if up is not None)
    body = {"status": "ok" if ready else "unavailable"}
    body.update({name: "up" if up else "down" for name, up in checks.items() if up is not None})
    response = json_response(body, status=200 if ready else 503)
    if not ready:
        response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
    return response


def _database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        outage.database.failed(exc)
        return False
    outage.database.recovered()
    return True


def _redis_up() -> bool:
    if outage.redis.skip():  # failed moments ago: a frozen Redis would cost each check its timeout
        return False
    try:
        shared_redis().ping()
    except redis.RedisError as exc:
        outage.redis.failed(exc)
        return False
    outage.redis.recovered()
    return True


class PingView(APIView):
    """`GET /api/v1/ping`: a connectivity check that needs no key (and the framework's floor)."""

    authentication_classes = permission_classes = throttle_classes = ()

    @extend_schema(summary="Check connectivity", responses=inline_serializer("Pong", {"status": CharField()}))
    def get(self, request) -> Response:
        return Response({"status": "ok"})


@csrf_exempt
def api_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return error_response(NOT_FOUND, status=404)
