"""The site's URL map: the API under /api/v1/, the admin, the dashboard and the health check."""

from django.contrib import admin
from django.urls import include, path, re_path

from tradejournal import views

api_v1 = [
    # Everything else under /api/v1/ is a JSON 404, never an HTML page or a redirect.
    re_path(r"^(?P<path>.*)$", views.api_not_found),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]
