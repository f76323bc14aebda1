"""The web journal's column mapping page: a file no format reads, each of its columns given one of our
fields (and the side's values ours), its first rows read beside it as they will be imported, a dry
run, then the import, with the mapping saved under a name so the next file with that header is
imported without asking.

Every rule is the API's: the mapping is checked by its serializers (imports/serializers.py) and the
rows are read by the reader the worker uses (imports/formats/mapped.py); the dry run and the import
are imports like any other (imports.services). The file waits in the failed import that suggested
the mapping (its bytes are kept until it is imported or removed).
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework import serializers

from core.errors import as_details, error_response
from core.renderers import plain_decimal
from imports.formats import base
from imports.formats import mapping as rules
from imports.formats.mapped import MappedFormat
from imports.models import Import
from imports.serializers import ImportMappingSerializer, MappingObjectSerializer, time_zones
from imports.services import head_text, import_create
from journal.writes import named_record_save

PREVIEW_ROWS = 10
SAMPLES_SHOWN = 3
SIDE_VALUES_SHOWN = 20
# Errors shown beside their own input; the others above the columns.
OWN_INPUTS = ("name",)
FIELD_LABELS = {name: name.replace("_", " ") for name in rules.ALL_FIELDS}


@dataclass(frozen=True)
class FileHead:
    """The head of the file awaiting its mapping: its header and each column's first values."""

    text: str
    header: rules.Header
    values: list[list[str]]  # by column: its values in the first rows, in order

    @classmethod
    def of(cls, imp: Import) -> "FileHead | None":
        text = head_text(bytes(imp.data or b""))
        header = rules.find_header(text)
        if header is None:
            return None
        rows = [cells for row, cells in base.csv_rows(text, delimiter=header.delimiter) if row > header.row]
        return cls(text, header, [[base.cell(cells, i) for cells in rows] for i in range(len(header.cells))])

    def samples(self, i: int) -> list[str]:
        return list(dict.fromkeys(value for value in self.values[i] if value))[:SAMPLES_SHOWN]

    def distinct(self, column: str | None) -> list[str]:
        names = [base.normalise_header(name) for name in self.header.cells]
        if column is None or base.normalise_header(column) not in names:
            return []
        values = self.values[names.index(base.normalise_header(column))]
        return list(dict.fromkeys(value for value in values if value))[:SIDE_VALUES_SHOWN]


def posted(data: QueryDict, head: FileHead) -> tuple[dict, dict[str, list[str]]]:
    """The mapping the form's inputs state, and what the inputs themselves get wrong (one field
    given to two columns)."""
    level = data.get("level") if data.get("level") in rules.LEVELS else rules.FILLS
    columns: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for i, name in enumerate(head.header.cells):
        field = data.get(f"column-{i}", "")
        if field in columns:
            message = f"Two columns are given the field {FIELD_LABELS[field]}: {columns[field]!r} and {name!r}."
            errors.setdefault(f"columns.{field}", []).append(message)
        elif field in rules.ALL_FIELDS:
            columns[field] = name
    # The side's values the page showed: the side column's first values, and any others the mapping
    # had (a value of rows further down); not those of a column that was the side before a change.
    prefix, shown = "side.", set(head.distinct(columns.get("side")))
    others = {value for values in head.values for value in values} - shown
    sides = {key.removeprefix(prefix): ours for key, ours in data.items()
             if key.startswith(prefix) and ours and key.removeprefix(prefix) not in others}  # fmt: skip
    sides = sides if "side" in columns else {}
    mapping = {
        "name": data.get("name", "").strip(), "level": level, "columns": columns,
        "values": {"side": sides} if sides else {}, "date_format": data.get("date_format", "").strip() or None,
        "tz": data.get("tz") or None, "header_signature": rules.file_signature(head.text),
    }  # fmt: skip
    return mapping, errors


def _side_values(head: FileHead, column: str | None, values: dict) -> list[str]:
    return list(dict.fromkeys([*head.distinct(column), *values.get("side", {})]))


def checked(request: HttpRequest, mapping: dict, *, saving: bool) -> tuple[object, dict[str, list[str]]]:
    """(the mapping as imports read it, or the saved ImportMapping when `saving`; its errors)."""
    # An empty input is "not given": the serializer's required message or its default.
    body = {name: value for name, value in mapping.items() if value not in ("", None, {})}
    body["columns"] = mapping["columns"]
    serializer_class = ImportMappingSerializer if saving else MappingObjectSerializer
    serializer = serializer_class(data=body, context={"request": request})
    try:
        serializer.is_valid(raise_exception=True)
        if saving:
            return named_record_save(serializer, user=request.user), {}
    except serializers.ValidationError as error:
        return None, as_details(error.detail)
    return serializer.rules(), {}


def preview(head: FileHead, mapping: dict | None, zone: str) -> tuple[list[dict], str | None]:
    """The first rows as the mapping reads them (a fill, a skip or an error each), or why none can be."""
    if mapping is None:
        return [], None
    shown: list[dict] = []
    rows: set[int] = set()
    tz = ZoneInfo(zone)
    try:
        for item in MappedFormat(mapping).parse(head.text, tz=tz):
            if item.row not in rows and len(rows) == PREVIEW_ROWS:
                break
            rows.add(item.row)
            shown.append(_shown(item, tz))
    except base.FormatError as problem:
        return [], f"The file can't be read by this mapping: {problem}."
    return shown, None


