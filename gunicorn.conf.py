"""gunicorn's defaults for TradeJournal (read automatically from the working directory)."""

import os

accesslog = "-"
errorlog = "-"
# Sync workers: persistent database connections are per worker, and threads would multiply them.
# A sync worker is held by a slow client for the whole upload or download, so production runs
# behind a buffering reverse proxy (nginx, a cloud load balancer): see README, "Running in production".
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# A request the database limits (DB_STATEMENT_TIMEOUT, DB_LOCK_TIMEOUT) can't finish in time has
# already answered 503 long before this; the timeout only catches a worker stuck elsewhere.
timeout = 30
graceful_timeout = 30
# The request line's length is the reverse proxy's to bound (nginx answers 414 past 8 KiB):
# gunicorn's own limit (4 KiB) would answer an HTML page, out of reach of the API's JSON errors,
# where the API answers a query it can't use with a JSON 422.
limit_request_line = 0
