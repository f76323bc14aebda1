"""Large API answers come compressed to a client that accepts zstd or gzip; small ones, the web
journal's pages and answers that carry a secret never do."""

import gzip
import json
from decimal import Decimal

import pytest
import zstandard
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.response import Response

from core.compression import MIN_BYTES, chosen_coding, never_compress
from tests.factories import make_trade
from tradejournal.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db

SECRET = "whsec_" + "s3cr3t" * 400


@never_compress
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def shows_a_secret(request) -> Response:
    return Response({"secret": SECRET, "echo": request.query_params.get("echo", "")})


urlpatterns = [path("api/v1/test-secret", shows_a_secret), *site_urlpatterns]


@pytest.fixture
def trades(user):
    for day in range(30):
        make_trade(user, instrument="ES", notes=f"Day {day}: waited for the open, took the first pullback.")


def get(api, url: str, accept: str | None):
    headers = {} if accept is None else {"HTTP_ACCEPT_ENCODING": accept}
    r = api.get(url, **headers)
    assert r.status_code == 200, r.content
    return r


@pytest.mark.parametrize(
    ("accept", "coding", "decode"),
    [("gzip", "gzip", gzip.decompress), ("zstd", "zstd", zstandard.ZstdDecompressor().decompressobj().decompress),
     ("gzip, deflate, br, zstd", "zstd", zstandard.ZstdDecompressor().decompressobj().decompress),
     ("zstd;q=0.5, gzip", "gzip", gzip.decompress)],
)  # fmt: skip
def test_a_large_answer_comes_in_the_coding_the_client_prefers(api, trades, accept, coding, decode):
    plain = get(api, "/api/v1/trades", None)
    assert len(plain.content) >= MIN_BYTES
    assert "Content-Encoding" not in plain
    r = get(api, "/api/v1/trades", accept)
    assert r["Content-Encoding"] == coding
    assert "Accept-Encoding" in r["Vary"]
    assert int(r["Content-Length"]) == len(r.content) < len(plain.content) / 2
    assert json.loads(decode(r.content), parse_float=Decimal) == json.loads(plain.content, parse_float=Decimal)


def test_a_client_that_refuses_both_gets_the_answer_as_it_is(api, trades):
    r = get(api, "/api/v1/trades", "gzip;q=0, zstd;q=0, br")
    assert "Content-Encoding" not in r
    assert "Accept-Encoding" in r["Vary"]
    json.loads(r.content)


def test_a_small_answer_is_sent_as_it_is(api):
    r = get(api, "/api/v1/key", "gzip, zstd")
    assert len(r.content) < MIN_BYTES
    assert "Content-Encoding" not in r


def test_the_web_journals_pages_are_never_compressed(client, user, trades):
    client.force_login(user)
    r = client.get("/dashboard/trades/", HTTP_ACCEPT_ENCODING="gzip, zstd")
    assert r.status_code == 200
    assert len(r.content) >= MIN_BYTES
    assert "Content-Encoding" not in r
    assert b"<html" in r.content


@pytest.mark.urls("tests.test_compression")
def test_an_answer_that_carries_a_secret_is_never_compressed(client):
    r = client.get("/api/v1/test-secret?echo=whsec_s3cr3", HTTP_ACCEPT_ENCODING="gzip, zstd")
    assert r.status_code == 200, r.content
    assert "Content-Encoding" not in r
    assert r.json()["secret"] == SECRET


@pytest.mark.parametrize(
    ("header", "coding"),
    [("", None), ("identity", None), ("*", "zstd"), ("*;q=0", None), ("gzip;q=0.8, *;q=0.9", "zstd"),
     ("GZIP", "gzip"), ("gzip;q=abc", None), ("gzip; q=1.0, zstd; q=0.999", "gzip")],
)  # fmt: skip
def test_the_coding_is_the_one_the_client_rates_highest(header, coding):
    assert chosen_coding(header) == coding
