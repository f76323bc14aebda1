"""Test data made through the real managers: users and API keys."""

import itertools
from datetime import datetime

from django.contrib.auth import get_user_model

from apikeys.models import ApiKey
from apikeys.scopes import ALL_SCOPES

_numbers = itertools.count(1)


def make_user(username: str | None = None, **fields):
    return get_user_model().objects.create_user(username=username or f"trader{next(_numbers)}", **fields)


def make_key(
    user=None,
    *,
    scopes: tuple[str, ...] | list[str] = ALL_SCOPES,
    name: str = "test key",
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    return ApiKey.objects.create_key(user=user or make_user(), name=name, scopes=list(scopes), expires_at=expires_at)


def bearer(key: str) -> dict[str, str]:
    """Headers for the Django test client."""
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
