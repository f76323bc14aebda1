"""`GET /api/v1/leaderboard`: the top 25 traders of the last 30 days."""

from django.http import HttpResponse
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.scopes import LEADERBOARD_READ
from journal import examples
from journal.serializers import figure
from leaderboard.snapshot import ANSWER_KEY, Snapshot


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    user = serializers.CharField(help_text="The trader's public display name")
    trades = serializers.IntegerField(help_text="Trades closed in the last 30 days")
    pnl = figure(help_text="Their net P&L")


class LeaderboardView(APIView):
    required_scopes = {"GET": LEADERBOARD_READ}
    response_headers = {"Last-Modified": ("string", "When the snapshot served was computed.", (200,))}

    def prefetch_keys(self, request, user_id: int) -> list[str]:
        """The snapshot's answer, read in authentication's Redis round trip (leaderboard/snapshot.py)."""
        return [ANSWER_KEY] if request.method == "GET" else []

    @extend_schema(
        summary="Get leaderboard",
        description="The top 25 traders ranked by net P&L over the last 30 days (minimum 5 trades). "
        "Served from a snapshot at most 60 seconds old (see Last-Modified).",
        responses=LeaderboardRowSerializer(many=True),
        examples=[examples.LEADERBOARD],
    )
    def get(self, request) -> HttpResponse:
        snapshot = Snapshot()
        answer = snapshot.answer(getattr(request, "prefetched", None))
        # Last-Modified tells clients how fresh the snapshot is (it may be up to a minute old).
        if answer is not None:
            body, computed_at = answer
            return HttpResponse(
                body, content_type="application/json", headers={"Last-Modified": http_date(computed_at)}
            )
        rows, computed_at = snapshot.get()
        return Response(rows, headers={"Last-Modified": http_date(computed_at)})
