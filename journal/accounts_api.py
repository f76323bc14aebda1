"""/api/v1/accounts: the trader's brokerage and prop accounts; one still holding trades can't be deleted."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from journal.models import DEFAULT_CURRENCY, Account
from journal.owned_api import NamedResourceViewSet, UniqueNamesSerializer
from journal.serializers import name_field
from journal.writes import ACCOUNT_HOLDS_TRADES, account_delete
from tradejournal import fields

CURRENCY_PATTERN = r"^[A-Za-z]{3}$"


class AccountSerializer(UniqueNamesSerializer):
    """A brokerage or prop account; its currency is the currency of the trades in it."""

    id = fields.IdField(read_only=True)
    name = name_field("name")
    broker = fields.TextField(max_length=64, required=False, allow_blank=True, help_text="e.g. Interactive Brokers")
    external_id = name_field(
        "external_id", required=False, allow_null=True, help_text="The broker's account number; unique among yours"
    )
    currency = fields.TextField(
        max_length=3, pattern=CURRENCY_PATTERN, required=False,
        error_messages={"pattern": "The currency must be a three-letter ISO 4217 code, e.g. USD."},
        help_text=f"ISO 4217 code (any case in, upper case out): the currency of this account's trades. "
        f"Default {DEFAULT_CURRENCY}.",
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


@extend_schema_view(
    list=extend_schema(summary="List accounts", description="Your accounts, by name."),
    create=extend_schema(summary="Create an account"),
    retrieve=extend_schema(summary="Get an account"),
    partial_update=extend_schema(summary="Update an account", description="Changes the given fields."),
    destroy=extend_schema(summary="Delete an account", description="Only an account without trades."),
)
class AccountViewSet(NamedResourceViewSet):
    model = Account
    serializer_class = AccountSerializer
    conflicts = {"DELETE": ACCOUNT_HOLDS_TRADES}

    def perform_destroy(self, account: Account) -> None:
        account_delete(account=account)
