"""Dashboard action: save the trader's leaderboard profile."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from leaderboard.forms import TraderProfileForm
from leaderboard.models import TraderProfile


def profile_form(user, data=None) -> TraderProfileForm:
    profile = TraderProfile.objects.filter(user=user).first() or TraderProfile(user=user)
    return TraderProfileForm(data, instance=profile)


@login_required
@require_POST
def save_profile(request: HttpRequest) -> HttpResponse:
    form = profile_form(request.user, request.POST)
    if not form.is_valid():
        from apikeys.views import render_dashboard  # the page is the key dashboard's

        return render_dashboard(request, profile_form=form, status=400)
    form.save()
    return redirect("dashboard")
