"""Views that fail on purpose, to pin the error envelope independently of any endpoint."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.response import Response

from tradejournal.urls import urlpatterns as site_urlpatterns


@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def drf_get_only(request) -> Response:
    return Response({"ok": True})


@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def drf_boom(request) -> Response:
    raise RuntimeError("secret internal detail")


def django_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internal detail")


urlpatterns = [
    path("api/v1/_test/get-only", drf_get_only),
    path("api/v1/_test/boom", drf_boom),
    path("api/v1/_test/django-boom", django_boom),
    *site_urlpatterns,
]
