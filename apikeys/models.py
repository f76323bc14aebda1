"""API keys (a digest and a public prefix, never the secret) and the shared rate-limit counters."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.utils import timezone

from apikeys import crypto, keycache
from apikeys.scopes import ordered

# last_used_at is written at most this often per key: a write on every request would turn
# every read into a write and serialise a busy key's requests on one row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# Changing only these never changes whether a key authenticates: no key-set bump (keycache.py).
_BOOKKEEPING = frozenset({"last_used_at"})


class ApiKeyQuerySet(models.QuerySet):
    def owned_by(self, user) -> "ApiKeyQuerySet":
        return self.filter(user=user)

    # Every way keys change tells the workers that remember keys (apikeys/keycache.py).
    def update(self, **kwargs) -> int:
        if set(kwargs) - _BOOKKEEPING:
            keycache.keyset_changed()
        return super().update(**kwargs)

    def delete(self):
        keycache.keyset_changed()
        return super().delete()


@dataclass(frozen=True)
class _AuthQuery:
    sql: str
    fields: list  # ApiKey's concrete fields, then the user model's
    converters: list  # (column index, field's column expression, [converter, ...])
    key_field_count: int


@lru_cache(maxsize=4)
def _auth_query(vendor: str) -> _AuthQuery:
    User = get_user_model()
    key_fields, user_fields = list(ApiKey._meta.concrete_fields), list(User._meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = [f"k.{quote(f.column)}" for f in key_fields] + [f"u.{quote(f.column)}" for f in user_fields]
    # Identifiers only come from the models' metadata; the prefix is a query parameter.
    sql = " ".join([
        "SELECT", ", ".join(columns),
        "FROM", quote(ApiKey._meta.db_table), "k JOIN", quote(User._meta.db_table), "u",
        "ON", f"u.{quote(User._meta.pk.column)} = k.{quote('user_id')}",
        "WHERE", f"k.{quote('prefix')} = %s",
    ])  # fmt: skip
    converters = []
    for index, field in enumerate(key_fields + user_fields):
        column = field.get_col(field.model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((index, column, found))
    return _AuthQuery(sql, key_fields + user_fields, converters, len(key_fields))


class ApiKeyManager(models.Manager.from_queryset(ApiKeyQuerySet)):
    def get_for_authentication(self, prefix: str) -> "ApiKey | None":
        """The key with this prefix, with its owner, in one query on the unique prefix index.

        Every API request starts here. The SQL is written once per process from the models'
        metadata, and rows become instances through Model.from_db and the fields' own
        converters, as the ORM loads them; what this skips is compiling the same queryset
        on every request, about a quarter of the authentication floor (bench/README.md).
        """
        query = _auth_query(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(query.sql, [prefix])
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for index, column, converters in query.converters:
            for convert in converters:
                row[index] = convert(row[index], column, connection)
        split = query.key_field_count
        api_key = ApiKey.from_db(self.db, [f.attname for f in query.fields[:split]], row[:split])
        api_key.user = get_user_model().from_db(self.db, [f.attname for f in query.fields[split:]], row[split:])
        return api_key

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

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and (update_fields is None or set(update_fields) - _BOOKKEEPING):
            keycache.keyset_changed()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        keycache.keyset_changed()
        return super().delete(*args, **kwargs)

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
        return ", ".join(ordered(self.scopes))


class RateLimitCounter(models.Model):
    """One fixed-window counter per bucket (a key, or a client address that failed to log in)."""

    bucket = models.CharField(max_length=100, primary_key=True)
    window_start = models.BigIntegerField()
    hits = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.bucket}: {self.hits} since {self.window_start}"
