"""gunicorn's defaults for TradeJournal (read automatically from the working directory)."""

import os

accesslog = "-"
errorlog = "-"
if os.environ.get("DJANGO_LOG_FORMAT") == "json":
    # The app logs each request itself, with its request id (core/logs.py); gunicorn's own lines
    # take the same shape.
    accesslog = None
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
        "root": {"handlers": ["stdout"], "level": "INFO"},
        "loggers": {"gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False}},
    }
# Sync workers: persistent database connections are per worker, and threads would multiply them.
# A sync worker is held by a slow client for the whole upload or download, so production runs
# behind a buffering reverse proxy (nginx, a cloud load balancer): see README, "Running in production".
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# A request the database limits (DB_STATEMENT_TIMEOUT, DB_LOCK_TIMEOUT, and on a stalled server
# DB_REQUEST_DEADLINE: README, "When a dependency fails") can't finish in time has already answered
# 503 long before this; the timeout only catches a worker stuck elsewhere. Keep it well above them.
timeout = 30
graceful_timeout = 30
# gunicorn's largest request line (its default is 4094): a filter list of account ids or tag
# names fits, where too many parameters are the API's own JSON 422; only a line longer than this
# meets gunicorn's 414 (in production the reverse proxy bounds it first).
limit_request_line = 8190
