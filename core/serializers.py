"""Request bodies take only the fields they declare: one rule for every serializer that reads one."""

from rest_framework import serializers

from core.exceptions import unknown_fields


class StrictFieldsMixin:
    """Unknown fields are an error, worth reporting rather than silently dropping; those in
    `ignored_fields` (read-only keys a client may echo back from a GET) are ignored."""

    ignored_fields: tuple[str, ...] = ()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise unknown_fields(unknown)
        return super().to_internal_value(data)


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    pass
