"""The API describes itself: an OpenAPI 3 schema, docs pages served offline, CORS, and fuzzing."""

import json
import os
import re
import subprocess
import sys
import threading

import pytest
import requests
from drf_spectacular.validation import validate_schema

from apikeys.scopes import ALL_SCOPES
from tests.factories import make_key
from tests.live import CHROMIUM, ROOT

OPERATIONS = {
    ("/api/v1/trades", "get"): "trades:read",
    ("/api/v1/trades", "post"): "trades:write",
    ("/api/v1/trades/{id}", "get"): "trades:read",
    ("/api/v1/trades/{id}", "put"): "trades:write",
    ("/api/v1/trades/{id}", "patch"): "trades:write",
    ("/api/v1/trades/{id}", "delete"): "trades:write",
    ("/api/v1/accounts", "get"): "trades:read",
    ("/api/v1/accounts", "post"): "trades:write",
    ("/api/v1/accounts/{id}", "get"): "trades:read",
    ("/api/v1/accounts/{id}", "patch"): "trades:write",
    ("/api/v1/accounts/{id}", "delete"): "trades:write",
    ("/api/v1/tags", "get"): "trades:read",
    ("/api/v1/tags", "post"): "trades:write",
    ("/api/v1/tags/{id}", "get"): "trades:read",
    ("/api/v1/tags/{id}", "patch"): "trades:write",
    ("/api/v1/tags/{id}", "delete"): "trades:write",
    ("/api/v1/import-mappings", "get"): "trades:read",
    ("/api/v1/import-mappings", "post"): "trades:write",
    ("/api/v1/import-mappings/{id}", "get"): "trades:read",
    ("/api/v1/import-mappings/{id}", "patch"): "trades:write",
    ("/api/v1/import-mappings/{id}", "delete"): "trades:write",
    ("/api/v1/stats", "get"): "stats:read",
    ("/api/v1/stats/breakdown", "get"): "stats:read",
    ("/api/v1/stats/equity", "get"): "stats:read",
    ("/api/v1/stats/calendar", "get"): "stats:read",
    ("/api/v1/stats/risk", "get"): "stats:read",
    ("/api/v1/leaderboard", "get"): "leaderboard:read",
    ("/api/v1/key", "get"): None,
    ("/api/v1/ping", "get"): "public",
    ("/api/v1/imports", "get"): "trades:read",
    ("/api/v1/imports", "post"): "trades:write",
    ("/api/v1/imports/{id}", "get"): "trades:read",
    ("/api/v1/imports/{id}", "delete"): "trades:write",
    ("/api/v1/trades/{id}/executions", "get"): "trades:read",
    ("/api/v1/trades/export", "get"): "trades:read",
    ("/api/v1/trades/bulk", "post"): "trades:write",
    ("/api/v1/day-notes", "get"): "trades:read",
    ("/api/v1/day-notes/{date}", "get"): "trades:read",
    ("/api/v1/day-notes/{date}", "put"): "trades:write",
    ("/api/v1/day-notes/{date}", "delete"): "trades:write",
    ("/api/v1/trades/{id}/attachments", "get"): "trades:read",
    ("/api/v1/trades/{id}/attachments", "post"): "trades:write",
    ("/api/v1/trades/{id}/attachments/{aid}", "get"): "trades:read",
    ("/api/v1/trades/{id}/attachments/{aid}", "delete"): "trades:write",
    ("/api/v1/trades/{id}/attachments/{aid}/file", "get"): "trades:read",
    ("/api/v1/webhooks", "get"): "webhooks:read",
    ("/api/v1/webhooks", "post"): "webhooks:write",
    ("/api/v1/webhooks/{id}", "get"): "webhooks:read",
    ("/api/v1/webhooks/{id}", "patch"): "webhooks:write",
    ("/api/v1/webhooks/{id}", "delete"): "webhooks:write",
    ("/api/v1/webhooks/{id}/deliveries", "get"): "webhooks:read",
    ("/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", "post"): "webhooks:write",
    ("/api/v1/webhooks/{id}/rotate-secret", "post"): "webhooks:write",
    ("/api/v1/webhooks/{id}/test", "post"): "webhooks:write",
}


def test_schema_is_valid_openapi_3(schema):
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")


def test_schema_is_yaml_by_default_and_public(client, db):
    r = client.get("/api/v1/schema")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.oai.openapi")
    assert r.content.startswith(b"openapi: 3.")


