"""The trade as the API shows and accepts it, with the contract's validation messages."""

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from rest_framework import serializers

from journal.models import MONEY, Account, Side, Trade, normalize_instrument, split_tag_names, tag_order
from journal.tagging import trade_set_tags
from tradejournal import fields, wire
from tradejournal.renderers import format_timestamp

READ_ONLY_FIELDS = ("id", "pnl", "net_pnl")
# The reference's keys in its order, then ours: new keys only ever go at the end.
OUTPUT_FIELDS = (
    "id", "instrument", "side", "quantity", "entry_time", "entry_price", "exit_time", "exit_price", "pnl",
    "net_pnl", "commission", "setup_type", "notes", "stop_loss", "take_profit", "account", "tags", "multiplier",
    "initial_risk",
)  # fmt: skip
# The model attribute behind an output key, where they differ (tags are read apart).
ATTRIBUTES = {name: name for name in OUTPUT_FIELDS if name != "tags"} | {"account": "account_id"}
REQUIRED_FIELDS = ("instrument", "side", "quantity", "entry_time", "entry_price")
# A symbol: printable ASCII without spaces (upper-casing it never changes its length).
INSTRUMENT_PATTERN = r"^[!-~]{1,32}$"
INSTRUMENT_MESSAGE = (
    "The instrument must be a symbol of ASCII letters, digits and punctuation without spaces, e.g. BTCUSDT."
)


def required(name: str) -> dict[str, str]:
    message = f"The {name} field is required."
    return {"required": message, "null": message, "blank": message}


def positive_price(name: str, **kwargs) -> fields.DecimalField:
    message = f"The {name} must be greater than 0."
    return fields.DecimalField(
        positive=True, error_messages={"positive": message, "too_small": message, **required(name)}, **kwargs
    )


# A name: 1 to 64 characters, no control characters, no space at either end (so a name read
# back from a comma-separated filter, spaces trimmed, is the name). Tag names have no commas.
NAME_PATTERN = r"^[^\x00-\x20\x7f](?:[^\x00-\x1f\x7f]{0,62}[^\x00-\x20\x7f])?$"
TAG_NAME_PATTERN = r"^[^\x00-\x20\x7f,](?:[^\x00-\x1f\x7f,]{0,62}[^\x00-\x20\x7f,])?$"
MAX_TAGS_PER_TRADE = 50


def name_field(name: str, *, pattern: str = NAME_PATTERN, rule: str = "", **kwargs) -> fields.TextField:
    message = f"The {name} must be 1 to 64 characters, without control characters{rule} or a space at either end."
    errors = {**required(name), "pattern": message, "blank": message}
    return fields.TextField(max_length=64, pattern=pattern, error_messages=errors, **kwargs)


def tag_name_field(**kwargs) -> fields.TextField:
    return name_field("tag name", pattern=TAG_NAME_PATTERN, rule=", commas", **kwargs)


def timestamp(name: str, **kwargs) -> fields.TimestampField:
    range_message = f"The {name} must be between {wire.FIRST_YEAR} and {wire.LAST_YEAR}."
    return fields.TimestampField(error_messages={"out_of_range": range_message, **required(name)}, **kwargs)


class StrictModelSerializer(serializers.ModelSerializer):
    """Unknown fields are an error; those in `ignored_fields` (read-only keys a client may echo
    back from a GET) are ignored."""

    ignored_fields: tuple[str, ...] = ()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            # Anything else unknown is a mistake worth reporting, not silently dropping.
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class TradeListSerializer(serializers.ListSerializer):
    """A page of trades as value rows, whose tag names came with them (TradeQuerySet.with_tag_names)."""

    def to_representation(self, data) -> list[dict]:
        return [self.child.represent(row, split_tag_names(row["tag_names"])) for row in data]


