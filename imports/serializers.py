"""Imports as the API shows them, and what POST /api/v1/imports accepts: its parameters and JSON fills."""

from functools import cache
from zoneinfo import available_timezones

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from imports import formats
from imports.formats import base
from imports.models import EXECUTION_SIDES, Import
from journal.models import Account
from journal.serializers import INSTRUMENT_MESSAGE, INSTRUMENT_PATTERN
from tradejournal import fields, wire
from tradejournal.renderers import plain_decimal

AUTO = "auto"
FORMAT_CHOICES = (AUTO, *formats.FORMATS)
DEFAULT_TZ = "UTC"
ID_PATTERN = r"^[1-9][0-9]{0,17}$"
BOOLEAN = {"true": True, "false": False}
# JSON fills: a bigger batch goes as a file (a generic CSV), which costs the API nothing to accept.
MAX_EXECUTIONS = 10_000
PARAMETERS = ("format", "account", "tz", "dry_run")


@cache
def time_zones() -> list[str]:
    return sorted(available_timezones())


class SkippedRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="As a spreadsheet numbers it (the header is 1)")
    reason = serializers.CharField()


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="null: the error concerns the whole file")
    message = serializers.CharField()


class ImportSerializer(serializers.ModelSerializer):
    stage = serializers.SerializerMethodField(help_text="While processing: reading, matching, building or writing")
    created_at = fields.TimestampField(read_only=True)
    started_at = fields.TimestampField(read_only=True, allow_null=True)
    finished_at = fields.TimestampField(read_only=True, allow_null=True)
    skipped = SkippedRowSerializer(many=True, read_only=True, help_text="Rows that are not trades, with why")
    errors = RowErrorSerializer(many=True, read_only=True, help_text="Rows that could not be read, with why")

    class Meta:
        model = Import
        fields = (
            "id", "status", "format", "filename", "dry_run", "rows_total", "rows_processed", "executions_created",
            "duplicates", "trades_created", "trades_updated", "skipped", "errors", "created_at", "finished_at",
            "account", "tz", "started_at", "stage",
        )  # fmt: skip
        read_only_fields = fields

    def get_stage(self, imp: Import) -> str | None:
        return getattr(imp, "stage", None)


def _allocated(help_text: str = "") -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=20, decimal_places=8, help_text=help_text or "The part in this trade")


# `import` is a Python keyword, so this serializer's fields are given as a dict.
TradeExecutionSerializer = type(
    "TradeExecutionSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "A fill of a trade: the execution, with the part of it that belongs to this trade.",
        "id": serializers.IntegerField(source="execution_id"),
        "time": fields.TimestampField(source="execution.time"),
        "side": serializers.ChoiceField(choices=EXECUTION_SIDES, source="execution.side"),
        "quantity": _allocated(),
        "price": serializers.DecimalField(max_digits=20, decimal_places=8, source="execution.price"),
        "commission": _allocated(),
        "fees": _allocated(),
        "exec_id": serializers.CharField(source="execution.exec_id", allow_null=True, help_text="The broker's id"),
        "import": serializers.IntegerField(source="execution.source_id", help_text="The import it came from"),
    },
)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it doesn't declare, as every request body here does (journal/serializers.py)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class ExecutionInputSerializer(StrictSerializer):
    """One fill of a JSON import: the generic format's fields (imports/formats/generic.py)."""

    time = fields.TextField(
        pattern=wire.TIMESTAMP_PATTERN,
        help_text="ISO 8601; without an offset it is in the `tz` parameter's zone",
        error_messages={"pattern": f"Use this format: {wire.TIMESTAMP_FORMAT_HINT}."},
    )
    instrument = fields.TextField(
        max_length=32, pattern=INSTRUMENT_PATTERN, error_messages={"pattern": INSTRUMENT_MESSAGE}
    )
    side = serializers.ChoiceField(choices=EXECUTION_SIDES)
    quantity = fields.DecimalField(positive=True)
    price = fields.DecimalField(positive=False, help_text="0 only for an expired option")
    commission = fields.DecimalField(positive=False, required=False)
    fees = fields.DecimalField(positive=False, required=False)
    exec_id = fields.TextField(max_length=128, required=False, help_text="The broker's execution id")
    account = fields.TextField(max_length=64, required=False, help_text="The broker's account number")
    multiplier = fields.DecimalField(positive=True, required=False)
    asset_class = serializers.ChoiceField(choices=formats.get("generic").ASSET_CLASSES, required=False)
    effect = serializers.ChoiceField(choices=[base.OPEN, base.CLOSE], required=False)

    def to_representation(self, values: dict) -> dict:
        # As the generic format reads it back: text, numbers exactly as validated.
        return {name: plain_decimal(value) if not isinstance(value, str) else value for name, value in values.items()}


class ExecutionsInputSerializer(StrictSerializer):
    executions = serializers.ListField(
        child=ExecutionInputSerializer(), min_length=1, max_length=MAX_EXECUTIONS,
        help_text=f"Up to {MAX_EXECUTIONS:,}; send more as a file (a generic CSV)",
    )  # fmt: skip


@extend_schema_field({"type": "string", "enum": time_zones()})  # without 600 enum descriptions
class TimeZoneField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=time_zones(), **kwargs)


class ImportParametersSerializer(serializers.Serializer):
    """The parameters of POST /api/v1/imports, from the query string or the form."""

    format = serializers.ChoiceField(
        choices=FORMAT_CHOICES, required=False, help_text="`auto` (default): detected from the content"
    )
    account = fields.TextField(
        pattern=ID_PATTERN, required=False, error_messages={"pattern": "The account must be an account id."},
        help_text="Put every fill in this account (its id); otherwise the file's account numbers decide",
    )  # fmt: skip
    tz = TimeZoneField(required=False, help_text="IANA zone of timestamps without an offset (default UTC)")
    dry_run = serializers.ChoiceField(
        choices=list(BOOLEAN), required=False, help_text="true: report what would happen, store nothing"
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def validate_account(self, value: str) -> Account:
        account = Account.objects.filter(user=self.user, pk=int(value)).first()
        if account is None:
            raise serializers.ValidationError("No such account among yours.")
        return account

    def validate_dry_run(self, value: str) -> bool:
        return BOOLEAN[value]


class ImportUploadSerializer(ImportParametersSerializer):
    """A multipart upload: the file and, optionally, the parameters (also accepted in the query)."""

    file = serializers.FileField(help_text="The broker's export")
