"""Which account each fill goes to: the `account` parameter when given; else the file's account
number matched to an account's `external_id` (a file naming its accounts only by name, like our own
export, is matched by name), the account created when new; else one default account per broker and
currency (a file of crypto pairs in several quote coins fills one account per coin: a trade's
currency is its account's, and USDT is not USD)."""

import re
from collections.abc import Sequence

from django.db import IntegrityError, transaction

from core import locks, wire
from imports.actions import NewAction
from imports.engine import Execution
from imports.models import CorporateAction
from imports.models import Execution as StoredExecution
from journal.models import DEFAULT_CURRENCY, Account, Trade

NAME_LENGTH = Account._meta.get_field("name").max_length
_CURRENCY = re.compile(rf"^{wire.CURRENCY_CODE}$")


def resolve_accounts(
    *, user, fills: Sequence[Execution | NewAction], account: Account | None, broker: str, default: bool
) -> list[int]:
    """Sets `account_id` on every fill (or corporate action) and returns the ids of the accounts it
    created.

    Fills that name no account go to the broker's default account in the currency they state (the
    owner's oldest account of that broker and currency without an account number; named after the
    broker, and its currency unless that is the default one), or with `default=False` to no account
    at all.

    The accounts the fills go to are held against deletion until the commit (their trader may still
    rename them, or delete another); one deleted after it was matched is matched again without it.
    """
    if account is not None:
        if not locks.keep_from_deletion(Account, [account.pk]):
            raise Account.DoesNotExist
        for fill in fills:
            fill.account_id = account.pk
        return []
    known = _Accounts(user, [])
    while True:
        for fill in fills:
            ref = fill.account_ref
            if ref is not None and (ref.number or ref.name):
                fill.account_id = known.find_or_create(ref.number, ref.name, ref.currency, broker)
            elif default:
                fill.account_id = known.default_for(broker, _code(ref.currency if ref is not None else None))
        used = {fill.account_id for fill in fills if fill.account_id is not None}
        if locks.keep_from_deletion(Account, used) == used:
            return known.created
        known = _Accounts(user, known.created)


def remove_unused(*, user, account_ids: list[int]) -> list[int]:
    """Deletes those of `account_ids` (accounts an import created) that hold nothing: no trade, no
    execution, no corporate action (a file whose every fill was skipped leaves none behind).
    Returns the ids kept."""
    # Locked first: a trade its trader puts in one meanwhile waits, and then the account is in use.
    list(Account.objects.filter(pk__in=account_ids).order_by("pk").select_for_update().values_list("pk"))
    used: set[int] = set()
    for model in (Trade, StoredExecution, CorporateAction):
        used |= set(model.objects.filter(account_id__in=account_ids).values_list("account_id", flat=True))
    Account.objects.filter(pk__in=set(account_ids) - used, user=user).delete()
    return [pk for pk in account_ids if pk in used]


class _Accounts:
    """The owner's accounts, loaded once; lookups by number and by name (any case). One its trader
    creates while the import runs is found when the import would create its name: then it is as if
    it had been there. `created`: the accounts this import created (so far)."""

    FIELDS = ("id", "name", "external_id", "broker", "currency")

    def __init__(self, user, created: list[int]) -> None:
        self.user = user
        self.created = created
        self.by_number: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        self.defaults: dict[tuple[str, str], int] = {}
        self._learn(Account.objects.filter(user=user))

    def _learn(self, accounts) -> int:
        """Knows these accounts; returns how many."""
        rows = list(accounts.order_by("id").values(*self.FIELDS))
        for row in rows:
            if row["external_id"] is not None:
                self.by_number[row["external_id"]] = row["id"]
            else:
                self.defaults.setdefault((row["broker"].lower(), row["currency"]), row["id"])
            self.by_name[row["name"].lower()] = row["id"]
        return len(rows)

    def find_or_create(self, number: str | None, name: str | None, currency: str | None, broker: str) -> int:
        while True:
            found = self.by_number.get(number) if number else self.by_name.get(name.lower())
            if found is None:
                found = self._create(name or f"{broker} {number}", number, currency, broker)
            if found is not None:
                return found

    def default_for(self, broker: str, currency: str | None) -> int:
        key = (broker.lower(), currency or DEFAULT_CURRENCY)
        while True:
            found = self.defaults.get(key)
            if found is None:
                name = broker if key[1] == DEFAULT_CURRENCY else f"{broker} {currency}"
                found = self._create(name, None, currency, broker)
            if found is not None:
                self.defaults[key] = found
                return found

    def _create(self, name: str, number: str | None, currency: str | None, broker: str) -> int | None:
        """The new account's id; None when its trader created one of that name or number meanwhile
        (now known: look it up again)."""
        free = self._free_name(name)
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    user=self.user, name=free, external_id=number, broker=broker,
                    currency=_code(currency) or DEFAULT_CURRENCY,
                )  # fmt: skip
        except IntegrityError:
            taken = Account.objects.filter(user=self.user).named([free])
            if number:
                taken |= Account.objects.filter(user=self.user, external_id=number)
            if not self._learn(taken):  # not a name or number taken meanwhile
                raise
            return None
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


def _code(currency: str | None) -> str | None:
    """A currency code as stored, or None for none or one that is not a code."""
    code = (currency or "").strip().upper()
    return code if _CURRENCY.match(code) else None
