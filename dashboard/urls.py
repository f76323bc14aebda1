"""URLs of the web journal (under /dashboard/) and the account pages."""

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from dashboard import (
    attachments,
    bulk,
    daynotes,
    imports,
    keys,
    leaderboard,
    mapping,
    overview,
    signup,
    structure,
    trades,
    webhooks,
)
from dashboard.forms import SignInForm


class RecordId:
    """A record's id in a path: at most 18 digits, like the API's routes (ids are 64-bit; a longer
    number is no record of ours and must not reach the database)."""

    regex = "[0-9]{1,18}"
    to_python = staticmethod(int)
    to_url = staticmethod(str)


register_converter(RecordId, "id")
register_converter(daynotes.Day, "day")

# The journal's menu, in order, as the base template shows it (dashboard.context_processors.menu):
# (route name, label, the prefixes of the route names on which the entry is the current page).
MENU = [
    ("dashboard", "Overview", ("dashboard",)),
    ("trades", "Trades", ("trade",)),
    ("day-notes-page", "Day notes", ("day-note",)),
    ("imports", "Import", ("import",)),
    ("accounts", "Accounts", ("account",)),
    ("tags", "Tags", ("tag",)),
    ("leaderboard", "Leaderboard", ("leaderboard",)),
    ("webhooks", "Webhooks", ("webhook",)),
    ("keys", "API keys", ("keys", "revoke-key", "save-profile")),
    ("redoc", "API docs", ()),
]

urlpatterns = [
    # The Overview: stats, equity curve, P&L calendar and breakdowns of the filtered trades.
    path("dashboard/", overview.overview, name="dashboard"),
    path("dashboard/keys/", keys.keys, name="keys"),
    path("dashboard/keys/<int:pk>/revoke/", keys.revoke_key, name="revoke-key"),
    path("dashboard/profile/", keys.save_profile, name="save-profile"),
    path("dashboard/profile/time-zone/", keys.save_time_zone, name="save-time-zone"),
    # Trades, accounts and tags: the trade list, a trade, its add/edit/delete forms; accounts; tags.
    path("dashboard/trades/", trades.trade_list, name="trades"),
    path("dashboard/trades/new/", trades.trade_new, name="trade-new"),
    path("dashboard/trades/bulk/", bulk.trades_bulk, name="trades-bulk"),
    path("dashboard/trades/multiplier/", trades.trade_multiplier, name="trade-multiplier"),
    path("dashboard/trades/<id:pk>/", trades.trade_detail, name="trade"),
    path("dashboard/trades/<id:pk>/edit/", trades.trade_edit, name="trade-edit"),
    path("dashboard/trades/<id:pk>/delete/", trades.trade_delete, name="trade-delete"),
    # A trade's screenshots and PDFs: upload, the file, its thumbnail, its deletion.
    path("dashboard/trades/<id:pk>/attachments/", attachments.attachment_upload, name="trade-attachment-upload"),
    path(
        "dashboard/trades/<id:pk>/attachments/<id:aid>/", attachments.attachment_file, name="trade-attachment-page-file"
    ),
    path(
        "dashboard/trades/<id:pk>/attachments/<id:aid>/thumbnail/",
        attachments.attachment_thumbnail,
        name="trade-attachment-thumbnail",
    ),
    path(
        "dashboard/trades/<id:pk>/attachments/<id:aid>/delete/",
        attachments.attachment_delete_page,
        name="trade-attachment-delete",
    ),
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
    # A file no format reads: its columns mapped to our fields, previewed, dry-run and imported.
    path("dashboard/imports/<id:pk>/mapping/", mapping.import_mapping, name="import-mapping"),
    path("dashboard/imports/<id:pk>/mapping/preview/", mapping.import_mapping_preview, name="import-mapping-preview"),
    path("dashboard/leaderboard/", leaderboard.leaderboard, name="leaderboard"),
    # Day notes: all of them, a day's (write, edit) and its deletion.
    path("dashboard/days/", daynotes.day_notes, name="day-notes-page"),
    path("dashboard/days/<day:day>/", daynotes.day_note_page, name="day-note-page"),
    path("dashboard/days/<day:day>/delete/", daynotes.day_note_delete_page, name="day-note-delete"),
    # Webhooks: the endpoints, one's delivery log, and what can be done to it.
    path("dashboard/webhooks/", webhooks.webhooks, name="webhooks"),
    path("dashboard/webhooks/<id:pk>/", webhooks.webhook_detail, name="webhook"),
    path("dashboard/webhooks/<id:pk>/toggle/", webhooks.webhook_toggle, name="webhook-toggle"),
    path("dashboard/webhooks/<id:pk>/rotate/", webhooks.webhook_rotate, name="webhook-rotate"),
    path("dashboard/webhooks/<id:pk>/test/", webhooks.webhook_test, name="webhook-test"),
    path("dashboard/webhooks/<id:pk>/delete/", webhooks.webhook_delete, name="webhook-delete"),
    path(
        "dashboard/webhooks/<id:pk>/deliveries/<id:delivery_id>/redeliver/",
        webhooks.webhook_redeliver,
        name="webhook-redeliver-page",
    ),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", signup.signup, name="signup"),
]
