"""The web journal's import pages: upload a broker file, follow its progress, read its report, undo it
(and follow the undo).

Every rule is the API's (POST/GET/DELETE /api/v1/imports): the parameters are checked by its
serializer, the file by its limit and its service (imports.services), which queues the same task;
the report is its serializer's fields and the progress its live figures (imports.progress).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework import serializers

from core.exceptions import Conflict, PayloadTooLarge
from core.renderers import plain_decimal
from imports import abandoned, formats, kept
from imports.models import Import, TradeFill
from imports.serializers import AUTO, ImportParametersSerializer, ImportSerializer, time_zones
from imports.services import EMPTY, UNDETECTABLE, import_create, import_undo, remembered_zones, undetectable
from journal.models import Account, Trade
from journal.pagination import DEFAULT_PER_PAGE
from journal.zones import zone_of

# What the progress bar shows, as GET /api/v1/imports/{id} reports it.
PROGRESS_FIELDS = ("id", "status", "stage", "rows_processed", "rows_total")
TRADES_LISTED = 50  # the import's trades linked from its page; the trade list has them all


def format_choices() -> list[tuple[str, str]]:
    named = [(name, f"{formats.get(name).BROKER} ({name})") for name in formats.FORMATS]
    return [(AUTO, "Detect from the file"), *named]


class ImportForm(forms.Form):
    """The upload's fields. Only the file is checked here (present); the parameters are checked by
    the API's own serializer, so a refusal reads the same on the page as in the API."""

    file = forms.FileField(label="Broker file", error_messages={"empty": EMPTY})
    format = forms.CharField(required=False, label="Format", initial=AUTO)
    account = forms.CharField(required=False, label="Account")
    tz = forms.CharField(required=False, label="Time zone of the file's times", initial="")
    dry_run = forms.BooleanField(required=False, label="Dry run: report what would happen, store nothing")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.user = user
        limit = filesizeformat(settings.IMPORT_MAX_BYTES)
        self.fields["file"].help_text = f"A broker's export (CSV, XML or HTML), up to {limit}."
        self.fields["file"].widget.attrs.update(
            {"data-max-bytes": settings.IMPORT_MAX_BYTES, "data-too-large": PayloadTooLarge.default_detail}
        )
        self.fields["format"].widget = forms.Select(choices=format_choices())
        accounts = [
            (str(pk), f"{name} ({currency})")
            for pk, name, currency in Account.objects.owned_by(user).values_list("id", "name", "currency")
        ]
        self.fields["account"].widget = forms.Select(choices=[("", "The file's accounts"), *accounts])
        self.fields["account"].help_text = "Every fill goes to this account; else the file's account numbers decide."
        own = zone_of(user)
        self.fields["tz"].widget = forms.Select(
            choices=[("", f"The zone of my last file in its format, else mine ({own})")]
            + [(zone, zone) for zone in time_zones()]
        )
        remembered = [
            f"{formats.get(name).BROKER} ({name}): {zone}"
            for name, zone in sorted(remembered_zones(user).items())
            if name in formats.FORMATS
        ]
        self.fields["tz"].help_text = (
            "Used only for times written without an offset (thinkorswim, NinjaTrader, Tradovate...)."
            + (f" Last used: {'; '.join(remembered)}." if remembered else "")
        )

    def clean(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > settings.IMPORT_MAX_BYTES:
            self.add_error("file", PayloadTooLarge.default_detail)
        values = {name: self.data[name] for name in ("format", "account", "tz") if self.data.get(name)}
        if self.cleaned_data.get("dry_run"):
            values["dry_run"] = "true"
        parameters = ImportParametersSerializer(data=values, user=self.user)
        if not parameters.is_valid():
            self.add_api_errors(parameters.errors)
        self.parameters = parameters.validated_data if not parameters.errors else {}
        return self.cleaned_data

    def add_api_errors(self, detail: dict) -> None:
        for name, errors in detail.items():
            for error in errors:
                message = undetectable("the Format choice above") if str(error) == UNDETECTABLE else str(error)
                self.add_error(name if name in self.fields else None, message)

    def create(self) -> Import | None:
        """The queued import, through the API's service; None when the service refuses the file
        (its message is then next to the field)."""
        upload, parameters = self.cleaned_data["file"], self.parameters
        try:
            with transaction.atomic():
                return import_create(
                    user=self.user, data=upload.read(), filename=upload.name or "",
                    format=parameters.get("format", AUTO), account=parameters.get("account"),
                    tz=parameters.get("tz"), dry_run=parameters.get("dry_run", False),
                )  # fmt: skip
        except serializers.ValidationError as exc:
            self.add_api_errors(exc.detail)
            return None


def _history(request: HttpRequest):
    imports = Import.objects.owned_by(request.user).defer("data").newest_first().select_related("account")
    page = Paginator(imports, DEFAULT_PER_PAGE).get_page(request.GET.get("page"))
    for imp in page:
        abandoned.merge_live(imp)
    return page


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        imp = form.create()
        if imp is not None and imp.suggested_mapping is not None:
            return redirect("import-mapping", pk=imp.pk)
        if imp is not None:
            what = "A dry run of" if imp.dry_run else "The import of"
            messages.success(request, f"{what} “{imp.filename or 'your file'}” is queued; this page follows it.")
            return redirect("import", pk=imp.pk)
    status = 400 if form.errors else 200
    return render(request, "dashboard/imports.html", {"form": form, "page": _history(request)}, status=status)


def _owned(request: HttpRequest, pk: int) -> Import:
    imp = get_object_or_404(Import.objects.owned_by(request.user).defer("data").select_related("account"), pk=pk)
    abandoned.merge_live(imp)
    return imp


def row_ranges(rows: list[int]) -> str:
    """Row numbers as a reader scans them, each run of consecutive rows as its first and last joined by
    an en dash (2\u20135, 9, 12\u201313)."""
    runs: list[list[int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    return ", ".join(str(first) if first == last else f"{first}\N{EN DASH}{last}" for first, last in runs)


def skipped_by_reason(skipped: list[dict]) -> list[dict]:
    """The skipped rows grouped by their reason, most frequent first (217 cancelled orders are one
    line, their rows behind it), each with how many and which rows."""
    groups: dict[str, list] = {}
    for skip in skipped:
        groups.setdefault(skip["reason"], []).append(skip["row"])
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))
    return [
        {"reason": reason, "count": len(rows), "rows": row_ranges([row for row in rows if row is not None])}
        for reason, rows in ordered
    ]


def running_state(imp: Import, report: dict) -> dict:
    """What the page says of an unfinished import, from its one status: the heading, the progress
    bar's words and whether it can still be cancelled (the page and each poll alike, so the heading
    never says Queued beside a bar writing the last rows)."""
    queued = report["status"] == Import.Status.QUEUED
    if queued or (report["status"] == Import.Status.UNDOING and not report["stage"]):
        label = "Waiting for a worker…"
    else:
        stage = (report["stage"] or "working").capitalize()
        total = f" of {report['rows_total']:,}" if report["rows_total"] else ""
        label = f"{stage}: {report['rows_processed']:,}{total} rows"
    return {"heading": imp.get_status_display(), "label": label, "cancellable": queued}


@never_cache
@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    imp = _owned(request, pk)
    report = ImportSerializer(imp).data
    context = {"imp": imp, "report": report, "trades": [], "trades_listed": TRADES_LISTED,
               "skipped": skipped_by_reason(report["skipped"])}  # fmt: skip
    if not imp.finished:
        context["running"] = running_state(imp, report)
    if imp.finished:
        made = TradeFill.objects.filter(execution__source=imp).values("trade_id")
        trades = (
            Trade.objects.owned_by(request.user)
            .filter(pk__in=made)
            .select_related("account")
            .order_by("entry_time", "id")
        )
        context["trades"] = list(trades[:TRADES_LISTED])
        for trade in context["trades"]:
            trade.quantity_text = plain_decimal(trade.quantity)
    return render(request, "dashboard/import.html", context)


@never_cache
@login_required
def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    imp = _owned(request, pk)
    data = ImportSerializer(imp).data
    state = running_state(imp, data) if not imp.finished else {}
    return JsonResponse({**{name: data[name] for name in PROGRESS_FIELDS}, **state})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    imp = _owned(request, pk)
    undoing = (Import.Status.UNDOING, Import.Status.UNDONE)
    if request.method != "POST":
        if imp.status in undoing:
            return redirect("import", pk=imp.pk)
        return render(request, "dashboard/import_undo.html", {"imp": imp, "retention_days": kept.RETENTION.days})
    try:
        undone = import_undo(imp=imp)
    except Conflict as exc:
        messages.error(request, str(exc.detail))
        return redirect("import", pk=imp.pk)
    name = imp.filename or f"import {imp.pk}"
    if undone is not None:
        if imp.status not in undoing:
            messages.success(request, f"The import of “{name}” is being undone; this page follows it.")
        return redirect("import", pk=imp.pk)
    if imp.status == Import.Status.QUEUED:
        messages.success(request, f"The import of “{name}” is cancelled; nothing was applied.")
    else:
        messages.success(request, f"“{name}” is removed from your imports; it had stored nothing.")
    return redirect("imports")
