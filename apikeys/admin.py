"""The admin for API keys: listed by owner and prefix, created with the secret shown once."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from apikeys.forms import AdminApiKeyForm
from apikeys.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = AdminApiKeyForm
    list_display = [
        "display_prefix",
        "name",
        "user",
        "scope_list",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "expires_at", "created_at"]
    search_fields = ["prefix", "user__username", "name"]
    list_select_related = ["user"]
    readonly_fields = ["display_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]
    autocomplete_fields = ["user"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "scopes", "expires_at"]
        return ["display_prefix", "user", "name", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        # A key's owner is fixed: moving a key would hand its holder another user's trades.
        return [*self.readonly_fields, "user"] if obj else self.readonly_fields

    @admin.display(description="Prefix", ordering="prefix")
    def display_prefix(self, obj: ApiKey) -> str:
        return obj.display_prefix

    @admin.display(description="Scopes")
    def scope_list(self, obj: ApiKey) -> str:
        return obj.scope_list()

    def save_model(self, request, obj: ApiKey, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created, key = ApiKey.objects.create_key(
            user=obj.user, name=obj.name, scopes=obj.scopes, expires_at=obj.expires_at
        )
        obj.pk, obj.prefix = created.pk, created.prefix
        obj._state.adding = False
        obj.secret_for_display = key

    def response_add(self, request, obj: ApiKey, post_url_continue=None):
        # Rendered, not redirected: the secret must not pass through the session or a cookie.
        context = {
            **self.admin_site.each_context(request),
            "api_key": obj,
            "key": obj.secret_for_display,
            "opts": self.model._meta,
            "title": "API key created",
        }
        return TemplateResponse(request, "apikeys/admin/key_created.html", context)

    @admin.action(description="Revoke selected API keys")
    def revoke(self, request, queryset) -> None:
        keys = list(queryset.filter(revoked_at__isnull=True))
        for api_key in keys:
            api_key.revoke()
        self.message_user(request, f"Revoked {len(keys)} API key(s).", messages.SUCCESS)
