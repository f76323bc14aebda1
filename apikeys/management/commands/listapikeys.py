"""`listapikeys [USERNAME]`: one line per key, tab-separated, for people and scripts."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apikeys.models import ApiKey

COLUMNS = ("prefix", "user", "name", "scopes", "status", "created", "expires", "last_used")


def _when(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "-"


class Command(BaseCommand):
    help = "List API keys (all, or one user's)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", nargs="?")

    def handle(self, *args, username: str | None, **options) -> None:
        keys = ApiKey.objects.select_related("user").order_by("user__username", "created_at", "id")
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"Unknown user {username!r}.")
            keys = keys.owned_by(user)
        self.stdout.write("\t".join(COLUMNS))
        for key in keys:
            row = (
                key.display_prefix,
                key.user.get_username(),
                key.name,
                ",".join(key.scopes),
                key.status(),
                _when(key.created_at),
                _when(key.expires_at),
                _when(key.last_used_at),
            )
            self.stdout.write("\t".join(row))
