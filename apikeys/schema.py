"""How the OpenAPI schema describes our bearer API keys."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "tj_<prefix>_<secret>",
            "description": "An API key from the dashboard. Each operation names the scope it needs "
            "(`x-required-scope`); one scope never implies another.",
        }
