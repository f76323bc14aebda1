"""A trader's public face on the leaderboard: a display name, and whether to appear at all."""

from django.conf import settings
from django.contrib.auth import get_user_model
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


def public_name_taken(name: str, *, exclude_user_id: int | None = None) -> bool:
    """Whether `name` looks like the public name of another trader: their display name, or the
    username shown for traders who have none."""
    key = name_key(name)
    profiles = TraderProfile.objects.exclude(user_id=exclude_user_id)
    if profiles.filter(name_key=key).exists():
        return True
    # Usernames have no stored key: compared here, which costs a pass over the usernames (a rare
    # action, and the forms calling this are rate-limited).
    users = get_user_model().objects.exclude(pk=exclude_user_id).values_list("username", flat=True)
    return any(name_key(username) == key for username in users.iterator(chunk_size=5000))
