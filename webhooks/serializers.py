"""Webhook endpoints and their deliveries as the API shows and accepts them."""

from rest_framework import serializers

from core import events, fields
from core.serializers import StrictModelSerializer
from webhooks import addresses
from webhooks.models import MAX_URL, Delivery, Endpoint

EVENTS_MESSAGE = f"Choose one or more events of: {', '.join(events.EVENTS)}."


class WebhookSerializer(StrictModelSerializer):
    """A webhook endpoint: where events go, which ones, and whether it is active."""

    id = fields.IdField(read_only=True)
    url = fields.TextField(
        max_length=MAX_URL,
        help_text="https:// (plain http only where the server allows it); no private, loopback or link-local address",
        error_messages={"required": "The url field is required.", "blank": "The url field is required.",
                        "null": "The url field is required."},
    )  # fmt: skip
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=events.EVENTS, error_messages={"invalid_choice": EVENTS_MESSAGE}),
        allow_empty=False, min_length=1, max_length=len(events.EVENTS),
        error_messages={"required": EVENTS_MESSAGE, "empty": EVENTS_MESSAGE, "not_a_list": EVENTS_MESSAGE},
    )  # fmt: skip
    description = fields.TextField(max_length=255, required=False, allow_blank=True)
    active = serializers.BooleanField(
        required=False, help_text="false pauses it; true resumes a paused or disabled one"
    )
    created_at = fields.TimestampField(read_only=True)
    disabled_reason = serializers.CharField(
        read_only=True, allow_null=True, help_text="Why the server disabled it (deliveries kept failing); else null"
    )

    ignored_fields = ("id", "created_at", "disabled_reason")

    class Meta:
        model = Endpoint
        fields = ("id", "url", "events", "description", "active", "created_at", "disabled_reason")

    def to_representation(self, endpoint: Endpoint) -> dict:
        data = super().to_representation(endpoint)
        data["disabled_reason"] = endpoint.disabled_reason or None
        return data

    def validate_url(self, value: str) -> str:
        try:
            addresses.check_at_creation(value)
        except addresses.Refused as refusal:
            raise serializers.ValidationError(str(refusal)) from None
        return value

    def validate_events(self, value: list[str]) -> list[str]:
        return [name for name in events.EVENTS if name in value]


class WebhookWithSecretSerializer(WebhookSerializer):
    """The endpoint with its signing secret: only in the answers that make one."""

    secret = serializers.CharField(read_only=True, help_text="whsec_...: shown this once; verify signatures with it")

    class Meta(WebhookSerializer.Meta):
        fields = (*WebhookSerializer.Meta.fields, "secret")


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One attempt to deliver an event to the endpoint."""

    id = fields.IdField(read_only=True)
    event_id = serializers.CharField(help_text="The event's id, sent as Webhook-Id")
    event = serializers.CharField(source="event.type", help_text="The event type")
    created_at = fields.TimestampField()

    class Meta:
        model = Delivery
        fields = ("id", "event_id", "event", "attempt", "status", "response_code", "duration_ms", "error", "created_at")
        read_only_fields = fields
