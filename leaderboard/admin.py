"""The admin for trader profiles: display names and leaving the leaderboard."""

from django.contrib import admin

from leaderboard.models import TraderProfile


@admin.register(TraderProfile)
class TraderProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "hidden_from_leaderboard"]
    list_filter = ["hidden_from_leaderboard"]
    search_fields = ["user__username", "display_name"]
    autocomplete_fields = ["user"]
