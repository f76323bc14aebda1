"""Money in different currencies is never added: the one currency a set of trades is in, or a 422.

A trade's currency is its account's (DEFAULT_CURRENCY without an account).
"""

from django.db.models import QuerySet

from journal.models import DEFAULT_CURRENCY, Account
from tradejournal.errors import UnprocessableEntity


def mixed_currencies_message(currencies: list[str]) -> str:
    return (
        f"These trades are in several currencies ({', '.join(currencies)}), which are never added together: "
        "filter by account or currency."
    )


def single_currency(trades: QuerySet, *, user) -> str:
    """The currency of `trades` (all of them the owner's); UnprocessableEntity if they span several.

    Costs one small query on the owner's accounts; only an owner whose accounts are in several
    currencies pays a second, over the filtered trades' distinct accounts.
    """
    by_account = dict(Account.objects.filter(user=user).values_list("id", "currency"))
    if set(by_account.values()) <= {DEFAULT_CURRENCY}:
        return DEFAULT_CURRENCY
    found = {by_account.get(account_id, DEFAULT_CURRENCY) for account_id in _accounts_used(trades)}
    if len(found) > 1:
        raise UnprocessableEntity(mixed_currencies_message(sorted(found)))
    return found.pop() if found else DEFAULT_CURRENCY


def _accounts_used(trades: QuerySet) -> list[int | None]:
    return list(trades.order_by().values_list("account_id", flat=True).distinct())
