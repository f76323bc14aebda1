"""The 30-day leaderboard: rankings computed by the database and served from a shared snapshot."""

from django.apps import AppConfig


class LeaderboardConfig(AppConfig):
    name = "leaderboard"
