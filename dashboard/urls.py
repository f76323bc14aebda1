"""URLs of the web journal (under /dashboard/) and the account pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from dashboard import imports, leaderboard, views
from dashboard.forms import SignInForm

urlpatterns = [
    path("dashboard/", views.overview, name="dashboard"),
    path("dashboard/keys/", views.keys, name="keys"),
    path("dashboard/keys/<int:pk>/revoke/", views.revoke_key, name="revoke-key"),
    path("dashboard/profile/", views.save_profile, name="save-profile"),
    # Import pages (upload and history, an import's progress, report and undo) and the leaderboard.
    path("dashboard/imports/", imports.imports, name="imports"),
    path("dashboard/imports/<int:pk>/", imports.import_detail, name="import"),
    path("dashboard/imports/<int:pk>/progress.json", imports.import_progress, name="import-progress"),
    path("dashboard/imports/<int:pk>/undo/", imports.import_undo_view, name="import-undo"),
    path("dashboard/leaderboard/", leaderboard.leaderboard, name="leaderboard"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
]