def _shown(item: base.Item, tz: ZoneInfo) -> dict:
    if isinstance(item, base.Skip):
        return {"row": item.row, "problem": item.reason}
    if isinstance(item, base.RowError):
        return {"row": item.row, "problem": item.message}
    side = item.side if item.effect is None else f"{item.side} to {item.effect}"
    return {
        "row": item.row, "time": item.time.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), "instrument": item.instrument,
        "side": side, "quantity": plain_decimal(item.quantity), "price": plain_decimal(item.price),
        "costs": plain_decimal(item.commission + item.fees), "exec_id": item.exec_id or "",
    }  # fmt: skip


def _waiting(request: HttpRequest, pk: int) -> Import:
    """The trader's import whose file no format read, still holding it."""
    queryset = Import.objects.owned_by(request.user).filter(
        suggested_mapping__isnull=False, status=Import.Status.FAILED
    )
    return get_object_or_404(queryset.select_related("account"), pk=pk)


def _dry_run(request: HttpRequest, imp: Import) -> Import | None:
    pk = request.GET.get("dry_run", "")
    if not pk.isdigit() or len(pk) > 18:
        return None
    runs = Import.objects.owned_by(request.user).defer("data").filter(format=rules.MAPPED, sha256=imp.sha256)
    return runs.filter(pk=int(pk)).first()


def _page(request: HttpRequest, imp: Import, head: FileHead, mapping: dict, errors: dict, run: Import | None):
    """The page for `mapping` (as posted, or as suggested or dry-run) with its preview and errors."""
    read_by, problems = checked(request, mapping, saving=False)
    errors = {**problems, **errors}
    zone = rules.file_zone(mapping, imp.tz)
    rows, unreadable = preview(head, read_by, zone)
    chosen = {base.normalise_header(column): field for field, column in reversed(mapping["columns"].items())}
    side_column = mapping["columns"].get("side")
    context = {
        "imp": imp, "mapping": mapping, "run": run, "rows": rows, "unreadable": unreadable, "zone": zone,
        "columns": [
            {"index": i, "name": name, "samples": head.samples(i), "field": chosen.get(base.normalise_header(name))}
            for i, name in enumerate(head.header.cells)
        ],
        "fields": [(name, FIELD_LABELS[name]) for name in rules.FIELDS[mapping["level"]]],
        "sides": [(value, (mapping["values"].get("side") or {}).get(value, "")) for value in
                  _side_values(head, side_column, mapping["values"])] if side_column else [],
        "side_choices": [(side, side.replace("_", " ")) for side in rules.SIDES[mapping["level"]]],
        "levels": rules.LEVELS, "zones": time_zones(),
        "errors": {key: texts for key, texts in errors.items() if key in OWN_INPUTS},
        "mapping_errors": [text for key, texts in errors.items() if key not in OWN_INPUTS for text in texts],
    }  # fmt: skip
    return context


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    imp = _waiting(request, pk)
    head = FileHead.of(imp)
    if head is None:  # only a table is ever suggested a mapping
        return redirect("import", pk=imp.pk)
    run = _dry_run(request, imp)
    if request.method != "POST":
        mapping = dict(run.mapping if run is not None else imp.suggested_mapping)
        context = _page(request, imp, head, {**mapping, "values": mapping.get("values") or {}}, {}, run)
        return render(request, "dashboard/import_mapping.html", context)
    mapping, errors = posted(request.POST, head)
    action = request.POST.get("action")
    if not errors and action == "dry_run":
        read_by, errors = checked(request, mapping, saving=False)
        if read_by is not None:
            run = _start(imp, read_by, dry_run=True)
            return redirect(f"{reverse('import-mapping', args=[imp.pk])}?dry_run={run.pk}")
    elif not errors and action == "apply":
        with transaction.atomic():
            saved, errors = checked(request, mapping, saving=True)
            if saved is not None:
                done = _start(imp, saved.rules(), dry_run=False)
                imp.delete()
        if saved is not None:
            messages.success(request, f"The mapping “{saved.name}” is saved: the next file with these columns is "
                             "imported without asking. This file's import is queued.")  # fmt: skip
            return redirect("import", pk=done.pk)
    context = _page(request, imp, head, mapping, errors, run)
    return render(request, "dashboard/import_mapping.html", context, status=400 if context["errors"] else 200)


def _start(imp: Import, mapping: dict, *, dry_run: bool) -> Import:
    return import_create(
        user=imp.user, data=bytes(imp.data), filename=imp.filename, format=rules.MAPPED, account=imp.account,
        tz=imp.tz, dry_run=dry_run, mapping_rules=mapping,
    )  # fmt: skip


@login_required
@require_POST
def import_mapping_preview(request: HttpRequest, pk: int) -> JsonResponse:
    """The side values and the first rows for the mapping the form states, for its script."""
    imp = _waiting(request, pk)
    head = FileHead.of(imp)
    if head is None:
        return error_response("The file is no table.", status=400)
    mapping, errors = posted(request.POST, head)
    context = _page(request, imp, head, mapping, errors, None)
    return JsonResponse({
        "side_values": render_to_string("dashboard/_mapping_sides.html", context, request=request),
        "errors": render_to_string("dashboard/_mapping_errors.html", context, request=request),
        "preview": render_to_string("dashboard/_mapping_preview.html", context, request=request),
    })  # fmt: skip
