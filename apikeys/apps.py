"""API keys: bearer authentication, scopes, rate limits, their admin and the key dashboard."""

from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"
