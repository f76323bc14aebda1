"""WSGI entry point: `gunicorn tradejournal.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradejournal.settings")

django_application = get_wsgi_application()  # sets Django up before the kernel's wrapper is imported

from core.chunked import ChunkedBodies  # noqa: E402

application = ChunkedBodies(django_application)
