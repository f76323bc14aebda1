"""URLs of the web journal (under /dashboard/) and the account pages."""

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from dashboard import imports, leaderboard, overview, structure, trades, views
from dashboard.forms import SignInForm


class RecordId:
    """A record's id in a path: at most 18 digits, like the API's routes (ids are 64-bit; a longer
    number is no record of ours and must not reach the database)."""

    regex = "[0-9]{1,18}"
    to_python = staticmethod(int)
    to_url = staticmethod(str)


register_converter(RecordId, "id")

urlpatterns = [
    # The Overview: stats, equity curve, P&L calendar and breakdowns of the filtered trades.
    path("dashboard/", overview.overview, name="dashboard"),
    path("dashboard/keys/", views.keys, name="keys"),
    path("dashboard/keys/<int:pk>/revoke/", views.revoke_key, name="revoke-key"),
    path("dashboard/profile/", views.save_profile, name="save-profile"),
    # Trades, accounts and tags: the trade list, a trade, its add/edit/delete forms; accounts; tags.
    path("dashboard/trades/", trades.trade_list, name="trades"),
    path("dashboard/trades/new/", trades.trade_new, name="trade-new"),
    path("dashboard/trades/<id:pk>/", trades.trade_detail, name="trade"),
    path("dashboard/trades/<id:pk>/edit/", trades.trade_edit, name="trade-edit"),
    path("dashboard/trades/<id:pk>/delete/", trades.trade_delete, name="trade-delete"),
    path("dashboard/accounts/", structure.accounts, name="accounts"),
    path("dashboard/accounts/<id:pk>/edit/", structure.account_edit, name="account-edit"),
    path("dashboard/accounts/<id:pk>/delete/", structure.account_delete_page, name="account-delete"),
    path("dashboard/tags/", structure.tags, name="tags"),
    path("dashboard/tags/<id:pk>/edit/", structure.tag_edit, name="tag-edit"),
    path("dashboard/tags/<id:pk>/delete/", structure.tag_delete, name="tag-delete"),
    # Import pages (upload and history, an import's progress, report and undo) and the leaderboard.
    path("dashboard/imports/", imports.imports, name="imports"),
    path("dashboard/imports/<id:pk>/", imports.import_detail, name="import"),
    path("dashboard/imports/<id:pk>/progress.json", imports.import_progress, name="import-progress"),
    path("dashboard/imports/<id:pk>/undo/", imports.import_undo_view, name="import-undo"),
    path("dashboard/leaderboard/", leaderboard.leaderboard, name="leaderboard"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
]
