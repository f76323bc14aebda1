"""The API's view of a key: what a client may learn about the key it is using."""

from rest_framework import serializers

from core.renderers import format_timestamp


class ApiKeySerializer(serializers.Serializer):
    # A plain Serializer: a ModelSerializer rebuilds its fields from the model on every request,
    # which on this endpoint (the cheapest authenticated one) costs more than the rest together.
    prefix = serializers.CharField(source="display_prefix")
    name = serializers.CharField()
    user = serializers.CharField(source="user.get_username")
    scopes = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)

    @staticmethod
    def describe(api_key) -> dict:
        """The fields above, read directly: this is the cheapest authenticated endpoint (the benchmark's
        auth floor), and instantiating a serializer (it deep-copies its fields) cost half of it."""

        def timestamp(value):
            return None if value is None else format_timestamp(value)

        return {
            "prefix": api_key.display_prefix, "name": api_key.name, "user": api_key.user.get_username(),
            "scopes": list(api_key.scopes), "created_at": timestamp(api_key.created_at),
            "expires_at": timestamp(api_key.expires_at), "last_used_at": timestamp(api_key.last_used_at),
        }  # fmt: skip
