"""Import files of hostile shapes, for the tests' fuzzing of the bounded parse and the benchmark's
worst case: each is a format's real header (so the file is read as that format, past detection)
followed by a shape repeated to a given size."""

import json
import sys
import time

# The start of each XML/HTML format's file, as its detection and parser expect it.
HEADS = {
    "mt5": b"<html><head><title>Trade History Report</title></head><body><table>"
    b"<tr><td>Trade History Report</td></tr><tr><td>Account:</td><td>51234567 (USD, Demo, Netting)</td></tr>"
    b"<tr><td>Deals</td></tr>"
    b"<tr><th>Time</th><th>Deal</th><th>Symbol</th><th>Type</th><th>Direction</th><th>Volume</th>"
    b"<th>Price</th><th>Order</th><th>Commission</th><th>Fee</th><th>Swap</th><th>Profit</th></tr>",
    "mt4": b"<html><head><title>Statement: 1234567 - Trader</title></head><body><table>"
    b"<tr><td>Closed Transactions:</td></tr>"
    b"<tr><td>Ticket</td><td>Open Time</td><td>Type</td><td>Size</td><td>Item</td><td>Price</td></tr>",
    "ibkr": b'<FlexQueryResponse queryName="q" type="AF"><FlexStatements count="1">'
    b'<FlexStatement accountId="U1234567" fromDate="20250101" toDate="20251231"><Trades>',
}

# Shapes: the fragment repeated. The first is html.parser's quadratic case (32 KB of it: 8.9 s).
SHAPES = {
    "quadratic html.parser": b"<a\n",
    "deep nesting": b"<div>",
    "deep table nesting": b"<table><tr><td>",
    "unclosed tags": b"<tr><td>1",
    "unclosed attribute": b"<a b='",
    "many empty rows": b"<tr></tr>",
    "many empty elements": b"<Trade/>",
    "nested records": b"<Trade>",
    "open comments": b"<!--",
    "character references": b"&#x",
    "deal rows": b"<tr><td>2025.01.02 10:00:00</td><td>1</td><td>EURUSD</td><td>buy</td><td>in</td>"
    b"<td>0.10</td><td>1.0850</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>\n",
}


def huge_attribute(format: str, size: int) -> bytes:
    """The format's head, then one element whose attribute fills `size` bytes."""
    tag = b"Trade symbol" if format == "ibkr" else b"tr><td class"
    return HEADS[format] + b"<" + tag + b'="' + b"x" * max(0, size - len(HEADS[format])) + b'"/>'


def build(format: str, fragments: list[bytes], size: int) -> bytes:
    """The format's head, then the fragments in turn, each repeated to an equal share of `size` bytes."""
    head = HEADS[format]
    share = max(1, (size - len(head)) // max(1, len(fragments)))
    return head + b"".join(fragment * max(1, share // len(fragment)) for fragment in fragments)


def measure(size: int) -> list[dict]:
    """Every shape of every format at `size` bytes through the bounded parse: how it ended, its CPU
    seconds and the child's peak memory, against the limits for its size."""
    from imports import sandbox

    results = []
    for format in HEADS:
        for shape in [*SHAPES, "huge attribute"]:
            data = huge_attribute(format, size) if shape == "huge attribute" else build(format, [SHAPES[shape]], size)
            limits = sandbox.Limits.for_size(len(data))
            started = time.monotonic()
            try:
                outcome = sandbox.parse(data, format=format, mapping=None, tz="UTC", limits=limits)
                cpu, peak, ended = outcome.cpu_seconds, outcome.peak_bytes, f"{outcome.rows:,} rows"
            except sandbox.Unreadable as failure:
                cpu, peak, ended = failure.cpu_seconds, failure.peak_bytes, str(failure)
                if cpu is None:  # ended by a limit: it took all of it (its memory is not known)
                    cpu = limits.cpu_seconds if failure.args[0] == sandbox.TOO_LONG else None
            results.append({
                "format": format, "shape": shape, "bytes": len(data), "wall": time.monotonic() - started,
                "cpu": cpu, "peak": peak, "ended": ended, "cpu_limit": limits.cpu_seconds,
                "memory_limit": limits.memory_bytes,
            })  # fmt: skip
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    return results


if __name__ == "__main__":
    # python -m bench.hostile SIZE (with the Django settings' environment): the shapes' results as JSON.
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradejournal.settings")
    django.setup()
    print(json.dumps(measure(int(sys.argv[1]))))
