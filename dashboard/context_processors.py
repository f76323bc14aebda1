"""Template context every page shares."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from dashboard.urls import MENU


def signup(request: HttpRequest) -> dict:
    return {"signup_enabled": settings.SIGNUP_ENABLED}


def menu(request: HttpRequest) -> dict:
    """The journal's menu (dashboard.urls.MENU) for a signed-in trader, the current page marked."""
    user = getattr(request, "user", None)  # None on the API's public pages (no authentication)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    here = (request.resolver_match.url_name if request.resolver_match else None) or ""
    return {
        "menu": [
            {"url": reverse(name), "label": label, "current": here.startswith(current_on) if current_on else False}
            for name, label, current_on in MENU
        ]
    }
