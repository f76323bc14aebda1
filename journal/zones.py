"""A trader's time zone, as their journal profile keeps it (UTC until they choose one): the default
`tz` of every API endpoint for their keys and the zone every page of their journal is shown in. An
explicit `tz` still wins."""

from django.contrib.auth.base_user import AbstractBaseUser

from core import zones
from journal.models import JournalProfile

# Read once a request: a page asks several questions, each defaulting to the zone.
_REMEMBERED = "_journal_time_zone"


def zone_of(user: AbstractBaseUser | None) -> str:
    """The IANA name of `user`'s zone; UTC for nobody (an anonymous request)."""
    if user is None or not user.is_authenticated:
        return zones.DEFAULT
    name = getattr(user, _REMEMBERED, None)
    if name is None:
        stored = JournalProfile.objects.filter(user=user).values_list("time_zone", flat=True).first()
        name = stored or zones.DEFAULT
        setattr(user, _REMEMBERED, name)
    return name


def time_zone_set(*, user: AbstractBaseUser, time_zone: str) -> JournalProfile:
    """Stores `time_zone` as `user`'s; ValidationError for a name that is no IANA zone."""
    zones.validate_zone(time_zone)
    profile = JournalProfile.objects.filter(user=user).first() or JournalProfile(user=user)
    profile.time_zone = time_zone
    profile.save()
    setattr(user, _REMEMBERED, time_zone)
    return profile
