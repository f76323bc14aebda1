"""`GET /api/v1/leaderboard`: the top 25 traders of the last 30 days."""

from django.utils.http import http_date
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.scopes import LEADERBOARD_READ
from leaderboard.snapshot import Snapshot


class LeaderboardView(APIView):
    required_scopes = {"GET": LEADERBOARD_READ}

    def get(self, request) -> Response:
        rows, computed_at = Snapshot().get()
        # Tells clients how fresh the snapshot is (it may be up to a minute old).
        return Response(rows, headers={"Last-Modified": http_date(computed_at)})
