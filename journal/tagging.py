"""Tags by name: a trader's tags for the names a client sends, the new ones created, race-free."""

from collections.abc import Sequence

from core import versions
from journal.models import Tag, Trade


def tags_get_or_create(*, user_id: int, names: Sequence[str]) -> list[Tag]:
    """The owner's tags called `names` (matched in any case), creating the missing ones with the
    case they were sent in. One query when they all exist.

    Two requests creating the same name at once: the unique constraint lets one insert win, the
    other skips the row (ON CONFLICT DO NOTHING / INSERT OR IGNORE) and reads the winner's tag.
    """
    if not names:
        return []
    found = list(Tag.objects.filter(user_id=user_id).named(names))
    known = {tag.name.lower() for tag in found}
    missing = {name.lower(): name for name in reversed(names) if name.lower() not in known}
    if not missing:
        return found
    # In one order (by name), as an import creates its own: two creators of the same new names never
    # wait for each other in turn.
    new = [Tag(user_id=user_id, name=missing[key]) for key in sorted(missing)]
    Tag.objects.bulk_create(new, ignore_conflicts=True)
    return list(Tag.objects.filter(user_id=user_id).named(names))


def trade_set_tags(*, trade: Trade, names: Sequence[str]) -> None:
    """The trade carries exactly the tags called `names` (new names become the owner's tags)."""
    trade.tags.set(tags_get_or_create(user_id=trade.user_id, names=names))
    versions.changed(trade.user_id)
