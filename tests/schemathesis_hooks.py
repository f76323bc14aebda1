"""Rules the API enforces that its OpenAPI schema cannot state, applied by schemathesis to the
requests it generates as valid ones; everything the schema can state is fuzzed as it stands.

Each rule here is pinned by its own test in test_trade_input.py / test_trade_list.py /
test_accounts.py / test_tags.py, test_analytics_api.py:
- `from` is not after `to`;
- the calendar takes a `month` or a `year`, not both;
- `exit_time` and `exit_price` come together (both set or both null), and exit is not before
  entry — for a PATCH, which can't see the stored trade, an exit goes at the end of time and an
  entry at its start;
- an Idempotency-Key is not reused for a different request (each generated one is made unique);
- a trade's `account` is one of the key owner's accounts (the fuzzer can't know their ids: none);
- an account's or tag's `name`, and an account's `external_id`, are not already the owner's
  (each generated one is made unique).
- an import's file is one the server can read: its format recognised from the content, not empty
  (a generated file is random bytes; it becomes a small generic CSV), and JSON fills are generic
  fills (`format` auto or generic); an `account` is one of the key owner's (left out: ids are stored
  state); a parameter given in both the query and the form has one value (test_imports_api.py);
  a `mapping` goes with `format=mapped` and reads that CSV (test_imports_mapped.py);
- an attachment is a file the server takes: an image or a PDF, checked by its bytes (a generated
  file is random bytes; it becomes a one-pixel PNG) (test_attachments_api.py);
- an import mapping's name is not already the owner's, and it can read a file: the fields of its
  level with the required ones, side values of its level, columns in its header_signature, a
  date_format naming day, month and year, side values without a NUL (test_import_mappings_api.py);
  a PATCH, which can't see the stored mapping, changes the columns only with a whole valid set;
- a webhook's `url` is https and leads to a public address (test_webhooks.py): a generated one
  becomes a public https URL.
"""

import json
import uuid

import schemathesis

from core import wire
from imports.formats import mapping

GENERIC_CSV = b"time,instrument,side,quantity,price\n2025-01-06T14:30:00Z,AAPL,buy,1,100\n"
# The generic CSV's columns as a mapping reads them, for each level.
MAPPED_COLUMNS = {
    mapping.FILLS: {"time": "time", "instrument": "instrument", "side": "side", "quantity": "quantity", "price": "price"},
    mapping.TRADES: {"entry_time": "time", "instrument": "instrument", "side": "side", "quantity": "quantity",
                     "entry_price": "price"},
}  # fmt: skip
ONE_PIXEL_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU\x00\x00"
    b"\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)
LAST = "2099-12-31T23:59:59-23:59"  # the latest instant the wire format can write
FIRST = "1970-01-01T00:00:00+23:59"  # the earliest


def _instant(text):
    return wire.parse_date_or_timestamp(text) if isinstance(text, str) else None


def _ordered(first, last) -> bool:
    a, b = _instant(first), _instant(last)
    if a is None or b is None:
        return True
    return wire.date_or_timestamp_bounds(a)[0] <= wire.date_or_timestamp_bounds(b)[1]


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    # Just before sending, after the stateful phase has filled in values from earlier responses.
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    # Generated cases may share their containers: change copies, never the originals.
    query = case.query if isinstance(case.query, dict) else {}
    if "from" in query and "to" in query and not _ordered(query["from"], query["to"]):
        case.query = query = {**query, "from": query["to"], "to": query["from"]}
    if query.get("month") and query.get("year"):
        case.query = {name: value for name, value in query.items() if name != "year"}
    if case.headers and "Idempotency-Key" in case.headers:
        headers = case.headers.copy()
        headers["Idempotency-Key"] = uuid.uuid4().hex
        case.headers = headers
    if isinstance(case.body, dict) and case.path in ("/api/v1/trades", "/api/v1/trades/{id}"):
        case.body = dict(case.body)
        _make_exit_consistent(case.body, patch=case.method.upper() == "PATCH")
        if case.body.get("account") is not None:
            case.body["account"] = None
    if isinstance(case.body, dict) and case.path == "/api/v1/trades/bulk" and isinstance(case.body.get("trades"), list):
        items = [dict(item) if isinstance(item, dict) else item for item in case.body["trades"]]
        for item in items:
            if isinstance(item, dict):
                _make_exit_consistent(item, patch=False)
                item["account"] = None
        case.body = {**case.body, "trades": items}
    if isinstance(case.body, dict) and case.path.startswith(("/api/v1/accounts", "/api/v1/tags", "/api/v1/import-")):
        case.body = dict(case.body)
        for field in ("name", "external_id"):
            if isinstance(case.body.get(field), str):
                case.body[field] = _unique(case.body[field])
    if isinstance(case.body, dict) and case.path.startswith("/api/v1/import-mappings"):
        _make_mapping_readable(case.body, patch=case.method.upper() == "PATCH")
    webhook = case.path in ("/api/v1/webhooks", "/api/v1/webhooks/{id}")
    if webhook and isinstance(case.body, dict) and isinstance(case.body.get("url"), str):
        case.body = {**case.body, "url": "https://webhooks.example.com/fuzz"}
    if case.path == "/api/v1/imports" and case.method.upper() == "POST":
        _make_upload_readable(case, kwargs)
    if case.path == "/api/v1/trades/{id}/attachments" and case.method.upper() == "POST":
        kwargs["files"] = {"file": ("pixel.png", ONE_PIXEL_PNG)}  # the body itself is left as generated


