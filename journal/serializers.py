"""The trade as the API shows and accepts it, with the contract's validation messages."""

import copy
from collections.abc import Mapping
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import QuerySet
from rest_framework import serializers

from core import events, fields, wire
from core.renderers import format_timestamp
from core.serializers import StrictModelSerializer
from journal import instruments, multipliers
from journal.models import (
    MONEY,
    Account,
    Side,
    Trade,
    realized_pnl,
    split_tag_names,
    tag_order,
)
from journal.pagination import plain_rows
from journal.tagging import trade_set_tags

READ_ONLY_FIELDS = ("id", "pnl", "net_pnl", "realized_pnl")
# The reference's keys in its order, then ours: new keys only ever go at the end.
OUTPUT_FIELDS = (
    "id", "instrument", "side", "quantity", "entry_time", "entry_price", "exit_time", "exit_price", "pnl",
    "net_pnl", "commission", "setup_type", "notes", "stop_loss", "take_profit", "account", "tags", "multiplier",
    "initial_risk", "realized_pnl",
)  # fmt: skip
# The model attribute behind an output key, where they differ (tags and realized_pnl are worked out apart).
ATTRIBUTES = {name: name for name in OUTPUT_FIELDS if name not in ("tags", "realized_pnl")} | {"account": "account_id"}
# What a trade's output is made from: its attributes, and what its realized P&L is worked out from.
COLUMNS = (*ATTRIBUTES.values(), "fills_realized_pnl")


def trade_rows(queryset: QuerySet, page_ids: QuerySet) -> QuerySet:
    """A list page's trades (journal.pagination.page_of) as TradeSerializer reads them: plain
    values with each trade's tag names, not model instances (building 25 models cost more than the
    page's query)."""
    return plain_rows(queryset, page_ids).with_tag_names().values(*COLUMNS, "tag_names")


REQUIRED_FIELDS = ("instrument", "side", "quantity", "entry_time", "entry_price")


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


class TradeListSerializer(serializers.ListSerializer):
    """A page of trades as value rows, whose tag names came with them (TradeQuerySet.with_tag_names)."""

    def to_representation(self, data) -> list[dict]:
        return [self.child.represent(row, split_tag_names(row["tag_names"])) for row in data]


