"""The analytics routes; every path works with and without a trailing slash."""

from django.urls import re_path

from analytics.api import BreakdownView, CalendarView, EquityView, RiskView

urlpatterns = [
    re_path(r"^stats/breakdown/?$", BreakdownView.as_view(), name="stats-breakdown"),
    re_path(r"^stats/equity/?$", EquityView.as_view(), name="stats-equity"),
    re_path(r"^stats/calendar/?$", CalendarView.as_view(), name="stats-calendar"),
    re_path(r"^stats/risk/?$", RiskView.as_view(), name="stats-risk"),
]