def test_every_operation_is_listed_with_its_scope_and_bearer_security(schema):
    listed = {(path, method): op.get("x-required-scope", "public") for path, item in schema["paths"].items()
              for method, op in item.items()}  # fmt: skip
    assert listed == OPERATIONS
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "tj_<prefix>_<secret>",
        "description": schema["components"]["securitySchemes"]["ApiKey"]["description"],
    }  # fmt: skip
    for (path, method), scope in OPERATIONS.items():
        operation = schema["paths"][path][method]
        if scope == "public":
            assert operation.get("security", [{}]) == [{}]
            continue
        assert operation["security"] == [{"ApiKey": []}]
        if scope:
            assert f"Requires scope `{scope}`." in operation["description"]


def test_every_status_a_client_can_meet_is_documented(schema):
    def codes(path, method):
        return set(schema["paths"][path][method]["responses"])

    assert codes("/api/v1/trades", "post") == {"201", "400", "401", "403", "413", "415", "422", "429", "503"}
    assert codes("/api/v1/trades", "get") == {"200", "401", "403", "422", "429", "503"}
    assert codes("/api/v1/trades/{id}", "delete") == {"204", "401", "403", "404", "429", "503"}
    assert codes("/api/v1/trades/{id}", "patch") >= {"200", "404", "413", "415", "422"}
    assert codes("/api/v1/stats", "get") == {"200", "401", "403", "422", "429", "503"}
    for collection in ("/api/v1/accounts", "/api/v1/tags", "/api/v1/import-mappings"):
        assert codes(collection, "get") == {"200", "401", "403", "422", "429", "503"}  # 422: a bad page
        assert codes(collection, "post") == {"201", "400", "401", "403", "413", "415", "422", "429", "503"}
        assert codes(f"{collection}/{{id}}", "get") == {"200", "401", "403", "404", "429", "503"}
        assert codes(f"{collection}/{{id}}", "patch") == {
            "200",
            "400",
            "401",
            "403",
            "404",
            "413",
            "415",
            "422",
            "429",
            "503",
        }
    assert codes("/api/v1/accounts/{id}", "delete") == {"204", "401", "403", "404", "409", "429", "503"}
    assert codes("/api/v1/tags/{id}", "delete") == {"204", "401", "403", "404", "429", "503"}
    assert codes("/api/v1/import-mappings/{id}", "delete") == {"204", "401", "403", "404", "429", "503"}
    assert codes("/api/v1/leaderboard", "get") == {"200", "401", "403", "429", "503"}
    for path in ("/api/v1/stats/breakdown", "/api/v1/stats/equity", "/api/v1/stats/calendar", "/api/v1/stats/risk"):
        assert codes(path, "get") == {"200", "401", "403", "422", "429", "503"}, path
    assert codes("/api/v1/imports", "post") == {"202", "400", "401", "403", "413", "415", "422", "429", "503"}
    assert codes("/api/v1/imports", "get") == {"200", "401", "403", "422", "429", "503"}  # 422: a bad page
    assert codes("/api/v1/imports/{id}", "get") == {"200", "401", "403", "404", "429", "503"}
    assert codes("/api/v1/imports/{id}", "delete") == {"200", "202", "204", "401", "403", "404", "409", "429", "503"}
    assert codes("/api/v1/trades/{id}/executions", "get") == {"200", "401", "403", "404", "422", "429", "503"}
    assert codes("/api/v1/trades/export", "get") == {"200", "401", "403", "422", "429", "503"}
    assert codes("/api/v1/day-notes", "get") == {"200", "401", "403", "422", "429", "503"}
    assert codes("/api/v1/day-notes/{date}", "get") == {"200", "401", "403", "404", "429", "503"}
    assert codes("/api/v1/day-notes/{date}", "put") == {
        "200", "201", "400", "401", "403", "404", "413", "415", "422", "429", "503",
    }  # fmt: skip
    assert codes("/api/v1/day-notes/{date}", "delete") == {"204", "401", "403", "404", "429", "503"}
    attachments = "/api/v1/trades/{id}/attachments"
    assert codes(attachments, "get") == {"200", "401", "403", "404", "422", "429", "503"}
    assert codes(attachments, "post") == {"201", "400", "401", "403", "404", "413", "415", "422", "429", "503"}
    assert codes(f"{attachments}/{{aid}}", "get") == {"200", "401", "403", "404", "429", "503"}
    assert codes(f"{attachments}/{{aid}}", "delete") == {"204", "401", "403", "404", "429", "503"}
    assert codes(f"{attachments}/{{aid}}/file", "get") == {"200", "401", "403", "404", "429", "503"}


