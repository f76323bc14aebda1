"""gunicorn's defaults for TradeJournal (read automatically from the working directory)."""

accesslog = "-"
errorlog = "-"
# Persistent database connections are per worker; threads would multiply them needlessly.
worker_class = "sync"
# gunicorn's largest request line (its default is 4094): a filter list of account ids or tag
# names fits, and only a request line longer than this gets gunicorn's own 414.
limit_request_line = 8190
