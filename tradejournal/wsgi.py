"""WSGI entry point: `gunicorn tradejournal.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradejournal.settings")

from tradejournal.chunked import ChunkedBodies

application = ChunkedBodies(get_wsgi_application())