def example(schema, path, method, status) -> object:
    content = schema["paths"][path][method]["responses"][status]["content"]["application/json"]
    return next(iter(content["examples"].values()))["value"]


def test_the_reference_examples_are_in_the_schema(schema):
    assert example(schema, "/api/v1/trades", "post", "201") == {
        "id": 99, "instrument": "BTCUSDT", "side": "long", "entry_price": 65000, "message": "Trade created",
    }  # fmt: skip
    assert example(schema, "/api/v1/trades", "post", "403") == {"error": "Insufficient scope: trades:write required"}
    assert example(schema, "/api/v1/trades", "post", "422") == {
        "error": "Validation failed", "details": {"instrument": ["The instrument field is required."]},
    }  # fmt: skip
    assert example(schema, "/api/v1/stats", "get", "200")["net_pnl"] == 12450.75
    assert example(schema, "/api/v1/leaderboard", "get", "200") == [
        {"rank": 1, "user": "TraderAce", "trades": 45, "pnl": 8500}
    ]
    assert example(schema, "/api/v1/stats/breakdown", "get", "200")["data"][-1]["key"] == "Sun"
    assert example(schema, "/api/v1/stats/equity", "get", "200")["max_drawdown_start"] == "2025-03-04"
    assert example(schema, "/api/v1/stats/calendar", "get", "200")["net_pnl"] == 1325.75
    assert example(schema, "/api/v1/stats/risk", "get", "200")["current_streak"] == -2
    body = schema["paths"]["/api/v1/trades"]["post"]["requestBody"]["content"]["application/json"]
    assert next(iter(body["examples"].values()))["value"]["notes"] == "Strong momentum breakout"


def test_the_analytics_parameters_are_described_exactly(schema):
    def parameter(path, name):
        return next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)

    for path in ("/api/v1/stats/breakdown", "/api/v1/stats/equity", "/api/v1/stats/calendar", "/api/v1/stats/risk"):
        tz = parameter(path, "tz")["schema"]
        assert {"UTC", "America/New_York", "WET", "Etc/GMT+10", ""} <= set(tz["enum"]) and "localtime" not in tz[
            "enum"
        ], path
    assert parameter("/api/v1/stats/breakdown", "by")["required"] is True
    assert parameter("/api/v1/stats/breakdown", "by")["schema"]["enum"][:2] == ["instrument", "setup_type"]
    assert parameter("/api/v1/stats/equity", "interval")["schema"]["enum"] == ["trade", "day", "week", "month", ""]
    month = parameter("/api/v1/stats/calendar", "month")["schema"]["oneOf"]
    assert month[1] == {"type": "string", "maxLength": 0}  # empty: the same as leaving it out
    bound = parameter("/api/v1/stats/equity", "max_points")["schema"]["oneOf"]
    assert bound == [{"type": "integer", "minimum": 2}, {"type": "string", "maxLength": 0}]  # empty: no bound


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/redoc"])
def test_docs_pages_load_nothing_from_outside(client, path):
    r = client.get(path)
    assert r.status_code == 200
    page = r.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "a page asset comes from outside"


