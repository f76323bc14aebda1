"""The project package as an app: it owns the shared cache table's migration."""

from django.apps import AppConfig


class TradeJournalConfig(AppConfig):
    name = "tradejournal"
    verbose_name = "TradeJournal"
