"""The API's view of a key: what a client may learn about the key it is using."""

from rest_framework import serializers

from apikeys.models import ApiKey


class ApiKeySerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(source="display_prefix")
    user = serializers.CharField(source="user.get_username")

    class Meta:
        model = ApiKey
        fields = ["prefix", "name", "user", "scopes", "created_at", "expires_at", "last_used_at"]
