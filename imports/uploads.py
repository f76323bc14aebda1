"""What a POST /api/v1/imports carries, read and checked: the file's bytes and name (a raw body, a
multipart `file`, or JSON fills written as the generic format reads them) and the parameters, from
the query string or the form (the same in both when given twice)."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.http import QueryDict
from django.utils.http import parse_header_parameters
from rest_framework import serializers

from core.exceptions import PayloadTooLarge, unknown_fields
from core.renderers import dumps
from imports.parsers import RawFile
from imports.serializers import (
    AUTO,
    PARAMETERS,
    ExecutionsInputSerializer,
    ImportParametersSerializer,
)
from journal.models import Account
from journal.zones import zone_of

FILE_REQUIRED = "The file field is required: send the file as the body, as a multipart `file`, or JSON fills."
GIVEN_TWICE = "Given in both the query string and the form, with different values."
JSON_IS_GENERIC = "JSON fills are read as the generic format: leave format out (or send the file as a file)."


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str
    format: str
    account: Account | None  # one of the owner's
    tz: str
    dry_run: bool
    mapping: dict | None  # with format=mapped: the mapping the file is read by
    fingerprint: bytes  # what makes two uploads the same request, for Idempotency-Key


def read_upload(request) -> Upload:
    """The upload of `request`; ValidationError (422) when something in it is wrong."""
    data, form = request.data, {}
    if isinstance(data, RawFile):
        content = data.content
        disposition = request.headers.get("Content-Disposition", "")
        filename = parse_header_parameters(disposition)[1].get("filename", "") if disposition else ""
    elif isinstance(data, QueryDict):  # multipart (an empty body parses to an empty QueryDict too)
        content, filename, form = _form(request)
    elif isinstance(data, dict) and data:
        content, filename = _json_fills(data), ""
    else:
        raise serializers.ValidationError({"file": [FILE_REQUIRED]})
    params = _parameters(request, form)
    if not isinstance(data, RawFile | QueryDict):
        if params.get("format", AUTO) not in (AUTO, "generic"):
            raise serializers.ValidationError({"format": [JSON_IS_GENERIC]})
        params["format"] = "generic"
    given = {name: request.query_params.get(name, form.get(name, "")) for name in PARAMETERS}
    fingerprint = b"\n".join([hashlib.sha256(content).digest(), filename.encode(), dumps(given, sort_keys=True)])
    return Upload(
        data=content, filename=filename, format=params.get("format", AUTO), account=params.get("account"),
        tz=params.get("tz") or zone_of(request.user), dry_run=params.get("dry_run", False),
        mapping=params.get("mapping"), fingerprint=fingerprint,
    )  # fmt: skip


def _form(request) -> tuple[bytes, str, dict]:
    # request.data holds the form's fields and its files.
    unknown = set(request.data) - {*PARAMETERS, "file"}
    if unknown:
        raise unknown_fields(unknown)
    files = request.FILES.getlist("file")
    if len(files) != 1:
        raise serializers.ValidationError({"file": [FILE_REQUIRED if not files else "Send one file per import."]})
    upload = files[0]
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise PayloadTooLarge()
    form = {name: request.data.get(name) for name in PARAMETERS if name in request.data}
    return upload.read(), upload.name or "", form


def _json_fills(data: dict) -> bytes:
    serializer = ExecutionsInputSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return dumps({"executions": serializer.data["executions"]})


def _parameters(request, form: dict) -> dict:
    values = {}
    for name in PARAMETERS:
        in_query, in_form = request.query_params.get(name), form.get(name)
        if in_query is not None and in_form is not None and in_query != in_form:
            raise serializers.ValidationError({name: [GIVEN_TWICE]})
        value = in_form if in_form is not None else in_query
        if value is not None:
            values[name] = value
    serializer = ImportParametersSerializer(data=values, user=request.user)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
