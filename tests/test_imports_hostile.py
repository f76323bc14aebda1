"""Hostile and broken files: each is refused at upload (422) or ends as a failed import or as row
errors, quickly, and never as a server error."""

import time

import pytest

from imports.apply import import_run

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<FlexQueryResponse queryName="x" type="AF"><FlexStatements count="1"><FlexStatement accountId="&lol4;">
<Trades><Trade symbol="&lol4;"/></Trades></FlexStatement></FlexStatements></FlexQueryResponse>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<FlexQueryResponse><FlexStatements><FlexStatement accountId="&x;"/></FlexStatements></FlexQueryResponse>"""
HEADER = b"time,instrument,side,quantity,price\n"

FILES = {
    "random bytes": (bytes(range(256)) * 64, "generic"),
    "garbage named as ibkr": (b"\x00\x01garbage\xff" * 1000, "ibkr"),
    "billion laughs": (BILLION_LAUGHS, "ibkr"),
    "external entity": (EXTERNAL_ENTITY, "ibkr"),
    "truncated flex xml": (
        b'<FlexQueryResponse><FlexStatements count="1"><FlexStatement accountId="U1"><Trades><Trade ',
        "ibkr",
    ),
    "one-column csv": (b"symbol\nAAPL\nMSFT\n" * 100, "generic"),
    "huge numbers": (HEADER + b"2025-01-06T14:30:00Z,AAPL,buy,1e999,9" + b"9" * 5000 + b"\n", "generic"),
    "a 1 MB cell": (HEADER + b'2025-01-06T14:30:00Z,"' + b"A" * 1_000_000 + b'",buy,1,100\n', "generic"),
    "NUL bytes": (HEADER + b"2025-01-06T14:30:00Z,AA\x00PL,buy,1,100\n", "generic"),
    "odd utf-16": (b"\xff\xfe" + "time,instrument\n".encode("utf-16-le") + b"\x00", "generic"),
    "html that is not mt5": (b"<html><body><table><tr><td>Trade History Report</td></tr></table></body></html>", "mt5"),
    "a zip (xlsx)": (b"PK\x03\x04" + b"\x00" * 200, "mt5"),
    "an empty json document": (b'{"executions": {}}', "generic"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", FILES)
def test_a_hostile_file_fails_or_errs_quickly_and_never_as_a_server_error(api, name):
    data, format_name = FILES[name]
    started = time.process_time()
    auto = api.generic("POST", "/api/v1/imports", data, content_type="application/octet-stream")
    assert auto.status_code in (202, 422), auto.content
    r = api.generic("POST", f"/api/v1/imports?format={format_name}", data, content_type="application/octet-stream")
    assert r.status_code == 202, r.content
    imp = import_run(import_id=r.json()["id"])
    assert imp.status in ("failed", "succeeded")
    assert imp.status == "failed" or imp.errors or imp.executions_created == 0, (imp.status, imp.errors)
    assert imp.executions_created == 0
    assert "on our side" not in str(imp.errors), imp.errors  # a clear reason, not a crash
    assert time.process_time() - started < 5


@pytest.mark.django_db
def test_a_row_of_10000_columns_is_read_for_its_own_columns_quickly(api):
    data = HEADER + b"2025-01-06T14:30:00Z,AAPL,buy,1,100" + b",x" * 10_000 + b"\n"
    started = time.process_time()
    imp = import_run(import_id=api.generic("POST", "/api/v1/imports", data, content_type="text/csv").json()["id"])
    assert (imp.status, imp.executions_created) == ("succeeded", 1)
    assert time.process_time() - started < 2


@pytest.mark.django_db
def test_a_file_over_the_row_cap_fails_with_the_cap_in_its_message(api, settings):
    settings.IMPORT_MAX_ROWS = 10
    data = HEADER + b"".join(b"2025-01-06T14:30:%02dZ,AAPL,buy,1,100\n" % i for i in range(11))
    r = api.generic("POST", "/api/v1/imports", data, content_type="text/csv")
    imp = import_run(import_id=r.json()["id"])
    assert imp.status == "failed" and "more than 10 rows" in imp.errors[0]["message"]
    data = HEADER + b"".join(b"2025-01-06T14:30:%02dZ,AAPL,buy,1,100\n" % i for i in range(10))
    assert (
        import_run(import_id=api.generic("POST", "/api/v1/imports", data, content_type="text/csv").json()["id"]).status
        == "succeeded"
    )
