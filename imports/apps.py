"""Broker imports: files and fills in, trades built from executions, the journal exported."""

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
