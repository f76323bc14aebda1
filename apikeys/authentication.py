"""Bearer API-key authentication: `Authorization: Bearer tj_<prefix>_<secret>`."""

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from apikeys import crypto
from apikeys.models import ApiKey
from apikeys.throttling import failed_authentication_limit

KEYWORD = "Bearer"
TOO_MANY_FAILURES = "Too many failed authentication attempts."


class ApiKeyAuthentication(BaseAuthentication):
    """`None` for another scheme; `AuthenticationFailed` for a bad key; else `(user, api_key)`.

    Keys are read from the Authorization header only, never from the query string (URLs end
    up in logs and browser histories).
    """

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            self.fail(request, "Malformed Authorization header: expected 'Bearer <key>'.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            self.fail(request, "Malformed API key.")
        return self.authenticate_key(request, key)

    def authenticate_key(self, request, key: str):
        limit = failed_authentication_limit(request)
        # Refused before the key is looked at: past the limit, a correct guess must not succeed.
        if limit.exceeded():
            raise exceptions.Throttled(wait=limit.wait, detail=TOO_MANY_FAILURES)
        prefix = crypto.split_key(key)
        if prefix is None:
            self.fail(request, "Malformed API key.")
        # One indexed query: the key by its unique prefix, with its owner.
        api_key = ApiKey.objects.get_for_authentication(prefix)
        # Same message for an unknown prefix and a wrong secret: don't reveal which keys exist.
        if api_key is None or not crypto.digest_matches(key, api_key.digest):
            self.fail(request, "Invalid API key.")
        now = timezone.now()
        if api_key.revoked_at is not None:
            self.fail(request, "API key revoked.")
        if api_key.is_expired(now):
            self.fail(request, "API key expired.")
        if not api_key.user.is_active:
            self.fail(request, "The account of this API key is disabled.")
        api_key.touch(now)
        return api_key.user, api_key

    def fail(self, request, message: str):
        limit = failed_authentication_limit(request)
        if not limit.hit():
            raise exceptions.Throttled(wait=limit.wait, detail=TOO_MANY_FAILURES)
        raise exceptions.AuthenticationFailed(message)

    def authenticate_header(self, request) -> str:
        # Returning the keyword is what makes DRF answer 401 (not 403) to unauthenticated calls.
        return f'{KEYWORD} realm="api"'
