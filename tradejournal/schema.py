"""The OpenAPI schema's shared parts: each operation's scope and the error responses it can give."""

import re

from drf_spectacular.openapi import AutoSchema

from apikeys.authentication import KEY_EXPIRED
from apikeys.permissions import insufficient_scope
from apikeys.scopes import declared_method
from core import fields, outage, wire
from core.errors import ErrorSerializer, ValidationErrorSerializer, error_body
from core.exceptions import NOT_FOUND, TOO_LARGE, VALIDATION_FAILED
from core.fields import IdField

# Each error code's description, and the message of its example (None: the operation's own).
ERROR_DESCRIPTIONS = {
    400: ("Malformed JSON", "Malformed JSON: Expecting value: line 1 column 1 (char 0)"),
    401: ("Missing, malformed, unknown, revoked or expired API key", KEY_EXPIRED),
    403: ("The key lacks the scope this operation needs", None),
    404: ("Not found among the key owner's records", NOT_FOUND),
    409: ("The resource's current state refuses this (the error says why)", None),
    413: ("The request body is too large", TOO_LARGE),
    415: ("The body is not application/json", 'Unsupported media type "text/plain" in request.'),
    429: (
        "Too many requests for this key (see Retry-After)",
        "Request was throttled. Expected available in 42 seconds.",
    ),
    503: ("A dependency is briefly unavailable (see Retry-After)", outage.DATABASE_UNAVAILABLE),
}
REFERENCE_422 = error_body(VALIDATION_FAILED, {"instrument": ["The instrument field is required."]})

# Ids are 64-bit; the routes take at most 18 digits.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": IdField.MAX_ID}
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": ("integer", "Requests this key may make per window (API_KEY_RATE_LIMIT)."),
    "X-RateLimit-Remaining": ("integer", "Requests left in the current window."),
}
RETRY_AFTER = {"Retry-After": ("integer", "Seconds to wait before retrying.")}


def _headers(spec: dict[str, tuple[str, str]]) -> dict:
    return {name: {"schema": {"type": kind}, "description": text} for name, (kind, text) in spec.items()}


