"""Test data made through the real managers: users, API keys, trades, accounts and tags."""

import itertools
from datetime import UTC, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from apikeys.models import ApiKey
from apikeys.scopes import ALL_SCOPES
from journal.models import Account, Tag, Trade

_numbers = itertools.count(1)

# The reference documentation's create-a-trade example body.
REFERENCE_BODY = {
    "instrument": "BTCUSDT",
    "side": "long",
    "quantity": 0.5,
    "entry_time": "2025-03-15T10:30:00Z",
    "entry_price": 65000,
    "exit_time": "2025-03-15T14:00:00Z",
    "exit_price": 66500,
    "stop_loss": 64000,
    "take_profit": 68000,
    "commission": 1.5,
    "notes": "Strong momentum breakout",
    "setup_type": "breakout",
}


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


def make_trade(user, **fields):
    """A trade through the real model (so pnl is computed by it); closed long BTCUSDT by default."""
    values = {
        "instrument": "BTCUSDT",
        "side": "long",
        "quantity": Decimal("1"),
        "entry_time": datetime(2025, 3, 15, 10, 30, tzinfo=UTC),
        "entry_price": Decimal("100"),
        "exit_time": datetime(2025, 3, 15, 14, 0, tzinfo=UTC),
        "exit_price": Decimal("110"),
        "commission": Decimal("0"),
    }
    values.update(fields)
    return Trade.objects.create(user=user, **values)


def make_account(user, name: str | None = None, **fields) -> Account:
    return Account.objects.create(user=user, name=name or f"Account {next(_numbers)}", **fields)


def make_tag(user, name: str, **fields) -> Tag:
    return Tag.objects.create(user=user, name=name, **fields)


def tag_trade(trade: Trade, *tags: Tag) -> Trade:
    trade.tags.add(*tags)
    return trade
