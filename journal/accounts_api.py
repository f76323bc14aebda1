"""/api/v1/accounts: the trader's brokerage and prop accounts; one still holding trades can't be deleted."""

from core import fields, wire
from journal.models import DEFAULT_CURRENCY, Account
from journal.owned_api import NamedResourceViewSet, UniqueNamesSerializer, documented
from journal.serializers import name_field
from journal.writes import ACCOUNT_HOLDS_TRADES, account_delete


class AccountSerializer(UniqueNamesSerializer):
    """A brokerage or prop account; its currency is the currency of the trades in it."""

    id = fields.IdField(read_only=True)
    name = name_field("name")
    broker = fields.TextField(max_length=64, required=False, allow_blank=True, help_text="e.g. Interactive Brokers")
    external_id = name_field(
        "external_id", required=False, allow_null=True, help_text="The broker's account number; unique among yours"
    )
    currency = fields.TextField(
        max_length=6, pattern=wire.CURRENCY_PATTERN, required=False,
        error_messages={"pattern": wire.CURRENCY_MESSAGE},
        help_text=f"An ISO 4217 code or a quote asset such as USDT, 3 to 6 letters or digits (any case in, upper "
        f"case out): the currency of this account's trades. Default {DEFAULT_CURRENCY}.",
    )  # fmt: skip
    starting_balance = fields.DecimalField(
        positive=False, required=False, allow_null=True,
        error_messages={"non_negative": "The starting_balance must be at least 0."},
    )  # fmt: skip
    created_at = fields.TimestampField(read_only=True)

    ignored_fields = ("id", "created_at")

    class Meta:
        model = Account
        fields = ("id", "name", "broker", "external_id", "currency", "starting_balance", "created_at")

    def validate_currency(self, value: str) -> str:
        return value.upper()

    def unique_errors(self, attrs: dict) -> dict[str, list[str]]:
        errors = super().unique_errors(attrs)
        number = attrs.get("external_id")
        if number is not None:
            others = Account.objects.owned_by(self.context["request"].user).filter(external_id=number)
            if self.instance is not None:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                errors["external_id"] = [f"You already have an account with the number {number!r}."]
        return errors


@documented(
    Account,
    list="Your accounts, by name.",
    partial_update="Changes the given fields.",
    destroy="Only an account without trades.",
)
class AccountViewSet(NamedResourceViewSet):
    model = Account
    serializer_class = AccountSerializer
    conflicts = {"DELETE": ACCOUNT_HOLDS_TRADES}

    def perform_destroy(self, account: Account) -> None:
        account_delete(account=account)
