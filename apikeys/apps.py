"""API keys: bearer authentication, scopes, rate limits and their admin — the foundation the other apps use."""

from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from apikeys import keycache, schema  # noqa: F401  (schema registers the OpenAPI security scheme)

        # The one place signals are used: the user model is Django's, deactivated or deleted
        # through its admin and commands, and a remembered key must not outlive its owner's access.
        post_save.connect(keycache.owner_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="apikeys-owner")
        post_delete.connect(keycache.owner_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="apikeys-owner")
