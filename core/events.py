"""Journal events: what happened to a trader's records, announced inside the transaction that did it.

The apps that change records (the journal, imports) call `announce`; the apps that act on events
(webhooks) connect to `announced`. Receivers run at once, in the caller's transaction, so what they
record commits or rolls back with the change itself: the kernel hook keeps the layers one way (the
journal never imports what listens to it)."""

from collections.abc import Callable

from django.dispatch import Signal

TRADE_CREATED = "trade.created"
TRADE_UPDATED = "trade.updated"
TRADE_DELETED = "trade.deleted"
IMPORT_SUCCEEDED = "import.succeeded"
IMPORT_FAILED = "import.failed"
IMPORT_UNDONE = "import.undone"
EVENTS = (TRADE_CREATED, TRADE_UPDATED, TRADE_DELETED, IMPORT_SUCCEEDED, IMPORT_FAILED, IMPORT_UNDONE)

# Sent with `sender` the event type, `user_id` the owner, and `data`: a callable returning the object
# as the API shows it (called only when someone wants the event, so an unheard change costs nothing);
# `many=True` when it returns a list of them, one event each (announce_each).
announced = Signal()


def announce(*, user_id: int, type: str, data: Callable[[], dict | None]) -> None:
    """Tells the listeners that `type` happened to one of `user_id`'s records. Call it inside the
    write's transaction; `data()` may return None when the record is gone (nothing is announced)."""
    announced.send(sender=type, user_id=user_id, data=data)


def announce_each(*, user_id: int, type: str, data: Callable[[], list[dict]]) -> None:
    """As `announce`, for a write that changes many records at once (a bulk create or edit): `data()`
    returns each one's object, one event each, recorded together rather than one at a time."""
    announced.send(sender=type, user_id=user_id, data=data, many=True)
