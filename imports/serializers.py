"""Imports as the API shows them, and what POST /api/v1/imports accepts: its parameters and JSON
fills; column mappings as /api/v1/import-mappings shows and accepts them."""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from core import fields, wire, zones
from core.parsers import loads
from core.renderers import plain_decimal
from core.serializers import StrictSerializer
from imports import formats
from imports.formats import base, mapping
from imports.models import EXECUTION_SIDES, Import, ImportMapping
from journal import instruments
from journal.models import Account
from journal.owned_api import UniqueNamesSerializer
from journal.serializers import name_field

AUTO = "auto"
FORMAT_CHOICES = (AUTO, *formats.FORMATS, mapping.MAPPED)
DEFAULT_TZ = zones.DEFAULT
ID_PATTERN = r"^[1-9][0-9]{0,17}$"
BOOLEAN = {"true": True, "false": False}
# JSON fills: a bigger batch goes as a file (a generic CSV), which costs the API nothing to accept.
MAX_EXECUTIONS = 10_000
TOO_MANY_EXECUTIONS = f"At most {MAX_EXECUTIONS:,} fills a request; send more as a file (a generic CSV)."
PARAMETERS = ("format", "account", "tz", "dry_run", "mapping")
MAX_SIDE_VALUES = 100
MAPPING_REQUIRED = "The mapping field is required with format=mapped."
MAPPING_WITHOUT_FORMAT = "A mapping goes with format=mapped."
NOT_A_MAPPING = "The mapping must be the id of one of your mappings, or a mapping as a JSON object."


def time_zones() -> list[str]:
    return zones.NAMES


class SkippedRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="As a spreadsheet numbers it (the header is 1)")
    reason = serializers.CharField()


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="null: the error concerns the whole file")
    message = serializers.CharField()


@extend_schema_field({"type": "string", "enum": time_zones()})  # without 600 enum descriptions
class TimeZoneField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=time_zones(), **kwargs)


# --- Column mappings (imports/formats/mapping.py) -------------------------------------------------------

MappingColumnsSerializer = type(
    "MappingColumnsSerializer",
    (StrictSerializer,),
    {
        "__doc__": "Each field's column in the file, by the name its header gives it (any case; `_`, `.` and "
        "spaces alike).",
        **{name: fields.TextField(max_length=mapping.COLUMN_LENGTH, required=False, help_text=mapping.FIELD_HELP[name])
           for name in mapping.ALL_FIELDS},
    },
)  # fmt: skip


@extend_schema_field(
    {"type": "object", "maxProperties": MAX_SIDE_VALUES,
     "additionalProperties": {"type": "string", "enum": list(mapping.ALL_SIDES)}}
)  # fmt: skip
class SideValuesField(serializers.DictField):
    """{value as the file writes it: our side}; values it does not list are read by their common spellings."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=mapping.ALL_SIDES), **kwargs)

    def to_internal_value(self, data) -> dict:
        values = super().to_internal_value(data)
        if len(values) > MAX_SIDE_VALUES:
            raise serializers.ValidationError(f"Ensure there are no more than {MAX_SIDE_VALUES} values.")
        if any("\x00" in value for value in values):
            raise serializers.ValidationError("Null characters are not allowed.")  # no file's value holds one
        return values


class MappingValuesSerializer(StrictSerializer):
    """How the file writes a field's values, for the fields that have a set of them (the side)."""

    side = SideValuesField(
        required=False,
        help_text="fills: buy, sell, or with the effect buy_to_open, buy_to_close, sell_to_open, sell_to_close; "
        "trades: long, short",
    )


class ImportMappingSerializer(UniqueNamesSerializer):
    """A column mapping: how a file no format reads becomes fills, or trades."""

    id = fields.IdField(read_only=True)
    name = name_field("name")
    level = serializers.ChoiceField(
        choices=mapping.LEVELS, default=mapping.FILLS,
        help_text="fills: a row is one execution; trades: a row is a whole trade (entry and exit)",
    )  # fmt: skip
    columns = MappingColumnsSerializer()
    values = MappingValuesSerializer(required=False)
    date_format = fields.TextField(
        max_length=64, required=False, allow_null=True,
        help_text=f"strftime directives, e.g. `{mapping.EXAMPLE_FORMAT}`; null: ISO 8601",
    )  # fmt: skip
    tz = TimeZoneField(required=False, allow_null=True, help_text="IANA zone of the file's times; null: the import's")
    header_signature = fields.TextField(
        max_length=mapping.SIGNATURE_LENGTH, required=False, allow_null=True,
        help_text="The header row's names, normalised, joined by `|`: `auto` imports of a file with this header "
        "use the mapping. null: only named imports (`format=mapped`) use it",
    )  # fmt: skip
    created_at = fields.TimestampField(read_only=True)

    ignored_fields = ("id", "created_at")

    class Meta:
        model = ImportMapping
        fields = ("id", "name", "level", "columns", "values", "date_format", "tz", "header_signature", "created_at")

    def validate_date_format(self, value: str | None) -> str | None:
        problem = None if value is None else mapping.date_format_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_header_signature(self, value: str | None) -> str | None:
        return None if value is None else mapping.normalise_signature(value)

    def validate(self, attrs: dict) -> dict:
        errors = self.unique_errors(attrs)
        stored = self.instance.rules() if self.instance is not None else {}
        errors |= mapping.problems({**stored, **attrs})
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class MappingObjectSerializer(ImportMappingSerializer):
    """A mapping sent with an import, unsaved: its name is optional (it names the default account)."""

    name = name_field("name", required=False)

    def unique_errors(self, attrs: dict) -> dict[str, list[str]]:
        return {}

    def rules(self) -> dict:
        """The valid mapping as an import keeps it (ImportMapping.rules)."""
        data = self.validated_data
        return {name: data.get(name) for name in mapping.KEYS} | {"values": data.get("values") or {}}


