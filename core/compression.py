"""Compression of the API's large JSON answers, in zstd or gzip as the client accepts them, and
never of an answer that carries a secret.

BREACH: an attacker who can make a victim's browser send requests, with something of their own
reflected in the answer, reads a secret beside it from the compressed sizes, a byte at a time.
So only the API is compressed, whose one credential is a bearer key a browser never attaches by
itself; the web journal's pages, which a session cookie authenticates, never are. An API answer
that shows a secret (a new key, a signing secret) is marked with `never_compress` all the same:
whoever holds it may be a browser script that also echoes an attacker's text.

Answers under MIN_BYTES are sent as they are (the headers would cost what compression saves). A
streamed JSON answer (a long equity curve, core.renderers.spooled) is compressed as it is sent, a
chunk at a time; other streamed answers (an export, an attachment) are sent as they are.
"""

import gzip
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from functools import wraps

import zstandard
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"
MIN_BYTES = 1024
# zstd's default level and gzip's a notch under its default: a few milliseconds for a megabyte. A
# zstd compressor is not to be shared between threads: one per answer.
_ZSTD_LEVEL = 3
_GZIP_LEVEL = 5
_ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "zstd": lambda body: zstandard.ZstdCompressor(level=_ZSTD_LEVEL).compress(body),
    "gzip": lambda body: gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0),
}
_CODING = re.compile(r"^\s*([^\s;]+)\s*(?:;\s*q\s*=\s*([^\s;]*))?")
# wbits 31: a gzip stream (header and trailer), as gzip.compress writes.
_STREAM_ENCODERS: dict[str, Callable[[], object]] = {
    "zstd": lambda: zstandard.ZstdCompressor(level=_ZSTD_LEVEL).compressobj(),
    "gzip": lambda: zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, 31),
}


def _compressed(chunks: Iterable[bytes], coding: str) -> Iterator[bytes]:
    compressor = _STREAM_ENCODERS[coding]()
    for chunk in chunks:
        if compressed := compressor.compress(chunk):
            yield compressed
    yield compressor.flush()


def never_compress(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view's answers as never compressed: they carry a secret."""

    @wraps(view)
    def wrapped(*args, **kwargs) -> HttpResponse:
        response = view(*args, **kwargs)
        response.never_compress = True
        return response

    return wrapped


def chosen_coding(accept_encoding: str) -> str | None:
    """The coding to answer in: the one the client rates highest of zstd and gzip (zstd on a tie),
    None when it takes neither (absent, or `q=0`)."""
    rated: dict[str, float] = {}
    for part in accept_encoding.split(","):
        match = _CODING.match(part)
        if match:
            try:
                rated[match[1].lower()] = float(match[2]) if match[2] else 1.0
            except ValueError:
                continue
    anything = rated.get("*", 0.0)
    best = max(_ENCODERS, key=lambda coding: rated.get(coding, anything))
    return best if rated.get(best, anything) > 0 else None


class CompressionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or getattr(response, "never_compress", False)
            or response.has_header("Content-Encoding")
            or not response.get("Content-Type", "").startswith("application/json")
            or (not response.streaming and len(response.content) < MIN_BYTES)
        ):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        coding = chosen_coding(request.headers.get("Accept-Encoding", ""))
        if coding is None:
            return response
        if response.streaming:
            # The compressed length is known only once sent: the answer goes out chunked.
            response.streaming_content = _compressed(response.streaming_content, coding)
            del response["Content-Length"]
        else:
            response.content = _ENCODERS[coding](response.content)
            response["Content-Length"] = str(len(response.content))
        response["Content-Encoding"] = coding
        if response.has_header("ETag"):
            # The same entity in other bytes: a strong validator would claim byte equality.
            response["ETag"] = re.sub(r'^"', 'W/"', response["ETag"])
        return response
