"""The web journal's leaderboard page: GET /api/v1/leaderboard's snapshot as a table, and how the
signed-in trader appears on it (or why not)."""

from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.exceptions import ServiceUnavailable
from dashboard.charts import money
from leaderboard.models import TraderProfile
from leaderboard.rankings import MIN_TRADES, SIZE, WINDOW_DAYS
from leaderboard.snapshot import Snapshot


@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    profile = TraderProfile.objects.filter(user=request.user).first()
    public_name = (profile and profile.display_name) or request.user.get_username()
    context = {
        "public_name": public_name,
        "hidden": bool(profile and profile.hidden_from_leaderboard),
        "currency": settings.LEADERBOARD_CURRENCY,
        "window_days": WINDOW_DAYS,
        "min_trades": MIN_TRADES,
        "size": SIZE,
    }
    try:
        rows, computed_at = Snapshot().get()
    except ServiceUnavailable as exc:
        return render(request, "dashboard/leaderboard.html", {**context, "unavailable": exc.detail}, status=503)
    context.update(
        rows=[{**row, "me": row["user"] == public_name, "pnl_text": money(row["pnl"], signed=True)} for row in rows],
        computed_at=datetime.fromtimestamp(computed_at, tz=UTC),
    )
    context["ranked"] = any(row["me"] for row in context["rows"])
    return render(request, "dashboard/leaderboard.html", context)
