"""API keys: bearer authentication, scopes, rate limits and their admin — the foundation the other apps use."""

from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self) -> None:
        from apikeys import schema  # noqa: F401  (registers the OpenAPI security scheme)
