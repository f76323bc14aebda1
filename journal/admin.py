"""The admin for trades (search, filters, a date hierarchy, their account and tags), accounts, tags and
traders' journal profiles (their time zone)."""

from django.contrib import admin
from django.db.models import Count, QuerySet

from journal.models import Account, JournalProfile, Tag, Trade, TradeTag, split_tag_names


class TradeTagInline(admin.TabularInline):
    model = TradeTag
    extra = 0
    autocomplete_fields = ["tag"]
    verbose_name = "tag"


@admin.register(Trade)
class TradeAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "instrument", "side", "quantity", "entry_time", "entry_price", "exit_time",
                    "exit_price", "net_pnl", "account", "tag_list"]  # fmt: skip
    list_filter = ["side", "instrument", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["instrument", "setup_type", "notes", "user__username"]
    date_hierarchy = "entry_time"
    list_select_related = ["user", "account"]
    readonly_fields = ["pnl", "net_pnl", "created_at", "updated_at"]
    autocomplete_fields = ["user", "account"]
    inlines = [TradeTagInline]
    # At millions of rows an exact count of the unfiltered table costs more than the page.
    show_full_result_count = False

    def get_queryset(self, request) -> QuerySet:
        return super().get_queryset(request).with_tag_names()

    @admin.display(description="tags")
    def tag_list(self, trade: Trade) -> str:
        return ", ".join(split_tag_names(trade.tag_names))


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "name", "broker", "external_id", "currency", "starting_balance", "trade_count"]
    list_filter = ["currency", "broker"]
    search_fields = ["name", "broker", "external_id", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]

    def get_queryset(self, request) -> QuerySet:
        return super().get_queryset(request).annotate(trade_count=Count("trades"))

    @admin.display(description="trades", ordering="trade_count")
    def trade_count(self, account: Account) -> int:
        return account.trade_count


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "name", "color"]
    search_fields = ["name", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(JournalProfile)
class JournalProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone"]
    search_fields = ["user__username", "time_zone"]
    autocomplete_fields = ["user"]
