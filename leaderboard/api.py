"""`GET /api/v1/leaderboard`: the top 25 traders of the last 30 days."""

from django.utils.http import http_date
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.scopes import LEADERBOARD_READ
from journal import examples
from journal.serializers import figure
from leaderboard.snapshot import Snapshot


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    user = serializers.CharField(help_text="The trader's public display name")
    trades = serializers.IntegerField(help_text="Trades closed in the last 30 days")
    pnl = figure(help_text="Their net P&L")


class LeaderboardView(APIView):
    required_scopes = {"GET": LEADERBOARD_READ}
    response_headers = {"Last-Modified": ("string", "When the snapshot served was computed.", (200,))}

    @extend_schema(
        summary="Get leaderboard",
        description="The top 25 traders ranked by net P&L over the last 30 days (minimum 5 trades). "
        "Served from a snapshot at most 60 seconds old (see Last-Modified).",
        responses=LeaderboardRowSerializer(many=True),
        examples=[examples.LEADERBOARD],
    )
    def get(self, request) -> Response:
        rows, computed_at = Snapshot().get()
        # Tells clients how fresh the snapshot is (it may be up to a minute old).
        return Response(rows, headers={"Last-Modified": http_date(computed_at)})
