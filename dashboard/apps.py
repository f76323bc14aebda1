"""The web dashboard: a trader signs up, signs in, manages API keys and their leaderboard profile."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
