"""The schema's account of what webhooks send: each event's body as a component, and the events
under `x-webhooks` (OpenAPI 3.1's `webhooks`, as 3.0 documents extend it; Redoc shows them)."""

from core import events
from webhooks.models import TEST_EVENT

DATA = {
    events.TRADE_CREATED: (
        "Trade",
        "A trade was created (from the API, one per trade of POST /trades/bulk, or the web journal).",
    ),
    events.TRADE_UPDATED: (
        "Trade",
        "A trade was changed (also by a bulk edit, or a rename or delete of one of "
        "its tags); `data.changed` lists the fields that differ.",
    ),
    events.TRADE_DELETED: ("Trade", "A trade was deleted: the trade as it was."),
    events.IMPORT_SUCCEEDED: ("Import", "An import was applied: one event for all its trades."),
    events.IMPORT_FAILED: ("Import", "An import failed; nothing was applied."),
    events.IMPORT_UNDONE: ("Import", "An import was undone: the import as it was."),
    TEST_EVENT: ("Webhook", "Sent by POST /webhooks/{id}/test: the endpoint itself."),
}
HEADERS = {
    "Webhook-Id": "The event id: the same on every retry and redelivery (drop duplicates by it).",
    "Webhook-Timestamp": "Unix seconds when this attempt was signed.",
    "Webhook-Signature": 'v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"> keyed with the secret\'s bytes; '
    "two, space-separated, while a rotated secret still signs.",
}


def event_schema(type_: str, component: str) -> dict:
    data = {"$ref": f"#/components/schemas/{component}"}
    if type_ == events.TRADE_UPDATED:
        changed = {"type": "object", "required": ["changed"],
                   "properties": {"changed": {"type": "array", "items": {"type": "string"}}}}  # fmt: skip
        data = {"allOf": [data, changed]}
    return {
        "type": "object",
        "required": ["id", "type", "created_at", "api_version", "data"],
        "properties": {
            "id": {"type": "string", "example": "evt_5b0f3c2a9d8e4f7a8c1d2e3f4a5b6c7d"},
            "type": {"type": "string", "enum": [type_]},
            "created_at": {"type": "string", "format": "date-time"},
            "api_version": {"type": "string", "enum": ["1.2"]},
            "data": data,
        },
    }


def document_events(result: dict, generator, request, public) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    hooks = {}
    for type_, (component, description) in DATA.items():
        name = "WebhookEvent" + "".join(part.title() for part in type_.split("."))
        schemas[name] = event_schema(type_, component)
        hooks[type_] = {"post": {
            "summary": type_, "description": description,
            "parameters": [{"name": h, "in": "header", "required": True, "schema": {"type": "string"}, "description": d}
                           for h, d in HEADERS.items()],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}},
            "responses": {"2XX": {"description": "Delivered. Anything else, or no answer in 10 s, is retried."}},
        }}  # fmt: skip
    result["x-webhooks"] = hooks
    return result
