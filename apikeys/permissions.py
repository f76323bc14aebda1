"""The scope permission: each API view declares `required_scopes` per HTTP method."""

from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from apikeys.models import ApiKey
from apikeys.scopes import ANY_KEY, declared_method

MISSING_KEY = "API key required: send 'Authorization: Bearer <key>'."


def insufficient_scope(scope: str) -> str:
    return f"Insufficient scope: {scope} required"


class HasRequiredScope(BasePermission):
    """Deny by default: a method the view handles but does not declare is refused."""

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiKey):
            raise exceptions.NotAuthenticated(MISSING_KEY)
        method = declared_method(request.method)
        declared = getattr(view, "required_scopes", {})
        if method not in declared:
            # A method the view lacks falls through to DRF's 405.
            return not hasattr(view, request.method.lower())
        scope = declared[method]
        if scope is ANY_KEY or request.auth.has_scope(scope):
            return True
        raise exceptions.PermissionDenied(insufficient_scope(scope))
