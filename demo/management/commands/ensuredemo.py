"""`ensuredemo`: a demo trader with a fresh password and a fresh all-scope key, for `make run`, and
the first time, a journal to look at (demo/journal.py)."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from apikeys.models import ApiKey
from apikeys.scopes import ALL_SCOPES
from demo.journal import fill_journal
from journal.models import Trade

DEMO_USERNAME = "demo"
DEMO_KEY_NAME = "demo key"


class Command(BaseCommand):
    help = "Ensure the demo user exists; give it a new password and a new all-scope API key."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--empty", action="store_true", help="leave the journal of a new demo trader empty")

    def handle(self, *args, base_url: str, empty: bool, **options) -> None:
        user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        if not empty and not Trade.objects.filter(user=user).exists():
            self.stdout.write(
                f"The demo trader's journal: {fill_journal(user)} trades imported from two brokers' files."
            )
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        # Keys are shown once, so each run replaces the previous demo key rather than hiding it.
        for old in ApiKey.objects.owned_by(user).filter(name=DEMO_KEY_NAME, revoked_at__isnull=True):
            old.revoke()
        _, key = ApiKey.objects.create_key(user=user, name=DEMO_KEY_NAME, scopes=list(ALL_SCOPES))
        self.stdout.write(
            f"\nDashboard: {base_url}/dashboard/  user: {DEMO_USERNAME}  password: {password}\n"
            f"API key (all scopes): {key}\n"
            f"Try: curl -s {base_url}/api/v1/trades -H 'Authorization: Bearer {key}'\n"
        )
