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
  state); a parameter given in both the query and the form has one value (test_imports_api.py).
"""

import uuid

import schemathesis

from tradejournal import wire

GENERIC_CSV = b"time,instrument,side,quantity,price\n2025-01-06T14:30:00Z,AAPL,buy,1,100\n"
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
    if isinstance(case.body, dict) and case.path.startswith("/api/v1/trades"):
        case.body = dict(case.body)
        _make_exit_consistent(case.body, patch=case.method.upper() == "PATCH")
        if case.body.get("account") is not None:
            case.body["account"] = None
    if isinstance(case.body, dict) and case.path.startswith(("/api/v1/accounts", "/api/v1/tags")):
        case.body = dict(case.body)
        for field in ("name", "external_id"):
            if isinstance(case.body.get(field), str):
                case.body[field] = _unique(case.body[field])
    if case.path == "/api/v1/imports" and case.method.upper() == "POST":
        _make_upload_readable(case, kwargs)


def _unique(name: str) -> str:
    """`name` made unique, still 1 to 64 characters that start and end with a visible one."""
    return f"{name[:55]}-{uuid.uuid4().hex[:8]}"


def _make_upload_readable(case, kwargs) -> None:
    # A body holding a file is never edited in the case (schemathesis would then judge it invalid,
    # as it can't validate binary): the file and form go out through the transport's arguments.
    query = {name: value for name, value in (case.query or {}).items() if name != "account"}
    if case.media_type == "application/json":
        if query.get("format") not in (None, "auto", "generic"):
            query["format"] = "generic"
    elif case.media_type == "multipart/form-data" and isinstance(case.body, dict):
        form = {name: str(value) for name, value in case.body.items() if name not in ("file", "account")}
        query = {name: value for name, value in query.items() if name not in form}
        kwargs["files"] = {"file": ("fills.csv", GENERIC_CSV)}
        kwargs["data"] = form
    else:
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
