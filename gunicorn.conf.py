"""gunicorn's defaults for TradeJournal (read automatically from the working directory)."""

accesslog = "-"
errorlog = "-"
# Persistent database connections are per worker; threads would multiply them needlessly.
worker_class = "sync"
