"""Template context every page shares."""

from django.conf import settings
from django.http import HttpRequest


def signup(request: HttpRequest) -> dict:
    return {"signup_enabled": settings.SIGNUP_ENABLED}