class TradeSerializer(StrictModelSerializer):
    """A trade: the reference's fields, then its account, tags, multiplier and initial risk."""

    instrument = fields.TextField(
        max_length=32, pattern=INSTRUMENT_PATTERN,
        error_messages={"pattern": INSTRUMENT_MESSAGE, **required("instrument")},
    )  # fmt: skip
    side = serializers.ChoiceField(
        choices=Side.choices, error_messages={"invalid_choice": "The side must be long or short.", **required("side")}
    )
    quantity = positive_price("quantity")
    entry_time = timestamp("entry_time")
    entry_price = positive_price("entry_price")
    exit_time = timestamp("exit_time", required=False, allow_null=True)
    exit_price = positive_price("exit_price", required=False, allow_null=True)
    stop_loss = positive_price("stop_loss", required=False, allow_null=True)
    take_profit = positive_price("take_profit", required=False, allow_null=True)
    commission = fields.DecimalField(
        positive=False, required=False, error_messages={"non_negative": "The commission must be at least 0."}
    )
    setup_type = fields.TextField(max_length=64, required=False, allow_blank=True)
    notes = fields.TextField(max_length=10_000, required=False, allow_blank=True)
    pnl = serializers.DecimalField(**MONEY, read_only=True, allow_null=True)
    net_pnl = serializers.DecimalField(**MONEY, read_only=True, allow_null=True)
    account = fields.IdField(
        required=False, allow_null=True, help_text="The id of one of your accounts; null for none (USD)"
    )
    tags = serializers.ListField(
        child=tag_name_field(), required=False, max_length=MAX_TAGS_PER_TRADE,
        help_text="Tag names, sorted. On write, the trade's whole set: names are matched to your tags in any "
        "case, and unknown ones are created.",
    )  # fmt: skip
    multiplier = positive_price(
        "multiplier", required=False, help_text="Point value: pnl = price difference x quantity x multiplier"
    )
    initial_risk = positive_price(
        "initial_risk", required=False, allow_null=True, help_text="Money at risk when the trade was opened"
    )

    # What a client may echo back from a GET (a GET body sent as a PUT): ignored, not an error.
    ignored_fields = READ_ONLY_FIELDS

    class Meta:
        model = Trade
        fields = OUTPUT_FIELDS
        read_only_fields = READ_ONLY_FIELDS
        list_serializer_class = TradeListSerializer

    def to_representation(self, trade: Trade) -> dict:
        values = {attribute: getattr(trade, attribute) for attribute in ATTRIBUTES.values()}
        return self.represent(values, sorted(trade.tags.values_list("name", flat=True), key=tag_order))

    @staticmethod
    def represent(values: Mapping, tags: list[str]) -> dict:
        """The trade's output shape, from its attributes' values (a model's, or a page's value rows).

        The trade list's hot path: values read directly rather than through DRF's per-field
        machinery, which cost more than the rest of a page together (profiled). The formats are
        the API's own: decimals by the renderer, timestamps by format_timestamp."""
        row = {
            name: format_timestamp(value) if isinstance(value, datetime) else value
            for name, attribute in ATTRIBUTES.items()
            for value in (values[attribute],)
        }
        row["tags"] = tags
        return {name: row[name] for name in OUTPUT_FIELDS}

    def validate_instrument(self, value: str) -> str:
        return normalize_instrument(value)

    def validate_account(self, value: int | None) -> Account | None:
        if value is None:
            return None
        # Another trader's account is no account of yours: the same answer as one that doesn't exist.
        account = Account.objects.owned_by(self.context["request"].user).filter(pk=value).first()
        if account is None:
            raise serializers.ValidationError("You have no account with this id.")
        return account

    def validate(self, attrs: dict) -> dict:
        # A PATCH is checked against the trade as it will be, not only the fields it sends.
        fields = ("entry_time", "exit_time", "exit_price")
        current = self.instance if self.partial and self.instance is not None else None
        merged = {field: getattr(current, field, None) for field in fields}
        merged.update({k: v for k, v in attrs.items() if k in merged})
        errors: dict[str, list[str]] = {}
        if merged["exit_time"] is not None and merged["exit_price"] is None:
            errors["exit_price"] = ["The exit_price field is required when exit_time is present."]
        if merged["exit_price"] is not None and merged["exit_time"] is None:
            errors["exit_time"] = ["The exit_time field is required when exit_price is present."]
        if merged["exit_time"] is not None and merged["entry_time"] and merged["exit_time"] < merged["entry_time"]:
            errors["exit_time"] = ["The exit_time must be a date after or equal to entry_time."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def create(self, validated_data: dict) -> Trade:
        tags = validated_data.pop("tags", [])
        if not tags:
            return super().create(validated_data)  # one INSERT: no transaction to open
        with transaction.atomic():
            trade = super().create(validated_data)
            trade_set_tags(trade=trade, names=tags)
        return trade

    def update(self, instance: Trade, validated_data: dict) -> Trade:
        # PUT replaces the trade: what the body leaves out goes back to its default (no tags).
        tags = validated_data.pop("tags", None if self.partial else [])
        if not self.partial:
            for name, field in self.fields.items():
                if not field.read_only and name not in validated_data and name != "tags":
                    validated_data[name] = Trade._meta.get_field(name).get_default()
        for name, value in validated_data.items():
            setattr(instance, name, value)
        with transaction.atomic():
            # Only the columns this request sets: a concurrent change of other fields is kept, and
            # an UPDATE that finds no row fails instead of inserting the trade again.
            instance.save(update_fields=[*validated_data, "updated_at"])
            if tags is not None:
                trade_set_tags(trade=instance, names=tags)
        return instance


class TradeCreatedSerializer(serializers.ModelSerializer):
    """The reference's 201 body."""

    message = serializers.SerializerMethodField()

    class Meta:
        model = Trade
        fields = ("id", "instrument", "side", "entry_price", "message")

    def get_message(self, trade: Trade) -> str:
        return "Trade created"


def figure(**kwargs) -> serializers.DecimalField:
    """A reported figure, to the cent. Unbounded in the schema: a sum or a ratio over a journal has
    no bound a trade's own limits would give it (one trade's P&L alone reaches 10^36)."""
    return serializers.DecimalField(max_digits=None, decimal_places=2, **kwargs)


class StatsSerializer(serializers.Serializer):
    """The shape of GET /api/v1/stats (the figures come from journal.stats)."""

    total_trades = serializers.IntegerField(help_text="Closed trades")
    win_rate = figure(allow_null=True, help_text="wins / total_trades x 100")
    net_pnl = figure()
    profit_factor = figure(allow_null=True, help_text="gross_profit / gross_loss; null without losses")
    gross_profit = figure()
    gross_loss = figure(help_text="Magnitude of the sum of losses (positive)")
    avg_win = figure(allow_null=True)
    avg_loss = figure(allow_null=True, help_text="Negative")
    best_trade = figure(allow_null=True)
    worst_trade = figure(allow_null=True)
    wins = serializers.IntegerField()
    losses = serializers.IntegerField()
    breakeven = serializers.IntegerField()
    open_trades = serializers.IntegerField()
    total_commission = figure(help_text="Commission of the closed trades")
    expectancy = figure(allow_null=True, help_text="net_pnl / total_trades")
    currency = serializers.CharField(help_text="ISO 4217 code of every figure above (the trades' one currency)")
