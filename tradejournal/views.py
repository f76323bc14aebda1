"""Views that belong to no app: the load balancer's health check and the API's unknown paths."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from tradejournal.renderers import json_response

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("Health check: the database does not answer", exc_info=True)
        return json_response({"status": "unavailable", "database": "down"}, status=503)
    return json_response({"status": "ok", "database": "up"})


@csrf_exempt
def api_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return json_response({"error": "Not found."}, status=404)
