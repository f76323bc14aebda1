"""Day notes: a trader's Markdown note on each trading day, its API and its safe rendering."""

from django.apps import AppConfig


class DayNotesConfig(AppConfig):
    name = "daynotes"
    verbose_name = "day notes"
