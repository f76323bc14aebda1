"""Test data made through the real managers: users, API keys, trades, accounts, tags and random journals."""

import itertools
import json
import random
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apikeys.models import ApiKey
from apikeys.scopes import ALL_SCOPES
from journal.models import Account, Tag, Trade, TradeTag

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


def api_client(user) -> APIClient:
    """A client holding a new all-scope key of `user`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(user)[1]}")
    return client


def read(client, path: str) -> dict:
    """GET `path`: 200, its JSON with every number as an exact Decimal."""
    r = client.get(path)
    assert r.status_code == 200, r.content
    return json.loads(r.content, parse_float=Decimal)


def bearer(key: str) -> dict[str, str]:
    """Headers for the Django test client."""
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def form_errors(response) -> dict[str, list[str]]:
    """The messages a web journal page shows under each field: {field: [message, ...]}."""
    html = response.content.decode().replace("&#x27;", "'")
    return {
        name: re.findall(r"<li>(.*?)</li>", block)
        for name, block in re.findall(r'<div id="(\w+)-errors" class="field-errors">(.*?)</div>', html, re.S)
        if block.strip()
    }


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


# --- Random journals for the analytics (hypothesis) -------------------------------------------------

# Zones with DST, half- and quarter-hour offsets, and a 30-minute DST shift (Lord Howe).
ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham",
         "America/St_Johns"]  # fmt: skip
TAG_NAMES = ["Momentum", "fade", "A+ setup", "news"]
# Instants next to DST changes (UTC), where a day has 23 or 25 hours somewhere.
DST_CHANGES = [datetime(2025, 3, 9, 7, tzinfo=UTC), datetime(2025, 11, 2, 6, tzinfo=UTC),
               datetime(2025, 3, 30, 1, tzinfo=UTC), datetime(2025, 10, 26, 1, tzinfo=UTC),
               datetime(2025, 4, 5, 15, tzinfo=UTC)]  # fmt: skip
_START, _SPAN = datetime(2024, 1, 1, tzinfo=UTC), 3 * 365 * 86400


def random_trade_row(rng: random.Random, accounts: int = 0) -> dict:
    """A trade as sent (the model computes its P&L), closed nine times in ten, with the account
    (an index) and tags to attach. Amounts stay within the 15 significant digits SQLite keeps."""
    if rng.random() < 0.5:
        entry_time = _START + timedelta(seconds=rng.randint(0, _SPAN), microseconds=rng.choice([0, 0, 1, 500_000]))
    else:
        entry_time = rng.choice(DST_CHANGES) + timedelta(minutes=rng.randint(-180, 180))
    seconds = rng.choice([rng.randint(0, 59), rng.randint(60, 3600), rng.randint(0, 30 * 86400)])
    hold = timedelta(seconds=seconds, microseconds=rng.choice([0, 0, 250_000]))
    entry = Decimal(rng.randint(1, 500_000)) / 100
    if rng.random() < 0.1:
        exit_price, commission = entry, Decimal(0)  # breakeven
    else:
        exit_price = max(Decimal("0.01"), entry + Decimal(rng.randint(-50_000, 50_000)) / 100)
        commission = rng.choice([Decimal(0), Decimal("0.5"), Decimal("1.25"), Decimal("2.1")])
    # A stop on either side of the entry (or at it), or none; sometimes an explicit risk instead.
    stop = None if rng.random() < 0.3 else max(Decimal("0.01"), entry + Decimal(rng.randint(-30_000, 30_000)) / 100)
    closed = rng.random() < 0.9
    return {
        "instrument": rng.choice(["BTCUSDT", "es", "AAPL"]), "side": rng.choice(["long", "short"]),
        "quantity": Decimal(rng.randint(1, 5000)) / 100,
        "multiplier": rng.choice([Decimal(1), Decimal(1), Decimal(2), Decimal(50), Decimal("0.5")]),
        "entry_time": entry_time, "entry_price": entry, "exit_time": entry_time + hold if closed else None,
        "exit_price": exit_price if closed else None, "commission": commission,
        "setup_type": rng.choice(["", "breakout", "Breakout", "pullback"]), "stop_loss": stop,
        "initial_risk": Decimal(rng.randint(1, 1_000_000)) / 100 if rng.random() < 0.25 else None,
        "account": rng.randrange(accounts) if accounts else None,
        "tags": rng.sample(TAG_NAMES, rng.randint(0, 3)),
    }  # fmt: skip


def journals(accounts: int = 0) -> st.SearchStrategy[list[dict]]:
    """Journals of random_trade_row()s: small ones driven by hypothesis (a failing one shrinks), and
    large ones from a seed (hypothesis reports it), long enough for 30 trades with R and 20 days."""
    small = st.lists(st.randoms(use_true_random=False).map(lambda rng: random_trade_row(rng, accounts)), max_size=12)
    large = st.builds(_seeded, st.integers(0, 2**32 - 1), st.integers(20, 150), st.just(accounts))
    return st.one_of(small, large)


def _seeded(seed: int, size: int, accounts: int) -> list[dict]:
    rng = random.Random(seed)
    return [random_trade_row(rng, accounts) for _ in range(size)]


def make_journal(user, rows: list[dict], *, accounts: list | None = None) -> list[Trade]:
    """The rows as the user's trades, created in order (so ids follow the list), with their tags;
    a row's `account` is an index into `accounts`."""
    tags = {}
    trades = Trade.objects.bulk_create(
        Trade(user=user, **{k: v for k, v in row.items() if k not in ("account", "tags")},
              account=None if row.get("account") is None else accounts[row["account"]])
        for row in rows
    )  # fmt: skip
    links = []
    for trade, row in zip(trades, rows, strict=True):
        for name in row.get("tags", []):
            if name not in tags:
                tags[name] = Tag.objects.create(user=user, name=name)
            links.append(TradeTag(trade=trade, tag=tags[name]))
    TradeTag.objects.bulk_create(links)
    return trades


def in_cents(rows: list[dict]) -> list[dict]:
    """The rows with whole quantities and multiplier 1: every net P&L is then a whole number of
    cents, so figures rounded to the cent add up exactly."""
    for row in rows:
        row.update(multiplier=Decimal(1), quantity=Decimal(int(row["quantity"]) or 1))
    return rows


def journal_owner(rows: list[dict], *, accounts: int = 0, starting_balance: Decimal | None = None):
    """A new trader holding `rows` (a row's `account` indexes `accounts` new accounts, each with
    `starting_balance`): a client with their key, and the accounts."""
    user = make_user()
    made = [Account.objects.create(user=user, name=f"Account {i}", starting_balance=starting_balance)
            for i in range(accounts)]  # fmt: skip
    make_journal(user, rows, accounts=made)
    return api_client(user), made


def random_journal(seed: int, size: int, *, accounts: int = 0):
    """journal_owner() of `size` random_trade_row()s from `seed`: the client, the rows, the accounts."""
    rows = _seeded(seed, size, accounts)
    client, made = journal_owner(rows, accounts=accounts)
    return client, rows, made


def examples(count: int) -> settings:
    """Hypothesis settings for a test that writes a journal to the database for each example."""
    return settings(
        max_examples=count, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )  # fmt: skip
