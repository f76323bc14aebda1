"""Signatures in the Standard Webhooks scheme: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`,
keyed with the secret's bytes (the base64 after `whsec_`); one per secret, space-separated."""

import base64
import hashlib
import hmac

from webhooks.models import SECRET_PREFIX


def key_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, *, event_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{event_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key_bytes(secret), signed, hashlib.sha256).digest()).decode()


def headers(secrets: list[str], *, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Webhook-Id": event_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": " ".join(signature(s, event_id=event_id, timestamp=timestamp, body=body) for s in secrets),
    }
