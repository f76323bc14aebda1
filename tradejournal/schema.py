"""The OpenAPI schema's shared parts: each operation's scope and the error responses it can give."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from apikeys.scopes import declared_method

ERROR_DESCRIPTIONS = {
    400: ("Malformed JSON", "Malformed JSON: Expecting value: line 1 column 1 (char 0)"),
    401: ("Missing, malformed, unknown, revoked or expired API key", "API key expired."),
    403: ("The key lacks the scope this operation needs", None),
    404: ("No such trade among the key owner's trades", "Not found."),
    413: ("The request body is too large", "Request body too large."),
    415: ("The body is not application/json", 'Unsupported media type "text/plain" in request.'),
    429: (
        "Too many requests for this key (see Retry-After)",
        "Request was throttled. Expected available in 42 seconds.",
    ),
}
REFERENCE_422 = {"error": "Validation failed", "details": {"instrument": ["The instrument field is required."]}}


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    # Absent only when the request is refused as a whole (an Idempotency-Key reused with another body).
    details = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class ApiAutoSchema(AutoSchema):
    """Reads `required_scopes` off each view: the scope goes into the operation (as
    `x-required-scope` and in its description), with the 401/403/404/422/429 answers it implies."""

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
        codes = [401, 429]
        if scope:
            codes.append(403)
        if "{id}" in self.path:
            codes.append(404)
        if self.method in ("POST", "PUT", "PATCH"):
            codes += [400, 413, 415, 422]
        elif "{id}" not in self.path and getattr(self.view, "filterset_class", None) is not None:
            codes.append(422)
        for code in sorted(codes):
            responses.setdefault(str(code), self._error_response(code, scope))
        return responses

    def _error_response(self, code: int, scope: str | None) -> dict:
        if code == 422:
            response = self._get_response_for_code(ValidationErrorSerializer, "422")
            response["description"] = "Validation failed"
            example = REFERENCE_422
        else:
            response = self._get_response_for_code(ErrorSerializer, str(code))
            description, message = ERROR_DESCRIPTIONS[code]
            response["description"] = description
            example = {"error": message or f"Insufficient scope: {scope} required"}
        response["content"]["application/json"]["examples"] = {"error": {"value": example}}
        return response


def without_trailing_slashes(result: dict, generator, request, public) -> dict:
    """Every path works with and without a trailing slash; the schema shows the reference's form."""
    result["paths"] = {path.rstrip("/"): item for path, item in result["paths"].items()}
    return result
