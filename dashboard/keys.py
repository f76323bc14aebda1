"""The web journal's keys page: API keys (generate, revoke), the trader's leaderboard profile and their
time zone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apikeys.models import ApiKey
from dashboard.forms import GenerateKeyForm, TimeZoneForm
from journal.zones import time_zone_set, zone_of
from leaderboard.forms import TraderProfileForm
from leaderboard.models import TraderProfile


def profile_form(user, data=None) -> TraderProfileForm:
    profile = TraderProfile.objects.filter(user=user).first() or TraderProfile(user=user)
    return TraderProfileForm(data, instance=profile)


def render_keys_page(
    request: HttpRequest,
    *,
    form: GenerateKeyForm | None = None,
    profile: TraderProfileForm | None = None,
    zone: TimeZoneForm | None = None,
    new_key: str | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "keys": ApiKey.objects.owned_by(request.user),
        "form": form or GenerateKeyForm(),
        "profile_form": profile or profile_form(request.user),
        "zone_form": zone or TimeZoneForm(initial={"time_zone": zone_of(request.user)}),
        "new_key": new_key,
        "trades_url": request.build_absolute_uri(reverse("trade-list")),
    }
    return render(request, "dashboard/keys.html", context, status=status)


# The page that shows a new key must never be stored by a browser or a proxy. A reload of it
# (GET) shows the keys again, never the key.
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def keys(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render_keys_page(request)
    form = GenerateKeyForm(request.POST)
    if not form.is_valid():
        return render_keys_page(request, form=form, status=400)
    _, key = ApiKey.objects.create_key(
        user=request.user,
        name=form.cleaned_data["name"],
        scopes=form.cleaned_data["scopes"],
        expires_at=form.expires_at(),
    )
    # Rendered in this response, never stored: this page is the only place the key appears.
    return render_keys_page(request, new_key=key)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def revoke_key(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first (GET), as every deletion in the web journal does; revokes on the confirmation (POST)."""
    key = get_object_or_404(ApiKey.objects.owned_by(request.user), pk=pk)
    if request.method != "POST":
        context = {
            "title": f"Revoke key “{key.name}”?", "action": "Revoke", "cancel": reverse("keys"),
            "what": f"{key.display_prefix}…, {key.scope_list()}. Whatever uses it is refused from its next request.",
        }  # fmt: skip
        return render(request, "dashboard/confirm_delete.html", context)
    key.revoke()
    messages.success(request, f"Key “{key.name}” ({key.display_prefix}) is revoked; it stops working at once.")
    return redirect("keys")


@login_required
@require_POST
def save_profile(request: HttpRequest) -> HttpResponse:
    form = profile_form(request.user, request.POST)
    if not form.is_valid():
        return render_keys_page(request, profile=form, status=400)
    form.save()
    messages.success(request, "Leaderboard profile saved.")
    return redirect("keys")


@login_required
@require_POST
def save_time_zone(request: HttpRequest) -> HttpResponse:
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return render_keys_page(request, zone=form, status=400)
    time_zone_set(user=request.user, time_zone=form.cleaned_data["time_zone"])
    messages.success(
        request, f"Time zone saved: your pages and your keys' default tz are now in {form.cleaned_data['time_zone']}."
    )
    return redirect("keys")