class TradeSerializer(StrictModelSerializer):
    """A trade: the reference's fields, then its account, tags, multiplier and initial risk."""

    instrument = fields.TextField(
        max_length=instruments.MAX_LENGTH, pattern=instruments.PATTERN,
        error_messages={"pattern": instruments.MESSAGE, **required("instrument")},
        help_text="Stored trimmed and upper-cased; an OCC option symbol in its compact form; a dated future under "
        "the one name its imports give it, root + month code + two-digit year (`MNQ SEP26`, `MNQU6`, `/MNQU26` "
        "and `MNQ 09-26` are `MNQU26`; a one-digit year is read from entry_time's).",
    )  # fmt: skip
    side = serializers.ChoiceField(
        choices=Side.choices, error_messages={"invalid_choice": "The side must be long or short.", **required("side")}
    )
    quantity = positive_price("quantity")
    entry_time = timestamp("entry_time")
    entry_price = positive_price("entry_price")
    exit_time = timestamp("exit_time", required=False, allow_null=True)
    # An option that expired worthless closes at 0, as its import writes it (the one zero price there is).
    exit_price = fields.DecimalField(
        positive=False, required=False, allow_null=True,
        error_messages={"non_negative": "The exit_price must be at least 0 (0 for an option that expired worthless)."},
    )  # fmt: skip
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
        "multiplier", required=False,
        help_text="Point value: pnl = price difference x quantity x multiplier. Without one (POST, PUT): a futures "
        "root's from the table imports use (ES 50, NQ 20, MNQ 2, CL 1000, ...; a bare root counts, except BTC, ETH, "
        "MBT and MET, which are coins), 100 for an OCC option symbol, else 1.",
    )  # fmt: skip
    initial_risk = positive_price(
        "initial_risk", required=False, allow_null=True, help_text="Money at risk when the trade was opened"
    )
    realized_pnl = serializers.DecimalField(
        **MONEY, read_only=True,
        help_text="The net P&L of the quantity closed so far: net_pnl once the trade is flat; on a partly closed "
        "open trade, the closed part's price difference x quantity x multiplier less its share of the commissions "
        "(its closing fills' and the matching share of its opening fills'); 0 while nothing is closed.",
    )  # fmt: skip

    # What a client may echo back from a GET (a GET body sent as a PUT): ignored, not an error.
    ignored_fields = READ_ONLY_FIELDS

    class Meta:
        model = Trade
        fields = OUTPUT_FIELDS
        read_only_fields = READ_ONLY_FIELDS
        list_serializer_class = TradeListSerializer

    def get_fields(self) -> dict:
        # ModelSerializer reads the model's fields again for every instance (one a request); what it
        # makes of them never changes, so it is built once and copied (core.fields copies cheaply).
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)

    def to_representation(self, trade: Trade) -> dict:
        values = {attribute: getattr(trade, attribute) for attribute in COLUMNS}
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
        row["realized_pnl"] = realized_pnl(
            exit_price=values["exit_price"], net_pnl=values["net_pnl"], fills_realized_pnl=values["fills_realized_pnl"]
        )
        return {name: row[name] for name in OUTPUT_FIELDS}

    def validate_account(self, value: int | None) -> Account | None:
        if value is None:
            return None
        # Another trader's account is no account of yours: the same answer as one that doesn't exist.
        # Many trades at once (journal.bulk) pass the owner's accounts in, read once.
        if "accounts" in self.context:
            account = self.context["accounts"].get(value)
        else:
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
        if "instrument" in attrs:
            attrs["instrument"] = self.stored_instrument(attrs["instrument"], entry_time=merged["entry_time"])
        if not self.partial and "multiplier" not in attrs and "instrument" in attrs:
            # A future typed without its point value takes the one its imports would (ES 50, NQ 20),
            # read from its one name.
            attrs["multiplier"] = multipliers.typed_multiplier(attrs["instrument"])
        return attrs

    def stored_instrument(self, value: str, *, entry_time: datetime) -> str:
        """The instrument as the trade will store it (journal.instruments.trade_instrument: a dated future
        under its one name, a one-digit year read from entry_time's). The trade's own instrument sent
        back as stored is kept: a GET body echoed by a PUT changes nothing, though a trade from our own
        export, or typed before futures took one name, is stored under another name."""
        if self.instance is not None and instruments.normalize_instrument(value) == self.instance.instrument:
            return self.instance.instrument
        return instruments.trade_instrument(value, year=entry_time.astimezone(UTC).year)

    def create(self, validated_data: dict) -> Trade:
        tags = validated_data.pop("tags", [])
        # The model's manager rather than ModelSerializer.create, which reads the model's fields
        # again on every call to check for nested writes this serializer has none of. The event goes
        # in the trade's transaction (core/events.py): both are kept, or neither.
        with transaction.atomic():
            trade = Trade.objects.create(**validated_data)
            if tags:
                trade_set_tags(trade=trade, names=tags)
            events.announce(user_id=trade.user_id, type=events.TRADE_CREATED, data=lambda: self._created(trade, tags))
        return trade

    def _created(self, trade: Trade, tags: list[str]) -> dict:
        """The new trade as the API shows it; without tags, without reading them back (a write with an
        endpoint listening pays for each query)."""
        if tags:
            return self.to_representation(trade)
        return self.represent({attribute: getattr(trade, attribute) for attribute in COLUMNS}, [])

    def update(self, instance: Trade, validated_data: dict) -> Trade:
        # PUT replaces the trade: what the body leaves out goes back to its default (no tags).
        tags = validated_data.pop("tags", None if self.partial else [])
        if not self.partial:
            for name, field in self.fields.items():
                if not field.read_only and name not in validated_data and name != "tags":
                    validated_data[name] = Trade._meta.get_field(name).get_default()
        before = {attribute: getattr(instance, attribute) for attribute in COLUMNS}
        tags_before = None if tags is None else sorted(instance.tags.values_list("name", flat=True), key=tag_order)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        with transaction.atomic():
            # Only the columns this request sets: a concurrent change of other fields is kept, and
            # an UPDATE that finds no row fails instead of inserting the trade again.
            instance.save(update_fields=[*validated_data, "updated_at"])
            if tags is not None:
                trade_set_tags(trade=instance, names=tags)
            events.announce(
                user_id=instance.user_id, type=events.TRADE_UPDATED,
                data=lambda: self.changed_representation(instance, before, tags_before),
            )  # fmt: skip
        return instance

    def changed_representation(self, trade: Trade, before: dict, tags_before: list[str] | None) -> dict | None:
        """The trade as it now is, with `changed`: the output fields that differ from `before` (its
        attributes' earlier values, and its earlier tags where the write set them); None if none do."""
        now = self.to_representation(trade)
        return self.with_changes(self.represent(before, now["tags"] if tags_before is None else tags_before), now)

    @staticmethod
    def with_changes(was: dict, now: dict) -> dict | None:
        """The trade's output `now`, with `changed`: the fields that differ from its output `was`;
        None if none do (a trade.updated's data)."""
        changed = [name for name in OUTPUT_FIELDS if was[name] != now[name]]
        return {**now, "changed": changed} if changed else None


class TradeCreatedSerializer(serializers.ModelSerializer):
    """The reference's 201 body."""

    message = serializers.SerializerMethodField()

    class Meta:
        model = Trade
        fields = ("id", "instrument", "side", "entry_price", "message")

    def get_message(self, trade: Trade) -> str:
        return "Trade created"

    @staticmethod
    def body(trade: Trade) -> dict:
        """The body for a trade just created, written directly (what the class declares, for the
        schema): a ModelSerializer's per-field machinery cost a create a tenth of its time."""
        return {"id": trade.pk, "instrument": trade.instrument, "side": trade.side, "entry_price": trade.entry_price,
                "message": "Trade created"}  # fmt: skip


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
    currency = serializers.CharField(help_text="Currency code of every figure above (the trades' one currency)")