class SuggestedMappingSerializer(ImportMappingSerializer):
    """A mapping proposed for a file no format reads, unsaved (no id yet)."""

    id = fields.IdField(read_only=True, allow_null=True)
    created_at = fields.TimestampField(read_only=True, allow_null=True)


class ImportSerializer(serializers.ModelSerializer):
    stage = serializers.SerializerMethodField(
        help_text="While processing: reading, matching, building or writing; while undoing (once a worker has it): "
        "rebuilding or removing, with rows_processed of rows_total the import's executions removed"
    )
    created_at = fields.TimestampField(read_only=True)
    started_at = fields.TimestampField(read_only=True, allow_null=True)
    finished_at = fields.TimestampField(read_only=True, allow_null=True)
    skipped = SkippedRowSerializer(many=True, read_only=True, help_text="Rows that are not trades, with why")
    errors = RowErrorSerializer(many=True, read_only=True, help_text="Rows that could not be read, with why")
    suggested_mapping = SuggestedMappingSerializer(
        read_only=True, allow_null=True,
        help_text="For a file no format reads: a mapping of its columns proposed from its header and first rows. "
        "Import the file with format=mapped and it (edited as needed), or save it as an import mapping",
    )  # fmt: skip

    class Meta:
        model = Import
        fields = (
            "id", "status", "format", "filename", "dry_run", "rows_total", "rows_processed", "executions_created",
            "duplicates", "trades_created", "trades_updated", "skipped", "errors", "created_at", "finished_at",
            "account", "tz", "started_at", "stage", "suggested_mapping",
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


class ExecutionInputSerializer(StrictSerializer):
    """One fill of a JSON import: the generic format's fields (imports/formats/generic.py)."""

    time = fields.TextField(
        pattern=wire.TIMESTAMP_PATTERN,
        help_text="ISO 8601; without an offset it is in the `tz` parameter's zone",
        error_messages={"pattern": f"Use this format: {wire.TIMESTAMP_FORMAT_HINT}."},
    )
    instrument = fields.TextField(
        max_length=instruments.MAX_LENGTH, pattern=instruments.PATTERN, error_messages={"pattern": instruments.MESSAGE},
        help_text="A dated future is stored as root + month code + two-digit year: `MNQ SEP26`, `MNQ 09-26` and "
        "`MNQU6` (filled in 2026) are `MNQU26`",
    )  # fmt: skip
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
    executions = fields.ListField(
        child=ExecutionInputSerializer(), min_length=1, max_length=MAX_EXECUTIONS,
        error_messages={"max_length": TOO_MANY_EXECUTIONS},
        help_text=f"Up to {MAX_EXECUTIONS:,}; send more as a file (a generic CSV)",
    )  # fmt: skip


class ImportParametersSerializer(serializers.Serializer):
    """The parameters of POST /api/v1/imports, from the query string or the form."""

    format = serializers.ChoiceField(
        choices=FORMAT_CHOICES, required=False,
        help_text="`auto` (default): detected from the content (or by a saved import mapping of its header); "
        "`mapped` with `mapping`. The formats:\n\n"
        + "\n".join(f"- `{name}` ({broker}): {summary}" for name, broker, summary in formats.catalogue()),
    )  # fmt: skip
    account = fields.TextField(
        pattern=ID_PATTERN, required=False, error_messages={"pattern": "The account must be an account id."},
        help_text="Put every fill in this account (its id); otherwise the file's account numbers decide",
    )  # fmt: skip
    tz = TimeZoneField(
        required=False,
        help_text="IANA zone of timestamps without an offset (default: the key owner's profile's zone, UTC unless "
        "they set one)",
    )
    dry_run = serializers.ChoiceField(
        choices=list(BOOLEAN), required=False, help_text="true: report what would happen, store nothing"
    )
    # No length of its own: a query string is bounded by the request line, a form by the upload's limits.
    mapping = fields.TextField(
        required=False, help_text="With format=mapped: the id of one of your import mappings, or a mapping as a "
        "JSON object",
    )  # fmt: skip

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

    def validate_mapping(self, value: str) -> dict:
        """The mapping the file is to be read by, as the import keeps it (ImportMapping.rules)."""
        if re.fullmatch(ID_PATTERN, value):
            saved = ImportMapping.objects.owned_by(self.user).filter(pk=int(value)).first()
            if saved is None:
                raise serializers.ValidationError("No such mapping among yours.")
            return saved.rules()
        try:
            document = loads(value.encode())
        except (exceptions.ParseError, UnicodeEncodeError):
            document = None
        if not isinstance(document, dict):
            raise serializers.ValidationError(NOT_A_MAPPING)
        given = MappingObjectSerializer(data=document)
        given.is_valid(raise_exception=True)
        return given.rules()

    def validate(self, attrs: dict) -> dict:
        if attrs.get("format") == mapping.MAPPED and "mapping" not in attrs:
            raise serializers.ValidationError({"mapping": [MAPPING_REQUIRED]})
        if "mapping" in attrs and attrs.get("format") != mapping.MAPPED:
            raise serializers.ValidationError({"mapping": [MAPPING_WITHOUT_FORMAT]})
        return attrs


class ImportUploadSerializer(ImportParametersSerializer):
    """A multipart upload: the file and, optionally, the parameters (also accepted in the query)."""

    file = serializers.FileField(help_text="The broker's export")
