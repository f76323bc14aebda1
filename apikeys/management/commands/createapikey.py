"""`createapikey USERNAME`: prints the new key alone on the last line of stdout."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.scopes import READ_SCOPES, parse_scopes


class Command(BaseCommand):
    help = "Create an API key for a user and print it (shown this once only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--scopes", default=",".join(READ_SCOPES), help="comma-separated (default: read scopes)")
        parser.add_argument("--name", default="CLI key")
        parser.add_argument("--expires-in-days", type=int, default=None)
        parser.add_argument("--create-user", action="store_true", help="create the user if it does not exist")

    def handle(
        self, *args, username: str, scopes: str, name: str, expires_in_days: int | None, create_user: bool, **options
    ) -> None:
        try:
            scope_list = parse_scopes(scopes)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create_user:
                raise CommandError(f"Unknown user {username!r} (use --create-user to create it).")
            user = User.objects.create_user(username=username)
            self.stderr.write(f"Created user {username!r} (no password; set one with changepassword).")
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        _, key = ApiKey.objects.create_key(user=user, name=name, scopes=scope_list, expires_at=expires_at)
        self.stdout.write(key)
