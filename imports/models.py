"""What an import leaves behind: its record, the executions (fills) and corporate actions it brought,
and which part of each execution belongs to which trade (a trade with such parts is built from
executions; the engine never touches a hand-entered one); and the column mappings traders save for
their files."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from imports.formats import mapping
from imports.formats.base import BUY, CLOSE, OPEN, SELL
from journal.models import PRICE, Account, NamedQuerySet, Trade

EXECUTION_SIDES = [(BUY, "Buy"), (SELL, "Sell")]


class ImportQuerySet(models.QuerySet):
    def owned_by(self, user) -> "ImportQuerySet":
        return self.filter(user=user)

    def newest_first(self) -> "ImportQuerySet":
        return self.order_by("-created_at", "-id")


class ImportMappingQuerySet(NamedQuerySet):
    def for_header(self, head: str) -> "ImportMapping | None":
        """The newest of these mappings made for the header of a file whose head is `head`."""
        header = mapping.file_signature(head)
        return None if header is None else self.filter(header_signature=header).order_by("-id").first()


class ImportMapping(models.Model):
    """A trader's column mapping for files no format reads, saved under a name (imports/formats/mapping.py)."""

    # No index of its own: the unique name index leads with user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_mappings", db_index=False
    )
    name = models.CharField(max_length=64)
    level = models.CharField(max_length=6, choices=[(level, level) for level in mapping.LEVELS])
    columns = models.JSONField()  # {field: column name}
    values = models.JSONField(default=dict, blank=True)  # {"side": {value in the file: our value}}
    date_format = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001  (null: ISO 8601)
    tz = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001  (null: the import's)
    header_signature = models.TextField(null=True, blank=True)  # noqa: DJ001  (null: never chosen by auto)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ImportMappingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint("user", Lower("name"), name="import_mapping_name_unique_per_user_ci"),
            models.CheckConstraint(condition=Q(level__in=mapping.LEVELS), name="import_mapping_level_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def rules(self) -> dict:
        """The mapping as an import reads by it (kept on the import: later edits don't change it)."""
        return {name: getattr(self, name) for name in mapping.KEYS}


class Import(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        UNDOING = "undoing", "Undoing"
        UNDONE = "undone", "Undone"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    format = models.CharField(max_length=32)
    filename = models.CharField(max_length=255, blank=True, default="")
    dry_run = models.BooleanField(default=False)
    tz = models.CharField(max_length=64, default="UTC")
    # The `account` parameter: every fill of the file goes to it.
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # format "mapped": the mapping the file is read by (ImportMapping.rules). A file no format read:
    # the mapping proposed for it (its bytes are kept, so the web journal can map and import them).
    mapping = models.JSONField(null=True, blank=True)
    suggested_mapping = models.JSONField(null=True, blank=True)
    # The upload itself, in the database so that a worker on any machine can read it; cleared when done.
    data = models.BinaryField(null=True, editable=False)
    sha256 = models.CharField(max_length=64)
    rows_total = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    executions_created = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    trades_created = models.PositiveIntegerField(default=0)
    trades_updated = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True)  # [{"row", "reason"}]
    errors = models.JSONField(default=list, blank=True)  # [{"row", "message"}]; row null for the whole file
    # What the import created besides trades, so that undoing it removes what nothing else uses.
    created_accounts = models.JSONField(default=list, blank=True)
    created_tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Workers that took it: one lost half-way leaves it to the next (imports/progress.py).
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    # Its undo (imports/undo.py): when a worker took it (null while it waits for one), and how many did.
    undo_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    undo_attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = ImportQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "created_at", "id"], name="import_user_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "processing", "succeeded", "failed", "undoing", "undone"]),
                name="import_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.format}, {self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.UNDONE)


class Execution(models.Model):
    """One fill as stored: numbers at the database's precision, the multiplier resolved.

    `account` is null only for rows of our own export that had no account (hand-entered trades).
    `group` ties the fills of one trade-level row (an entry and its exit), which make a trade of their
    own. Executions the engine rejects (a close with nothing to close) are never stored.

    In memory an execution is the engine's `Execution` (imports/engine.py), new or stored:
    imports/streams.py reads and writes the columns named like its fields.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, null=True, blank=True, related_name="executions")
    instrument = models.CharField(max_length=32)
    time = models.DateTimeField()
    side = models.CharField(max_length=4, choices=EXECUTION_SIDES)
    quantity = models.DecimalField(**PRICE)
    price = models.DecimalField(**PRICE)
    commission = models.DecimalField(default=Decimal(0), **PRICE)
    fees = models.DecimalField(default=Decimal(0), **PRICE)
    exec_id = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001  (null: the file has none)
    multiplier = models.DecimalField(default=Decimal(1), **PRICE)
    effect = models.CharField(max_length=5, null=True, blank=True, choices=[(OPEN, "Open"), (CLOSE, "Close")])  # noqa: DJ001
    group = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001
    source = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="executions")
    row = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # A stream's executions (the engine's input), and the duplicate rule without exec ids.
            models.Index(fields=["user", "account", "instrument", "time"], name="execution_stream_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "exec_id"], condition=Q(exec_id__isnull=False), name="execution_exec_id_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="execution_quantity_gt_0"),
            # An expired option closes at 0.
            models.CheckConstraint(condition=Q(price__gte=0), name="execution_price_gte_0"),
            models.CheckConstraint(condition=Q(commission__gte=0, fees__gte=0), name="execution_costs_gte_0"),
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="execution_multiplier_gt_0"),
            models.CheckConstraint(condition=Q(side__in=[BUY, SELL]), name="execution_side_valid"),
            models.CheckConstraint(
                condition=Q(effect__isnull=True) | Q(effect__in=[OPEN, CLOSE]), name="execution_effect_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.quantity} {self.instrument} @ {self.price}"


class CorporateAction(models.Model):
    """A split, reverse split or symbol change a file reported (imports/actions.py): from `time` on,
    every `old_units` of `instrument` held in `account` are `new_units` of `new_instrument` (the same
    instrument for a split). The executions on either side keep what the broker printed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="corporate_actions")
    instrument = models.CharField(max_length=32)
    new_instrument = models.CharField(max_length=32)
    time = models.DateTimeField()
    old_units = models.DecimalField(**PRICE)
    new_units = models.DecimalField(**PRICE)
    source = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="corporate_actions")
    row = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["user", "account"], name="corporate_action_account_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(old_units__gt=0, new_units__gt=0), name="corporate_action_units_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.old_units} -> {self.new_instrument} {self.new_units}"


