"""Bearer API-key authentication: `Authorization: Bearer tj_<prefix>_<secret>`."""

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from apikeys import admission, crypto, keycache
from apikeys.models import ApiKey

KEYWORD = "Bearer"
TOO_MANY_FAILURES = "Too many failed authentication attempts."
KEY_EXPIRED = "API key expired."


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
        prefix = crypto.split_key(key)
        if prefix is None:
            self.fail(request, "Malformed API key.")
        view = getattr(request, "parser_context", None) or {}
        admitted = admission.admit(request, prefix, getattr(view.get("view"), "prefetch_keys", None))
        # Refused before the key is looked at: past the limit, a correct guess must not succeed.
        if admitted.failures_exceeded:
            admission.release(admitted)
            limit = admission.failure_limit(request)
            limit.window_start()
            raise exceptions.Throttled(wait=limit.wait, detail=TOO_MANY_FAILURES)
        api_key = self.find(prefix, admitted.version)
        now = timezone.now()
        problem = self.problem(api_key, key, now)
        if problem:
            admission.release(admitted)
            self.fail(request, problem)
        # The throttle's count, when it was counted here already (DRF's Request wraps Django's).
        getattr(request, "_request", request).key_count = admitted.key_count
        api_key.touch(now)
        return api_key.user, api_key

    @staticmethod
    def find(prefix: str, version: int | None) -> ApiKey | None:
        """The key with its owner: remembered by this worker while the key-set version holds,
        else one indexed query on the unique prefix."""
        api_key = keycache.remembered(prefix, version) if version is not None else None
        if api_key is None:
            api_key = ApiKey.objects.get_for_authentication(prefix)
            if api_key is not None and version is not None:
                keycache.remember(prefix, api_key, version)
        return api_key

    @staticmethod
    def problem(api_key: ApiKey | None, key: str, now) -> str | None:
        # Same message for an unknown prefix and a wrong secret: don't reveal which keys exist.
        if api_key is None or not crypto.digest_matches(key, api_key.digest):
            return "Invalid API key."
        if api_key.revoked_at is not None:
            return "API key revoked."
        if api_key.is_expired(now):
            return KEY_EXPIRED
        if not api_key.user.is_active:
            return "The account of this API key is disabled."
        return None

    def fail(self, request, message: str):
        limit = admission.failure_limit(request)
        if not limit.hit():
            raise exceptions.Throttled(wait=limit.wait, detail=TOO_MANY_FAILURES)
        raise exceptions.AuthenticationFailed(message)

    def authenticate_header(self, request) -> str:
        # Returning the keyword is what makes DRF answer 401 (not 403) to unauthenticated calls.
        return f'{KEYWORD} realm="api"'
