"""Which account each fill goes to: the `account` parameter when given; else the file's account
number matched to an account's `external_id` (a file naming its accounts only by name, like our own
export, is matched by name), the account created when new; else one default account per broker."""

import re

from imports.fills import NewFill
from journal.models import DEFAULT_CURRENCY, Account

NAME_LENGTH = Account._meta.get_field("name").max_length
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def resolve_accounts(*, user, fills: list[NewFill], account: Account | None, broker: str, default: bool) -> list[int]:
    """Sets `account_id` on every fill and returns the ids of the accounts it created.

    Fills that name no account go to the broker's default account (the owner's oldest account of
    that broker without an account number), or with `default=False` to no account at all.
    """
    if account is not None:
        for fill in fills:
            fill.account_id = account.pk
        return []
    known = _Accounts(user)
    for fill in fills:
        ref = fill.account_ref
        if ref is not None and (ref.number or ref.name):
            fill.account_id = known.find_or_create(ref.number, ref.name, ref.currency, broker)
        elif default:
            fill.account_id = known.default_for(broker)
    return known.created


class _Accounts:
    """The owner's accounts, loaded once; lookups by number and by name (any case)."""

    def __init__(self, user) -> None:
        self.user = user
        self.created: list[int] = []
        self.rows = list(Account.objects.filter(user=user).order_by("id").values("id", "name", "external_id", "broker"))
        self.by_number = {row["external_id"]: row["id"] for row in self.rows if row["external_id"] is not None}
        self.by_name = {row["name"].lower(): row["id"] for row in self.rows}
        self.defaults = {}
        for row in self.rows:
            if row["external_id"] is None:
                self.defaults.setdefault(row["broker"].lower(), row["id"])

    def find_or_create(self, number: str | None, name: str | None, currency: str | None, broker: str) -> int:
        found = self.by_number.get(number) if number else self.by_name.get(name.lower())
        if found is None:
            found = self._create(name or f"{broker} {number}", number, currency, broker)
        return found

    def default_for(self, broker: str) -> int:
        found = self.defaults.get(broker.lower())
        if found is None:
            found = self.defaults[broker.lower()] = self._create(broker, None, None, broker)
        return found

    def _create(self, name: str, number: str | None, currency: str | None, broker: str) -> int:
        currency = (currency or "").strip().upper()
        account = Account.objects.create(
            user=self.user,
            name=self._free_name(name),
            external_id=number,
            broker=broker,
            currency=currency if _CURRENCY.match(currency) else DEFAULT_CURRENCY,
        )
        if number:
            self.by_number[number] = account.pk
        self.by_name[account.name.lower()] = account.pk
        self.created.append(account.pk)
        return account.pk

    def _free_name(self, name: str) -> str:
        """`name`, or `name (2)`, `name (3)`, ...: names are unique per owner, ignoring case."""
        candidate, n = name[:NAME_LENGTH], 1
        while candidate.lower() in self.by_name:
            n += 1
            suffix = f" ({n})"
            candidate = name[: NAME_LENGTH - len(suffix)] + suffix
        return candidate
