"""The web journal's account pages: API keys (generate, revoke), the leaderboard profile, sign-up."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apikeys.models import ApiKey
from dashboard.forms import GenerateKeyForm, SignupForm
from leaderboard.forms import TraderProfileForm
from leaderboard.models import TraderProfile


def profile_form(user, data=None) -> TraderProfileForm:
    profile = TraderProfile.objects.filter(user=user).first() or TraderProfile(user=user)
    return TraderProfileForm(data, instance=profile)


def render_dashboard(
    request: HttpRequest,
    *,
    form: GenerateKeyForm | None = None,
    profile: TraderProfileForm | None = None,
    new_key: str | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "keys": ApiKey.objects.owned_by(request.user),
        "form": form or GenerateKeyForm(),
        "profile_form": profile or profile_form(request.user),
        "new_key": new_key,
        "api_base": request.build_absolute_uri("/api/v1"),
    }
    return render(request, "dashboard/keys.html", context, status=status)


# The page that shows a new key must never be stored by a browser or a proxy. A reload of it
# (GET) shows the keys again, never the key.
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def keys(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render_dashboard(request)
    form = GenerateKeyForm(request.POST)
    if not form.is_valid():
        return render_dashboard(request, form=form, status=400)
    _, key = ApiKey.objects.create_key(
        user=request.user,
        name=form.cleaned_data["name"],
        scopes=form.cleaned_data["scopes"],
        expires_at=form.expires_at(),
    )
    # Rendered in this response, never stored: this page is the only place the key appears.
    return render_dashboard(request, new_key=key)


@login_required
@require_POST
def revoke_key(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey.objects.owned_by(request.user), pk=pk)
    key.revoke()
    messages.success(request, f"Key “{key.name}” ({key.display_prefix}) is revoked; it stops working at once.")
    return redirect("keys")


@login_required
@require_POST
def save_profile(request: HttpRequest) -> HttpResponse:
    form = profile_form(request.user, request.POST)
    if not form.is_valid():
        return render_dashboard(request, profile=form, status=400)
    form.save()
    messages.success(request, "Leaderboard profile saved.")
    return redirect("keys")


def signup(request: HttpRequest) -> HttpResponse:
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is disabled on this server.")
    form = SignupForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.save())
        return redirect("dashboard")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)
