"""API keys remembered by each worker process, trusted only while nothing about keys has changed.

A shared *key-set version* (a counter in Redis) moves whenever anything that decides whether a
key authenticates changes: a key revoked, edited (scopes, expiry) or deleted, its owner
deactivated or deleted. Every authenticated request reads the version in the same Redis round
trip as its rate-limit counter (apikeys/admission.py), and a remembered key is used only if it
was loaded under the version read now. So a change takes effect on the very next request, on
every worker, while the common request touches no database.

A change bumps the version before its transaction commits, so that one made while Redis is
unreachable fails loudly instead of going unnoticed, and again after it commits, so that a
worker that reloaded the key in between does not keep the old row under the new version. Keys
are also forgotten after MAX_AGE, a bound on how long a lost bump (Redis failing between the
commit and the second bump) could matter. When Redis can't be read, requests read their key from
the database, as they do without Redis.
"""

import threading
import time
from collections import OrderedDict

import redis
from django.conf import settings
from django.db import transaction

from core.outage import DependencyUnavailable
from core.redis_client import shared_redis

VERSION_KEY = "apikeys:keyset-version"
MAX_AGE = 60.0
MAX_KEYS = 10_000

_remembered: OrderedDict[str, tuple[object, int, float]] = OrderedDict()
_lock = threading.Lock()
timer = time.monotonic


class KeysetUnavailable(DependencyUnavailable):
    """A change to keys can't be announced to the other workers (Redis unreachable)."""


def remembered(prefix: str, version: int):
    """The key loaded for `prefix` under `version`, if any and not too old."""
    with _lock:
        entry = _remembered.get(prefix)
        if entry is None:
            return None
        api_key, loaded_under, loaded_at = entry
        if loaded_under != version or timer() - loaded_at > MAX_AGE:
            del _remembered[prefix]
            return None
        _remembered.move_to_end(prefix)
        return api_key


def owner_of(prefix: str) -> int | None:
    """The user id of the key remembered for `prefix`, whatever version it was loaded under."""
    entry = _remembered.get(prefix)
    return None if entry is None else entry[0].user_id


def remember(prefix: str, api_key, version: int) -> None:
    with _lock:
        _remembered[prefix] = (api_key, version, timer())
        _remembered.move_to_end(prefix)
        while len(_remembered) > MAX_KEYS:
            _remembered.popitem(last=False)


def forget_all() -> None:
    with _lock:
        _remembered.clear()


def keyset_changed() -> None:
    """Call inside the transaction that changes a key or its owner (see the module's docstring)."""
    if not settings.REDIS_URL:
        return
    _bump(strict=True)
    transaction.on_commit(lambda: _bump(strict=False))


def owner_changed(sender, instance, created: bool = False, update_fields=None, **kwargs) -> None:
    """A key's owner saved or deleted (connected in apps.py); signing in only records last_login."""
    if not created and set(update_fields or ["*"]) != {"last_login"}:
        keyset_changed()


def _bump(*, strict: bool) -> None:
    try:
        shared_redis().incr(VERSION_KEY)
    except redis.RedisError as exc:
        if strict:
            raise KeysetUnavailable("Redis is unreachable: key changes can't take effect everywhere now") from exc
