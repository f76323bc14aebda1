"""The admin for imports (read-only records of what each file did), executions and corporate actions."""

from django.contrib import admin

from imports.models import CorporateAction, Execution, Import


@admin.register(Import)
class ImportAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "status", "format", "filename", "dry_run", "rows_total", "executions_created",
                    "duplicates", "trades_created", "trades_updated", "created_at", "finished_at"]  # fmt: skip
    list_filter = ["status", "format", "dry_run"]
    search_fields = ["filename", "user__username", "sha256"]
    list_select_related = ["user"]
    exclude = ["data"]
    readonly_fields = [field.name for field in Import._meta.fields if field.name != "data"]

    def has_add_permission(self, request) -> bool:
        return False  # imports come through the API or `importtrades`


@admin.register(Execution)
class ExecutionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "account", "instrument", "time", "side", "quantity", "price", "exec_id", "source"]
    list_filter = ["side", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["instrument", "exec_id", "user__username"]
    list_select_related = ["user", "account"]
    raw_id_fields = ["user", "account", "source"]
    date_hierarchy = "time"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CorporateAction)
class CorporateActionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "account", "time", "instrument", "new_instrument", "old_units", "new_units", "source"]
    search_fields = ["instrument", "new_instrument", "user__username"]
    list_select_related = ["user", "account"]
    raw_id_fields = ["user", "account", "source"]

    def has_add_permission(self, request) -> bool:
        return False  # they come with the file that reports them
