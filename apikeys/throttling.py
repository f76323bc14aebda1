"""Rate limits: per API key on every API request, and per client address for failed logins."""

import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from apikeys import ratelimit
from apikeys.models import ApiKey


class FixedWindowLimit:
    """A limit of `rate` per fixed window for one bucket. `timer` is swappable in tests."""

    timer = time.time

    def __init__(self, bucket: str, rate: str):
        self.bucket = bucket
        self.rate = ratelimit.parse_rate(rate)
        self.count = 0
        self.wait = 0.0

    def window_start(self) -> int:
        now = self.timer()
        window_start = int(now // self.rate.period) * self.rate.period
        self.wait = window_start + self.rate.period - now
        return window_start

    def hit(self) -> bool:
        """Counts one request; True while within the limit (or when it can't be counted)."""
        window_start = self.window_start()
        self.count = ratelimit.hit(self.bucket, window_start=window_start, period=self.rate.period)
        return self.count is None or self.count <= self.rate.limit

    def exceeded(self) -> bool:
        """Whether the limit is already used up, without counting a request."""
        count = ratelimit.count(self.bucket, window_start=self.window_start())
        return count is not None and count >= self.rate.limit

    @property
    def remaining(self) -> int | None:
        return None if self.count is None else max(0, self.rate.limit - self.count)


def key_limit(prefix: str) -> FixedWindowLimit:
    return FixedWindowLimit(f"key:{prefix}", settings.API_KEY_RATE_LIMIT)


class ApiKeyRateThrottle(BaseThrottle):
    """`API_KEY_RATE_LIMIT` per key, shared by all workers; the headers go on every response.

    With Redis the request was already counted in authentication's round trip (apikeys/admission.py).
    """

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, ApiKey):
            return True
        self.limit = key_limit(request.auth.prefix)
        counted = getattr(request._request, "key_count", None)
        if counted is None:
            allowed = self.limit.hit()
        else:
            self.limit.window_start()
            self.limit.count = counted
            allowed = counted <= self.limit.rate.limit
        if self.limit.count is not None:
            # Read by RateLimitHeadersMiddleware, which sees every response, 429s included.
            request._request.rate_limit = (self.limit.rate.limit, self.limit.remaining)
        return allowed

    def wait(self) -> float:
        return self.limit.wait
