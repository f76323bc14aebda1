"""A trader's public face on the leaderboard: a display name, and whether to appear at all."""

from django.conf import settings
from django.db import models

from leaderboard.names import name_key


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
    # The display name's look-alike key (leaderboard/names.py); empty without a display name.
    name_key = models.CharField(max_length=160, blank=True, default="", editable=False)

    class Meta:
        constraints = [
            # Two traders can't share a public name, nor names that merely look alike (no impersonation).
            models.UniqueConstraint(
                fields=["name_key"], condition=~models.Q(name_key=""), name="profile_name_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    def save(self, *args, **kwargs) -> None:
        self.name_key = name_key(self.display_name) if self.display_name else ""
        super().save(*args, **kwargs)
