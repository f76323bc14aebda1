"""The kernel every app stands on and that stands on none of them: the error envelope, the wire
format, JSON in and out, dependency outages, the shared Redis client, idempotency and the
per-owner journal version cache."""