def _unique(name: str) -> str:
    """`name` made unique, still 1 to 64 characters that start and end with a visible one."""
    return f"{name[:55]}-{uuid.uuid4().hex[:8]}"


def _make_mapping_readable(body: dict, *, patch: bool) -> None:
    level = body.get("level", mapping.FILLS)
    sides = body["values"].get("side") if isinstance(body.get("values"), dict) else None
    if isinstance(sides, dict):
        # OpenAPI 3.0 has no propertyNames to say a side value's name holds no NUL.
        body["values"] = {
            **body["values"],
            "side": {value: side for value, side in sides.items() if "\x00" not in value},
        }
    if isinstance(body.get("date_format"), str) and mapping.date_format_problem(body["date_format"]):
        body["date_format"] = mapping.EXAMPLE_FORMAT
    shape = {name: body[name] for name in ("level", "columns", "values", "header_signature") if name in body}
    if not shape or not mapping.problems({"level": level, "columns": {}, **shape}):
        return
    if patch:
        level = body["level"] = mapping.FILLS
    body["columns"], body["header_signature"] = dict(MAPPED_COLUMNS[level]), None
    sides = (body.get("values") or {}).get("side") or {}
    body["values"] = {"side": {value: side for value, side in sides.items() if side in mapping.SIDES[level]}}


def _mapping_parameter(query: dict) -> dict:
    """`query` with a mapping only beside format=mapped, and then one that reads the generic CSV."""
    query = {name: value for name, value in query.items() if name != "mapping"}
    if query.get("format") == mapping.MAPPED:
        query["mapping"] = json.dumps({"columns": MAPPED_COLUMNS[mapping.FILLS]})
    return query


def _make_upload_readable(case, kwargs) -> None:
    # A body holding a file is never edited in the case (schemathesis would then judge it invalid,
    # as it can't validate binary): the file and form go out through the transport's arguments.
    query = {name: value for name, value in (case.query or {}).items() if name != "account"}
    if case.media_type == "application/json":
        if query.get("format") not in (None, "auto", "generic"):
            query["format"] = "generic"
        query.pop("mapping", None)
    elif case.media_type == "multipart/form-data" and isinstance(case.body, dict):
        form = {name: str(value) for name, value in case.body.items() if name not in ("file", "account")}
        form = _mapping_parameter({**{k: v for k, v in query.items() if k in ("format", "mapping")}, **form})
        query = {name: value for name, value in query.items() if name not in form and name != "mapping"}
        kwargs["files"] = {"file": ("fills.csv", GENERIC_CSV)}
        kwargs["data"] = form
    else:
        query = _mapping_parameter(query)
        kwargs["data"] = GENERIC_CSV
    case.query = query


def _make_exit_consistent(body: dict, *, patch: bool) -> None:
    has_time, has_price = body.get("exit_time") is not None, body.get("exit_price") is not None
    if has_time != has_price or (patch and ("exit_time" in body) != ("exit_price" in body)):
        if has_time or has_price:
            body.setdefault("exit_time", LAST)
            body.setdefault("exit_price", 1)
            body["exit_time"] = body["exit_time"] or LAST
            body["exit_price"] = body["exit_price"] or 1
        else:
            body["exit_time"] = body["exit_price"] = None
    if patch:
        if body.get("exit_time") is not None and "entry_time" not in body:
            body["exit_time"] = LAST
        if "entry_time" in body and "exit_time" not in body:
            body["entry_time"] = FIRST
    ordered = _ordered(body.get("entry_time"), body.get("exit_time"))
    if body.get("exit_time") is not None and "entry_time" in body and not ordered:
        body["entry_time"], body["exit_time"] = body["exit_time"], body["entry_time"]