class ApiAutoSchema(AutoSchema):
    """Reads `required_scopes` off each view: the scope goes into the operation (as
    `x-required-scope` and in its description), with the 401/403/404/422/429 answers it implies
    (and a 409 where the view's `conflicts` names one for the method, with its example message).

    It also states what the server enforces and generic generation would miss: request bodies take
    no property they don't list (`additionalProperties: false`; fields a client may echo back are
    listed as ignored), ids are integers, every GET with filters documents them, and the headers
    responses carry are described."""

    def get_filter_backends(self) -> list:
        # Filters apply to every collection GET (the stats too), never to one object by id.
        if self.method == "GET" and "{id}" not in self.path and getattr(self.view, "filterset_class", None):
            return list(getattr(self.view, "filter_backends", []))
        return []

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"].endswith("id"):  # a record's id: `id`, or a nested record's (`aid`)
                parameter["schema"] = dict(ID_SCHEMA)
        return parameters

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request":
            schema["additionalProperties"] = False
            if getattr(serializer, "ignored_fields", ()):
                schema["x-ignored"] = list(serializer.ignored_fields)  # listed by list_ignored_properties
        return schema

    def _insert_field_validators(self, field, schema) -> None:
        super()._insert_field_validators(field, schema)
        # drf-spectacular offers "" beside a blank-allowing string that has a pattern; where the
        # pattern matches "" already, a oneOf would match it twice, i.e. not at all.
        blank = isinstance(field, fields.TextField) and field.allow_blank and "oneOf" in schema
        if blank and re.search(field.pattern or wire.TEXT_PATTERN, ""):
            schema.update(schema.pop("oneOf")[0])

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        # A view whose bodies are all free-form (files) still needs one: it says so.
        if body is not None and getattr(self.view, "request_body_required", False):
            body["required"] = True
        return body

    def _get_response_headers_for_code(self, status_code, direction="response") -> dict:
        headers = super()._get_response_headers_for_code(status_code, direction)
        authenticated, _ = self._required_scope()
        code = int(status_code) if str(status_code).isdigit() else 0
        if authenticated and code not in (401,):
            headers.update(_headers(RATE_LIMIT_HEADERS))
        if code in (429, 503):
            headers.update(_headers(RETRY_AFTER))
        for name, (kind, text, codes) in getattr(self.view, "response_headers", {}).items():
            if code in codes:
                headers[name] = {"schema": {"type": kind}, "description": text}
        return headers

    def _required_scope(self) -> tuple[bool, str | None]:
        scopes = getattr(self.view, "required_scopes", None)
        if scopes is None:
            return False, None
        return True, scopes.get(declared_method(self.method))

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        authenticated, scope = self._required_scope()
        if operation is not None and authenticated:
            operation["x-required-scope"] = scope
            note = f"Requires scope `{scope}`." if scope else "Any valid API key."
            operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()
        return operation

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        authenticated, scope = self._required_scope()
        if not authenticated:
            return responses
        codes = [401, 429, 503]
        if scope:
            codes.append(403)
        if "{" in self.path:  # a record named in the path: someone else's, or none, is not found
            codes.append(404)
        if self.method in getattr(self.view, "conflicts", {}):
            codes.append(409)
        if self.method in ("POST", "PUT", "PATCH"):
            codes += [400, 413, 415, 422]
        elif "{" not in self.path and getattr(self.view, "filterset_class", None) is not None:
            codes.append(422)
        elif self.method == "GET" and getattr(self.view, "pagination_class", None) and self._is_list_view():
            codes.append(422)  # a bad page or per_page
        for code in sorted(codes):
            responses.setdefault(str(code), self._error_response(code, scope))
        return responses

    def _error_response(self, code: int, scope: str | None) -> dict:
        if code == 422:
            response = self._get_response_for_code(ValidationErrorSerializer, "422", ["application/json"])
            response["description"] = "Validation failed"
            example = REFERENCE_422
        else:
            # Errors are JSON, also where the operation answers something else (the CSV export).
            response = self._get_response_for_code(ErrorSerializer, str(code), ["application/json"])
            description, message = ERROR_DESCRIPTIONS[code]
            response["description"] = description
            if code == 409:
                message = self.view.conflicts[self.method]
            example = error_body(message or insufficient_scope(scope))
        response["content"]["application/json"]["examples"] = {"error": {"value": example}}
        return response


def without_trailing_slashes(result: dict, generator, request, public) -> dict:
    """Every path works with and without a trailing slash; the schema shows the reference's form."""
    result["paths"] = {path.rstrip("/"): item for path, item in result["paths"].items()}
    return result


def link_created_resources(result: dict, generator, request, public) -> dict:
    """A 201 (or 202) links to every operation on the new resource (`{collection}/{id}` with its `id`)
    and on what hangs from it (`{collection}/{id}/...`), so clients and tools follow the id the server
    returned, not one they made up."""
    for path, item in result["paths"].items():
        responses = item.get("post", {}).get("responses", {})
        created = responses.get("201") or responses.get("202")  # 202: accepted, to be worked on
        resource = f"{path}/{{id}}"
        if created is None or resource not in result["paths"]:
            continue
        created["links"] = {
            operation["operationId"]: {
                "operationId": operation["operationId"],
                "parameters": {"id": "$response.body#/id"},
            }
            for other, operations in result["paths"].items()
            if other == resource or other.startswith(f"{resource}/")
            for operation in operations.values()
            if isinstance(operation, dict) and "operationId" in operation
        }
    return result


def list_ignored_properties(result: dict, generator, request, public) -> dict:
    """Properties a request may echo from a response (`id`, `pnl`, ...) are listed in the request
    body as read-only and ignored: sending them back is allowed, setting them is not possible.
    (Added after drf-spectacular has dropped read-only properties from request components.)"""
    for schema in result.get("components", {}).get("schemas", {}).values():
        for name in schema.pop("x-ignored", ()):
            schema.setdefault("properties", {})[name] = {
                "readOnly": True,
                "description": "Set by the server; ignored if sent (a trade read with GET may be sent back as is).",
            }
    return result
