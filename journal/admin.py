"""The admin for trades: search, filters by instrument, side and owner, a date hierarchy."""

from django.contrib import admin

from journal.models import Trade


@admin.register(Trade)
class TradeAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "instrument", "side", "quantity", "entry_time", "entry_price", "exit_time",
                    "exit_price", "net_pnl"]  # fmt: skip
    list_filter = ["side", "instrument", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["instrument", "setup_type", "notes", "user__username"]
    date_hierarchy = "entry_time"
    list_select_related = ["user"]
    readonly_fields = ["pnl", "net_pnl", "created_at", "updated_at"]
    autocomplete_fields = ["user"]
    # At millions of rows an exact count of the unfiltered table costs more than the page.
    show_full_result_count = False
