"""The journal: trades, their API and their statistics."""

from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "journal"
