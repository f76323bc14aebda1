"""`revokeapikey KEY_OR_PREFIX`: revokes a key; it stops working on the next request."""

from django.core.management.base import BaseCommand, CommandError

from apikeys import crypto
from apikeys.models import ApiKey


class Command(BaseCommand):
    help = "Revoke an API key, given the key itself or its prefix (tj_xxxxxxxxxx)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("key_or_prefix")

    def handle(self, *args, key_or_prefix: str, **options) -> None:
        value = key_or_prefix.strip()
        prefix = crypto.split_key(value) or value.removeprefix(crypto.KEY_PREFIX)
        api_key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
        if api_key is None:
            raise CommandError(f"No API key with prefix {crypto.KEY_PREFIX}{prefix}.")
        if api_key.revoked_at is not None:
            raise CommandError(
                f"API key {api_key.display_prefix} was already revoked at {api_key.revoked_at:%Y-%m-%d %H:%M:%S}Z."
            )
        api_key.revoke()
        self.stdout.write(f"Revoked {api_key.display_prefix} ({api_key.name}) of {api_key.user.get_username()}.")
