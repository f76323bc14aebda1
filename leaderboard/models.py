"""A trader's public face on the leaderboard: a display name, and whether to appear at all."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class TraderProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="trader_profile"
    )
    display_name = models.CharField(
        max_length=40, blank=True, default="", help_text="Shown on the leaderboard instead of the username."
    )
    hidden_from_leaderboard = models.BooleanField(
        default=False, help_text="The trader does not appear on the leaderboard."
    )

    class Meta:
        constraints = [
            # Two traders can't share a public name, whatever its case (no impersonation).
            models.UniqueConstraint(
                Lower("display_name"), condition=~models.Q(display_name=""), name="profile_display_name_unique_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()
