"""Time zones: which names a trader may give (every IANA zone), and the zone the database is handed
for one, so that PostgreSQL and SQLite take dates, hours and periods in it exactly as Python does."""

import re
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError

DEFAULT = "UTC"
# "localtime" is whatever each machine is set to, and "Factory" no zone at all: neither names a place.
NAMES = sorted(available_timezones() - {"localtime", "Factory"})
_NAMES = frozenset(NAMES)
UNKNOWN = 'Unknown time zone "{input}": use an IANA name such as America/New_York.'

# PostgreSQL reads these names as abbreviations of a fixed offset, without the summer time the zones
# keep; the database is given the zone IANA itself makes each name a link to since tzdata 2024b
# (the same rules since 1996, before any trade a journal holds).
_LINKED = {"CET": "Europe/Brussels", "MET": "Europe/Brussels", "EET": "Europe/Athens", "WET": "Europe/Lisbon"}
# Django reads a name ending in a sign and digits as a zone plus an offset, and so turns Etc/GMT+10
# (UTC-10) and its like around: the database is given the fixed offset itself.
_FIXED = re.compile(r"^Etc/GMT[+-]\d+$")


def in_database(zone: tzinfo) -> tzinfo:
    """The zone to give Django's date functions (Trunc, Extract) for `zone` (a fixed offset as it is)."""
    name = getattr(zone, "key", None)
    if name in _LINKED:
        return ZoneInfo(_LINKED[name])
    if name and _FIXED.match(name):
        return timezone(zone.utcoffset(datetime(2000, 1, 1)) or timedelta(0))
    return zone


def is_zone(name: str) -> bool:
    return name in _NAMES


def validate_zone(name: str) -> None:
    """A model field's validator: `name` is a zone a trader may give."""
    if not is_zone(name):
        raise ValidationError(UNKNOWN.format(input=name), code="unknown")
