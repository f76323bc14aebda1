"""API keys (a digest and a public prefix, never the secret) and the shared rate-limit counters."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from apikeys import crypto
from apikeys.scopes import ALL_SCOPES

# last_used_at is written at most this often per key: a write on every request would turn
# every read into a write and serialise a busy key's requests on one row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyQuerySet(models.QuerySet):
    def owned_by(self, user) -> "ApiKeyQuerySet":
        return self.filter(user=user)

    def usable(self, now: datetime | None = None) -> "ApiKeyQuerySet":
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).exclude(expires_at__lte=now)


class ApiKeyManager(models.Manager.from_queryset(ApiKeyQuerySet)):
    def create_key(
        self, *, user, name: str, scopes: list[str], expires_at: datetime | None = None
    ) -> tuple["ApiKey", str]:
        """Creates a key and returns it with its secret, which is never available again."""
        prefix, key = crypto.generate_key()
        api_key = self.create(
            user=user, name=name, scopes=list(scopes), prefix=prefix, digest=crypto.digest(key), expires_at=expires_at
        )
        return api_key, key


class ApiKey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    scopes = models.JSONField(default=list)
    prefix = models.CharField(max_length=crypto.PREFIX_LENGTH, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.display_prefix} ({self.name})"

    @property
    def display_prefix(self) -> str:
        return f"{crypto.KEY_PREFIX}{self.prefix}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def status(self, now: datetime | None = None) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired(now) else "active"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def revoke(self, now: datetime | None = None) -> None:
        if self.revoked_at is None:
            self.revoked_at = now or timezone.now()
            ApiKey.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=self.revoked_at)

    def touch(self, now: datetime) -> None:
        """Records use, at most once per LAST_USED_RESOLUTION."""
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_RESOLUTION:
            self.last_used_at = now
            ApiKey.objects.filter(pk=self.pk).update(last_used_at=now)

    def scope_list(self) -> str:
        return ", ".join(s for s in ALL_SCOPES if s in self.scopes)


class RateLimitCounter(models.Model):
    """One fixed-window counter per bucket (a key, or a client address that failed to log in)."""

    bucket = models.CharField(max_length=100, primary_key=True)
    window_start = models.BigIntegerField()
    hits = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.bucket}: {self.hits} since {self.window_start}"
