"""Webhooks under a burst of writes: trade writes per second through the API with no endpoint and
with one endpoint subscribed to trade.created, and the delivery lag (event recorded to receiver
hearing it), p50 and p99, with one database worker delivering to a receiver on loopback.

    python bench/webhooks_bench.py [--writes 10000] [--clients 4]

Needs PostgreSQL on 127.0.0.1 (a database of its own, dropped afterwards). Prints its figures (not a test).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "tradejournal_bench_webhooks"
TRADE = {"instrument": "ES", "side": "long", "quantity": 1, "entry_time": "2025-03-03T14:30:00Z", "entry_price": 6000}


def env() -> dict:
    values = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "API_"))}
    values.update(
        DATABASE_URL=f"{PG_SERVER}/{DATABASE}", DJANGO_SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        DJANGO_SECURE_SSL="0", DJANGO_LOG_LEVEL="WARNING", API_KEY_RATE_LIMIT="1000000000/minute",
        WEBHOOK_ALLOW_HTTP="1", WEBHOOK_ALLOW_PRIVATE="1", WEBHOOK_DELIVERIES_PER_MINUTE="1000000",
    )  # fmt: skip
    return values


def manage(*args: str) -> str:
    r = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env(), capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(r.stderr[-3000:])
    return r.stdout


class Receiver:
    """Records when each event arrives (answers 200 at once)."""

    def __init__(self):
        self.arrivals: dict[str, float] = {}
        arrivals = self.arrivals

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                arrivals.setdefault(body["id"], time.time() - datetime.fromisoformat(body["created_at"]).timestamp())
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def burst(base: str, key: str, writes: int, clients: int) -> float:
    """Trade writes per second: `writes` POST /trades from `clients` threads at once."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"

    def write(_):
        r = session.post(f"{base}/api/v1/trades", json=TRADE, timeout=60)
        assert r.status_code == 201, r.text

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(write, range(writes)))
    return writes / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
    processes = []
    try:
        manage("migrate", "--no-input")
        quiet, hooked = (manage("createapikey", name, "--create-user", "--scopes", "trades:write,webhooks:write")
                         .strip().splitlines()[-1] for name in ("quiet", "hooked"))  # fmt: skip
        port = 8700 + os.getpid() % 200
        base = f"http://127.0.0.1:{port}"
        processes.append(subprocess.Popen([sys.executable, "-m", "gunicorn", "tradejournal.wsgi", "--bind",
                                           f"127.0.0.1:{port}", "--workers", "2"], cwd=ROOT, env=env()))  # fmt: skip
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        receiver = Receiver()
        r = requests.post(f"{base}/api/v1/webhooks", json={"url": receiver.url, "events": ["trade.created"]},
                          headers={"Authorization": f"Bearer {hooked}"}, timeout=60)  # fmt: skip
        assert r.status_code == 201, r.text
        burst(base, quiet, 200, args.clients)  # warm both app server processes
        off = burst(base, quiet, args.writes, args.clients)
        # The write path alone (events recorded, nothing sent yet), then with the worker delivering beside the
        # writes on the same cores, as on a one-machine install.
        on_alone = burst(base, hooked, args.writes, args.clients)
        processes.append(subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload",
                                           "--no-startup-delay", "--interval", "0.1"], cwd=ROOT, env=env()))  # fmt: skip
        while len(receiver.arrivals) < args.writes:  # the first burst's backlog
            time.sleep(0.5)
        receiver.arrivals.clear()
        on = burst(base, hooked, args.writes, args.clients)
        drained = time.monotonic()
        while len(receiver.arrivals) < args.writes and time.monotonic() - drained < 3600:
            time.sleep(0.5)
        drain = time.monotonic() - drained
        lags = sorted(receiver.arrivals.values())
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=False)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(
        f"trade writes/s, {args.clients} clients: webhooks off {off:.1f}; one endpoint subscribed {on_alone:.1f} "
        f"({on_alone / off:.2f}x), and with the worker delivering on the same cores {on:.1f} ({on / off:.2f}x)"
    )
    print(f"{len(lags)} of {args.writes} delivered by one db_worker, the last {drain:.0f} s after the burst")
    if lags:
        p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
        print(f"delivery lag, event recorded to received: p50 {statistics.median(lags):.2f} s, p99 {p99:.2f} s")


if __name__ == "__main__":
    main()