@pytest.mark.django_db
def test_cors_preflight_of_a_bearer_json_request_is_allowed_for_configured_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    r = client.options(
        "/api/v1/trades", HTTP_ORIGIN="https://app.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key",
    )  # fmt: skip
    assert r.status_code == 200
    assert r["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert {"authorization", "content-type", "idempotency-key"} <= set(r["Access-Control-Allow-Headers"].split(", "))
    assert "POST" in r["Access-Control-Allow-Methods"]
    other = client.options(
        "/api/v1/trades", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in other


@pytest.mark.django_db
def test_cors_response_exposes_the_headers_clients_need(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    _, key = make_key()
    r = client.get("/api/v1/trades", HTTP_ORIGIN="https://app.example.com", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200
    assert r["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert {"Location", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"} <= set(
        r["Access-Control-Expose-Headers"].split(", ")
    )


@pytest.mark.live
@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_docs_render_offline_and_try_it_out_works_with_a_pasted_key(live_site, browser):
    key = live_site.create_key("docs-reader", "trades:read")
    with live_site.serve(workers=1) as base_url:
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(15_000)
        outside, blocked = [], []
        local = (base_url, "blob:", "data:")
        page.on("request", lambda req: None if req.url.startswith(local) else outside.append(req.url))
        # Redoc's bundle links its logo from a CDN: the page never asks for it (and the
        # Content-Security-Policy would stop it).
        page.on("requestfailed", lambda req: blocked.append(req.url) if req.failure == "csp" else None)

        page.goto(f"{base_url}/api/v1/redoc")
        page.wait_for_selector("h2:has-text('Create a trade')")
        page.goto(f"{base_url}/api/v1/docs")
        page.wait_for_selector("#operations-trades-trades_list")
        page.click("button.authorize")
        page.fill(".auth-container input", key)
        page.click(".auth-btn-wrapper button.authorize")
        page.click(".btn-done")
        page.click("#operations-trades-trades_list .opblock-summary")
        page.click("#operations-trades-trades_list button.try-out__btn")
        page.click("#operations-trades-trades_list button.execute")
        result = "#operations-trades-trades_list .live-responses-table tbody"
        status = page.text_content(f"{result} .response-col_status")
        body = page.text_content(f"{result} .microlight")
        context.close()
    assert status.strip() == "200"
    assert json.loads(body)["total"] == 0
    assert outside == blocked == [], "a page asked another host for something"


# PostgreSQL's writers wait only for rows they share; SQLite has one writer at a time, so there the
# imports are smaller (README, "Running in production": SQLite is for one trader).
BIG_FILLS = 100_000 if os.environ.get("DATABASE_URL", "").startswith("postgres") else 10_000


def imports_and_undos(base_url: str, key: str, stop: threading.Event, cycles: list[tuple[str, int, str]]) -> None:
    """A big import applied and undone, again and again until `stop`: each cycle's final states, or
    what stopped the cycles (a failed request), for the test to report."""
    from tests.test_imports_live import big_file, finished, poll, upload

    data = big_file(BIG_FILLS)
    try:
        while not stop.is_set():
            imp = upload(base_url, key, data)
            done = poll(base_url, key, imp["id"], finished, timeout=1200)
            r = requests.delete(
                f"{base_url}/api/v1/imports/{imp['id']}", headers={"Authorization": f"Bearer {key}"}, timeout=60
            )
            undone = poll(base_url, key, imp["id"], lambda body: body["status"] != "undoing", timeout=1200)
            cycles.append((done["status"], r.status_code, undone["status"]))
    except Exception as error:  # reported by the test, not lost with the thread
        cycles.append(("stopped by", repr(error)[:1000]))


@pytest.mark.live
@pytest.mark.long
@pytest.mark.timeout(3600)  # bounded by its number of cases, not by time: a loaded machine only takes longer
def test_schemathesis_finds_nothing_with_every_check_in_every_phase(live_site, capsys):
    """Over 10,000 generated requests, while a 100,000-fill import and its undo are applied by a real
    worker again and again, for the fuzzed trader themself (through a second key of theirs) and for
    another trader: neither their own nor a neighbour's heavy work fails a request (on SQLite, with
    its one writer, 10,000 fills)."""
    key = live_site.create_key("fuzzer", ",".join(ALL_SCOPES))
    own = live_site.create_key("fuzzer", "trades:read,trades:write")
    neighbour = live_site.create_key("neighbour", "trades:read,trades:write")
    stop, cycles, own_cycles = threading.Event(), [], []
    # No rate limit, and room for every screenshot the run attaches to a trade and every webhook it makes
    # (stored state a generated request can't see).
    limits = {"API_KEY_RATE_LIMIT": "1000000/day", "ATTACHMENTS_PER_TRADE": "1000000", "WEBHOOKS_PER_TRADER": "1000000"}
    with (
        live_site.serve(workers=2, **limits) as base_url,
        live_site.worker("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"),
    ):
        loads = [
            threading.Thread(target=imports_and_undos, args=(base_url, loader, stop, done), daemon=True)
            for loader, done in ((neighbour, cycles), (own, own_cycles))
        ]
        for load in loads:
            load.start()
        # Every check, including that schema-valid requests are accepted and schema-invalid ones
        # refused; a new seed each run. tests/schemathesis_hooks.py holds the few rules a schema
        # cannot state (cross-field and stored-state rules), applied to valid requests only.
        # But one: DELETE /api/v1/imports/{id} undoes an import and keeps it, "undone", as the record
        # of what was undone (README, "Imports and export"), so reading it after its DELETE is no use
        # after free. The check can't be left out for that one read, so it is left out of the run;
        # that a deleted trade, account, tag, webhook or attachment is gone (a 404 after) is asserted
        # by their own tests.
        r = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run",
             f"{base_url}/api/v1/schema?format=json",
             "--header", f"Authorization: Bearer {key}", "--checks", "all",
             "--exclude-checks", "use_after_free", "--max-examples", "60",
             "--generation-database", "none", "--no-color"],
            cwd=ROOT, capture_output=True, text=True, timeout=3000,
            env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks"},
        )  # fmt: skip
        stop.set()
        for load in loads:
            load.join(timeout=1800)
    out = r.stdout
    cases = re.search(r"(\d+) generated", out)
    seed = re.search(r"Seed: (\d+)", out)
    with capsys.disabled():
        print(f"\nschemathesis: {cases.group(0) if cases else 'no count'}, seed {seed.group(1) if seed else '?'}")
    assert r.returncode == 0, out[-8000:]
    # Warnings about test data (an attachment the stateful phase never reached) are no findings.
    assert "No issues found" in out or re.search(r"(\d+) generated, \1 passed", out), out[-8000:]
    for done in (cycles, own_cycles):
        assert done and all(cycle == ("succeeded", 202, "undone") for cycle in done), done
    selected = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", out)
    assert selected and len(set(selected.groups())) == 1, "an operation went untested"
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in out, f"the {phase} phase did not run clean"
    assert cases and int(cases.group(1)) >= 10_000


def test_the_headers_responses_carry_are_documented(schema):
    def headers(path, method, status):
        return set(schema["paths"][path][method]["responses"][status].get("headers", {}))

    assert {"Location", "Idempotent-Replayed", "X-RateLimit-Limit", "X-RateLimit-Remaining"} <= headers(
        "/api/v1/trades", "post", "201"
    )
    assert {"Retry-After", "X-RateLimit-Limit"} <= headers("/api/v1/trades", "get", "429")
    assert "Retry-After" in headers("/api/v1/stats", "get", "503")
    assert "Last-Modified" in headers("/api/v1/leaderboard", "get", "200")
    assert "X-RateLimit-Remaining" not in headers("/api/v1/leaderboard", "get", "401")


def test_request_bodies_list_every_property_they_take_and_ids_are_integers(schema):
    body = schema["components"]["schemas"]["TradeRequest"]
    assert body["additionalProperties"] is False
    assert body["properties"]["notes"]["type"] == "string"
    assert {"id", "pnl", "net_pnl"} <= set(body["properties"])  # echoes of a GET, ignored
    id_parameter = next(p for p in schema["paths"]["/api/v1/trades/{id}"]["get"]["parameters"] if p["name"] == "id")
    assert id_parameter["schema"]["type"] == "integer"
    stats_filters = {p["name"] for p in schema["paths"]["/api/v1/stats"]["get"]["parameters"]}
    assert {"from", "to", "instrument", "side", "setup_type"} <= stats_filters


def test_the_schema_allows_the_figures_of_the_largest_trades(schema, api):
    """A trade's P&L reaches 10^36 (price, quantity and multiplier each up to 10^12): every figure
    reported over such trades must be within what the schema says a figure can be."""
    from core import wire

    biggest = str(wire.MAXIMUM)
    for _ in range(2):
        r = api.post("/api/v1/trades", {
            "instrument": "ES", "side": "long", "quantity": biggest, "multiplier": biggest, "entry_price": "1",
            "exit_price": biggest, "entry_time": "2025-03-14T10:00:00Z", "exit_time": "2025-03-14T11:00:00Z",
        }, format="json")  # fmt: skip
        assert r.status_code == 201, r.content
    components = schema["components"]["schemas"]

    def within(value, field: dict) -> bool:
        options = field.get("anyOf", [field])
        return any(
            option.get("type") == "null" if value is None
            else option.get("type") == "number" and -option.get("maximum", float("inf")) < value < option.get("maximum", float("inf"))
            for option in options
        )  # fmt: skip

    for path, name in [("/api/v1/stats", "Stats"), ("/api/v1/stats/equity", "Equity"), ("/api/v1/stats/risk", "Risk")]:
        body = api.get(path).json()
        properties = components[name]["properties"]
        for key, value in body.items():
            if isinstance(value, (int, float)) and properties[key].get("type") != "integer":
                assert within(value, properties[key]), (path, key, value, properties[key])
        if name == "Equity":
            point = components["EquityPoint"]["properties"]
            for key in ("pnl", "equity", "peak", "drawdown"):
                assert within(body["points"][-1][key], point[key]), (key, point[key])
