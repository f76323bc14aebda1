"""Every page in the signed-in trader's time zone: times shown, dates entered and day boundaries
(journal/zones.py)."""

from zoneinfo import ZoneInfo

from django.utils import timezone

from core.middleware import outage_response
from journal.zones import zone_of


class TraderZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The API's answers are in UTC whatever the zone (core.renderers.format_timestamp).
        user = getattr(request, "user", None)
        try:
            zone = zone_of(user) if user is not None and user.is_authenticated else None
        except Exception as exc:  # the session, the user or the profile: the database read here first
            response = outage_response(request, exc)
            if response is None:
                raise
            return response
        if zone is not None:
            timezone.activate(ZoneInfo(zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
