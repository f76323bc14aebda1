"""Money in different currencies is never added: which trades are in a currency, and the one
currency a set of trades is in (or a 422 naming the currencies found and the filters that fix it).

A trade's currency is its account's (DEFAULT_CURRENCY without an account).
"""

from collections.abc import Mapping

from django.db.models import QuerySet

from core.exceptions import UnprocessableEntity
from journal.models import DEFAULT_CURRENCY, Account


def mixed_currencies_message(currencies: list[str]) -> str:
    return (
        f"These trades are in several currencies ({', '.join(currencies)}), which are never added together: "
        f"filter by account or currency (e.g. currency={currencies[0]})."
    )


def in_currency(trades: QuerySet, currency: str, *, accounts: QuerySet) -> QuerySet:
    """The trades of `trades` in `currency`; `accounts` holds (at least) every account they can be in.

    Written as a small subquery on the accounts rather than a join: the trades' indexes carry
    account_id, so the big side stays an index-only scan (see bench/README.md).
    """
    if currency == DEFAULT_CURRENCY:
        # Trades without an account are in the default currency too.
        return trades.exclude(account__in=accounts.exclude(currency=currency).values("pk"))
    return trades.filter(account__in=accounts.filter(currency=currency).values("pk"))


def single_currency(trades: QuerySet, *, user, filters: Mapping | None = None) -> str:
    """The currency of `trades` (all of them the owner's); UnprocessableEntity if they span several.

    `filters` are the trade filters' values (journal.filters.TradeFilter) that selected `trades`:
    a `currency` filter settles it without a query, and an `account` filter narrows the candidates
    to those accounts' currencies. Otherwise it costs one small query on the owner's accounts, and
    only when they could hold trades in several currencies a second, over the trades' distinct
    accounts.
    """
    filters = filters or {}
    if filters.get("currency"):
        return filters["currency"]
    by_account = dict(Account.objects.owned_by(user).order_by().values_list("id", "currency"))
    if filters.get("account"):
        possible = {by_account[pk] for pk in filters["account"] if pk in by_account}
    else:
        possible = {*by_account.values(), DEFAULT_CURRENCY}
    if len(possible) > 1:
        possible = {by_account.get(account_id, DEFAULT_CURRENCY) for account_id in _accounts_used(trades)}
    if len(possible) > 1:
        raise UnprocessableEntity(mixed_currencies_message(sorted(possible)))
    return possible.pop() if possible else DEFAULT_CURRENCY


def _accounts_used(trades: QuerySet) -> list[int | None]:
    return list(trades.order_by().values_list("account_id", flat=True).distinct())