class TradeFillQuerySet(models.QuerySet):
    def of_trade(self, trade) -> "TradeFillQuerySet":
        """A trade's fills in the order they happened (ties by execution id), as every page and the API list them."""
        return self.filter(trade=trade).order_by("execution__time", "execution_id")


class TradeFill(models.Model):
    """The part of an execution that belongs to a trade (a fill that crosses flat has two)."""

    trade = models.ForeignKey(Trade, on_delete=models.CASCADE, related_name="fills")
    # An execution leaves with its import, whose undo rewrites every trade it was in first; nothing
    # to collect one by one then (the constraint still refuses a fill left behind).
    execution = models.ForeignKey(Execution, on_delete=models.DO_NOTHING, related_name="trade_fills")
    quantity = models.DecimalField(**PRICE)
    commission = models.DecimalField(**PRICE)
    fees = models.DecimalField(**PRICE)
    opening = models.BooleanField()

    objects = TradeFillQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trade", "execution"], name="tradefill_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="tradefill_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.trade_id}:{self.execution_id}"


class KeptAnnotation(models.Model):
    """A trader's journaling on a trade an undo removed, kept by the trade's opening execution and
    given back to the trade a later import opens with that execution (imports/kept.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    execution = models.CharField(max_length=400)  # the opening execution's identity (kept.identity)
    values = models.JSONField()  # {notes, setup_type, stop_loss, take_profit, initial_risk, tags}
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "execution"], name="kept_annotation_unique_per_user"),
        ]

    def __str__(self) -> str:
        return self.execution
