"""The leaderboard's API route."""

from django.urls import re_path

from leaderboard.api import LeaderboardView

urlpatterns = [re_path(r"^leaderboard/?$", LeaderboardView.as_view(), name="api-leaderboard")]
