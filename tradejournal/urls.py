"""The site's URL map: the API under /api/v1/, the admin, the dashboard and the health check."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from apikeys.api import CurrentKeyView
from core import metrics, views
from dashboard.forms import AdminSignInForm

api_v1 = [
    re_path(r"^ping/?$", views.PingView.as_view(), name="ping"),
    re_path(r"^key/?$", CurrentKeyView.as_view(), name="api-key"),
    # The schema and its docs are public, like the reference's documentation site.
    re_path(r"^schema/?$", SpectacularAPIView.as_view(**views.PUBLIC), name="schema"),
    re_path(
        r"^docs/?$",
        views.same_origin_only(SpectacularSwaggerView.as_view(url_name="schema", **views.PUBLIC)),
        name="docs",
    ),
    re_path(
        r"^redoc/?$",
        views.same_origin_only(
            SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html", **views.PUBLIC)
        ),
        name="redoc",
    ),
    path("", include("imports.urls")),  # before the journal's: /trades/export is not a trade id
    path("", include("journal.urls")),
    path("", include("leaderboard.urls")),
    path("", include("analytics.urls")),
    path("", include("daynotes.urls")),
    path("", include("attachments.urls")),
    path("", include("webhooks.urls")),
    # Everything else under /api/v1/ is a JSON 404, never an HTML page or a redirect.
    re_path(r"^(?P<path>.*)$", views.api_not_found),
]

# The admin's sign-in is rate-limited like the dashboard's.
admin.site.login_form = AdminSignInForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Scraped from each app server directly; the load balancer does not serve it.
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("", include("dashboard.urls")),
    # Browsers and feed readers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("dashboard/favicon.svg"), permanent=True)),
    path("", RedirectView.as_view(pattern_name="dashboard", permanent=False)),
]
