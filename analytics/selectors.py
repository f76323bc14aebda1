"""The analytics as the API answers them and the web journal shows them: one selector per /stats/...
endpoint, over the owner's trades as the trade filters selected them (journal.filters, with the
filters' validated values) and the endpoint's validated parameters (analytics.params).

Each counts the closed trades, all in one currency (journal.currency: trades in several are
UnprocessableEntity), and answers with the parameters it took them with.
"""

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from analytics.breakdown import breakdown
from analytics.calendar import calendar
from analytics.equity import equity
from analytics.risk import risk
from journal.currency import single_currency
from journal.stats import CLOSED


def _closed_in_one_currency(*, owner: AbstractBaseUser, trades: QuerySet, filters: Mapping) -> QuerySet:
    closed = trades.filter(CLOSED)
    single_currency(closed, user=owner, filters=filters)
    return closed


def _one_account(filters: Mapping) -> int | None:
    """The account the `account` filter names when it names exactly one: its starting balance is
    where the equity curve starts."""
    accounts = set(filters.get("account") or ())
    return accounts.pop() if len(accounts) == 1 else None


def stats_breakdown(*, owner: AbstractBaseUser, trades: QuerySet, filters: Mapping, tz: ZoneInfo, by: str) -> dict:
    closed = _closed_in_one_currency(owner=owner, trades=trades, filters=filters)
    return {"by": by, "tz": tz.key, "data": breakdown(closed, by=by, zone=tz)}


def stats_equity(
    *, owner: AbstractBaseUser, trades: QuerySet, filters: Mapping, tz: ZoneInfo, interval: str,
    max_points: int | None = None, points_json: bool = False, with_points: bool = True,
) -> dict:  # fmt: skip
    """`points_json`: for a response only; `with_points=False`: the figures alone (analytics.equity)."""
    closed = _closed_in_one_currency(owner=owner, trades=trades, filters=filters)
    curve = equity(
        closed, interval=interval, zone=tz, account_id=_one_account(filters), user=owner, points_json=points_json,
        max_points=max_points, with_points=with_points,
    )  # fmt: skip
    return {"interval": interval, "tz": tz.key, **curve}


def stats_calendar(
    *, owner: AbstractBaseUser, trades: QuerySet, filters: Mapping, tz: ZoneInfo,
    period: tuple[datetime, datetime] | None,
) -> dict:  # fmt: skip
    closed = _closed_in_one_currency(owner=owner, trades=trades, filters=filters)
    return {"tz": tz.key, **calendar(closed, zone=tz, period=period)}


def stats_risk(*, owner: AbstractBaseUser, trades: QuerySet, filters: Mapping, tz: ZoneInfo) -> dict:
    closed = _closed_in_one_currency(owner=owner, trades=trades, filters=filters)
    return risk(closed, zone=tz, account_id=_one_account(filters), user=owner)
