"""Request bodies sent with `Transfer-Encoding: chunked`: read them like any other, within the limit.

Django sizes a body by its Content-Length; a chunked request has none, so Django would see an
empty body and a PATCH would change nothing while answering 200. gunicorn de-chunks the stream
and marks it `wsgi.input_terminated`; this wrapper reads it (up to the largest body any endpoint
accepts) and hands Django a body with a length. Servers that don't de-chunk get a clear 411.
"""

import io
from collections.abc import Callable, Iterable

from django.conf import settings

from core.errors import error_body
from core.exceptions import TOO_LARGE
from core.renderers import dumps

LENGTH_REQUIRED = "Chunked request bodies are not supported by this server; send Content-Length."


def max_request_bytes() -> int:
    return max(
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        getattr(settings, "IMPORT_MAX_BYTES", 0),
        getattr(settings, "ATTACHMENT_MAX_BYTES", 0),
    )


def _refuse(start_response: Callable, status: str, message: str) -> Iterable[bytes]:
    body = dumps(error_body(message))
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class ChunkedBodies:
    def __init__(self, application: Callable):
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self.application(environ, start_response)
        if not environ.get("wsgi.input_terminated"):
            return _refuse(start_response, "411 Length Required", LENGTH_REQUIRED)
        limit = max_request_bytes()
        body = environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            return _refuse(start_response, "413 Request Entity Too Large", TOO_LARGE)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        del environ["HTTP_TRANSFER_ENCODING"]
        return self.application(environ, start_response)
