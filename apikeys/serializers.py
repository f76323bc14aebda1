"""The API's view of a key: what a client may learn about the key it is using."""

from rest_framework import serializers


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
