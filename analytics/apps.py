"""Analytics: where a trader's edge is — breakdowns, the equity curve and its drawdowns, the P&L
calendar, R-multiples and streaks, each figure defined once and computed by the database."""

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
