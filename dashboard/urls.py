"""URLs of the web journal (under /dashboard/) and the account pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from dashboard import overview, views
from dashboard.forms import SignInForm

urlpatterns = [
    # The Overview: stats, equity curve, P&L calendar and breakdowns of the filtered trades.
    path("dashboard/", overview.overview, name="dashboard"),
    path("dashboard/keys/", views.keys, name="keys"),
    path("dashboard/keys/<int:pk>/revoke/", views.revoke_key, name="revoke-key"),
    path("dashboard/profile/", views.save_profile, name="save-profile"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
]
