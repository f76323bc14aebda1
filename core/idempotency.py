"""`Idempotency-Key` for POST: a retry replays the first response and creates nothing again.

A view declares it by decorating the method that creates (`@idempotent`); the first answer is
rendered once, stored in the same transaction as what it created, and replayed byte for byte.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from core.exceptions import UnprocessableEntity
from core.models import IdempotencyKey
from core.renderers import dumps
from core.retry import retried

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
# Printable ASCII without surrounding spaces (HTTP would strip them anyway): nothing a header,
# a log line or the database could mangle.
PATTERN = rf"^[!-~](?:[ -~]{{0,{MAX_LENGTH - 2}}}[!-~])?$"
_KEY = re.compile(PATTERN)
RETENTION = timedelta(hours=24)
REPLAY_HEADER = "Idempotent-Replayed"
INVALID_KEY = f"The {HEADER} must be 1 to {MAX_LENGTH} printable ASCII characters."
REUSED_KEY = f"This {HEADER} was already used with a different request; use a new key for a new request."

# How the schema shows the header, and the answer's header saying it is a replay.
PARAMETER = OpenApiParameter(
    HEADER, {"type": "string", "pattern": PATTERN}, OpenApiParameter.HEADER,
    description=f"Up to {MAX_LENGTH} characters. A retry with the same key and body replays the first response "
    "and creates nothing; the same key with another body is a 422. Kept 24 hours, per key owner.",
)  # fmt: skip


def replay_header(*codes: int) -> dict:
    """The `response_headers` entry (core/schema hooks) for the replay header on `codes`."""
    description = f"`true` when this is the stored answer to an earlier request with the same {HEADER}."
    return {REPLAY_HEADER: ("string", description, codes)}


def _fingerprint(request, payload: bytes | None = None) -> str:
    """The request as it was meant: method, path and the parsed body in a canonical form, so
    a retry that orders its keys differently is the same request; or, for a body that is not JSON
    (an uploaded file), the `payload` the view says identifies it."""
    if payload is None:
        payload = json.dumps(_canonical(request.data), ensure_ascii=True, separators=(",", ":")).encode()
    canonical = b"\n".join([request.method.encode(), request.path.rstrip("/").encode(), payload])
    return hashlib.sha256(canonical).hexdigest()


def _canonical(value):
    """Each value tagged with its JSON type, objects sorted by key, numbers exactly as written.

    Costs the same as the body's size: a number is never re-expanded (1E+999999999 stays 12
    characters), and the parser has already refused deep nesting and lone surrogates.
    """
    if isinstance(value, dict):
        return ["o", sorted([str(key), _canonical(item)] for key, item in value.items())]
    if isinstance(value, list):
        return ["a", [_canonical(item) for item in value]]
    if value is None or isinstance(value, bool):
        return ["c", value]
    if isinstance(value, int | Decimal):
        return ["n", str(value)]
    return ["s", str(value)]


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(record.body, status=record.status_code, content_type="application/json")
    if record.location:
        response["Location"] = record.location
    response[REPLAY_HEADER] = "true"
    return response


def _rendered(response) -> HttpResponse:
    """The view's Response rendered here, once: the same bytes go to the client and to the store."""
    rendered = HttpResponse(dumps(response.data), status=response.status_code, content_type="application/json")
    for name, value in response.items():
        if name.lower() != "content-type":
            rendered[name] = value
    return rendered


def idempotent(create: Callable | None = None, *, payload: Callable[..., bytes] | None = None):
    """Decorates a view method that creates (`def create(self, request, *args)`): it runs once per
    (owner, Idempotency-Key) and retries get the stored response. `payload(request, *args)` stands
    for the body when the body is not JSON (see _fingerprint).

    Keys are stored only with a successful response, in the same transaction as what the
    request created: a request that failed leaves no key, so the client may fix it and retry.
    """

    def decorate(create: Callable) -> Callable:
        @wraps(create)
        def wrapper(view, request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if key is None:
                return create(view, request, *args, **kwargs)
            if not _KEY.search(key):
                raise serializers.ValidationError({HEADER: [INVALID_KEY]})
            fingerprint = _fingerprint(request, payload(request, *args, **kwargs) if payload else None)
            now = timezone.now()

            def once() -> HttpResponse:
                with transaction.atomic():
                    IdempotencyKey.objects.filter(user=request.user, key=key, created_at__lt=now - RETENTION).delete()
                    try:
                        # Two concurrent requests with one key: the unique constraint makes the second wait
                        # for the first's transaction, then fail here and replay what the first stored.
                        with transaction.atomic():
                            record = IdempotencyKey.objects.create(user=request.user, key=key, fingerprint=fingerprint)
                    except IntegrityError:
                        existing = IdempotencyKey.objects.get(user=request.user, key=key)
                        if existing.fingerprint != fingerprint:
                            raise UnprocessableEntity(REUSED_KEY) from None
                        return _replay(existing)
                    response = _rendered(create(view, request, *args, **kwargs))
                    record.status_code = response.status_code
                    record.body = response.content.decode()
                    record.location = response.get("Location", "")
                    record.save(update_fields=["status_code", "body", "location"])
                return response

            # The whole transaction again when the database aborted it (a deadlock): core/retry.py.
            return retried(once)

        return wrapper

    return decorate(create) if create is not None else decorate


def purge_expired(now: datetime | None = None) -> int:
    """Deletes keys past their RETENTION (run by `manage.py purge`); returns how many."""
    now = now or timezone.now()
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=now - RETENTION).delete()
    return deleted
