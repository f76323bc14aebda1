"""The web overview of a big journal on the SQLite default: one trader of 120,000 trades.

    python bench/sqlite_overview.py [--trades 120000] [--cold 3] [--warm 9]   (also the end of `make bench`)

A SQLite file (bench/results/, seeded once with seed_demo and kept for later runs: two years of
trades on twelve instruments in three accounts, with tags and setups), no Redis, as `make run`
serves it; gunicorn with the production settings on loopback. It times, as single requests from
one client, the overview page (/dashboard/), the same page in New York time, and the equity curve
by trade bounded by `max_points` (GET /api/v1/stats/equity): cold, the first read right after a
write (a trade's notes changed through the API, which moves the journal's version), and warm,
read again. Prints the table for
bench/README.md ("The overview of a big journal on SQLite").
"""

import argparse
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import free_port, log, run  # noqa: E402  (the path above first)

DATABASE = ROOT / "bench" / "results" / "sqlite_overview.sqlite3"
USERNAME = "trader00001"  # seed_demo's first trader
# Seeded traders keep accounts in USD and EUR: unfiltered, the page shows the mixed-currency notice.
OVERVIEW = "/dashboard/?currency=USD"
# The same page for a trader in New York: every date, hour and period converted (core/sqlite3/offsets.py).
OVERVIEW_ZONED = f"{OVERVIEW}&tz=America/New_York"
MAX_POINTS = 400
EQUITY = f"/api/v1/stats/equity?interval=trade&max_points={MAX_POINTS}&currency=USD"
WORKERS = 2
# The page's session, made as the test client's force_login makes one: printed as cookie=value.
_SESSION = """
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(username=%r))
print(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
"""


def server_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "API_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{DATABASE}", DJANGO_SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", DJANGO_SECURE_SSL="0", DJANGO_LOG_LEVEL="WARNING",
        API_KEY_RATE_LIMIT="1000000000/minute",
    )  # fmt: skip
    return env


def manage(env: dict, *args: str) -> str:
    return run(sys.executable, "manage.py", *args, env=env).stdout


def prepare(env: dict, trades: int) -> float | None:
    """Migrates the file and seeds it unless it holds the trader's `trades` already; the seeding's seconds."""
    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    manage(env, "migrate", "--noinput")
    with sqlite3.connect(DATABASE) as db:
        (seeded,) = db.execute(
            "SELECT count(*) FROM journal_trade t JOIN auth_user u ON u.id = t.user_id WHERE u.username = ?",
            (USERNAME,),
        ).fetchone()
    if seeded == trades:
        return None
    log(f"seeding {trades:,} trades into {DATABASE.name} (once; kept for later runs)")
    for leftover in DATABASE.parent.glob(f"{DATABASE.name}*"):
        if leftover.is_file():
            leftover.unlink()
    manage(env, "migrate", "--noinput")
    started = time.monotonic()
    manage(env, "seed_demo", "--users", "1", "--trades-per-user", str(trades), "--seed", "1")
    return time.monotonic() - started


def timed(url: str, headers: dict, *, times: int, before=None) -> tuple[list[float], int]:
    """Each request's milliseconds, and the last body's size."""
    latencies, size = [], 0
    for _ in range(times):
        if before:
            before()
        started = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as r:
            size = len(r.read())
            assert r.status == 200, r.status
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trades", type=int, default=120_000)
    parser.add_argument("--cold", type=int, default=3, help="cold requests of each")
    parser.add_argument("--warm", type=int, default=9, help="warm requests of each")
    args = parser.parse_args()
    env = server_env()
    started = time.monotonic()
    load_before = os.getloadavg()
    seeded_in = prepare(env, args.trades)
    key = manage(env, "createapikey", USERNAME, "--scopes", "trades:read,trades:write,stats:read", "--name", "bench")
    api = {"Authorization": f"Bearer {key.strip().splitlines()[-1]}"}
    page = {
        "Cookie": run(sys.executable, "manage.py", "shell", "-c", _SESSION % USERNAME, env=env)
        .stdout.strip()
        .splitlines()[-1]
    }
    with sqlite3.connect(DATABASE) as db:
        (trade_id,) = db.execute(
            "SELECT max(t.id) FROM journal_trade t JOIN auth_user u ON u.id = t.user_id WHERE u.username = ?",
            (USERNAME,),
        ).fetchone()
    writes = iter(range(10**9))

    def write() -> None:
        body = f'{{"notes": "bench write {next(writes)}"}}'.encode()
        request = urllib.request.Request(
            f"{base}/api/v1/trades/{trade_id}", data=body, method="PATCH",
            headers={**api, "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=60) as r:
            assert r.status == 200, r.status

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "tradejournal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(WORKERS), "--timeout", "300"],
            cwd=ROOT, env=env, stdout=(Path(tmp) / "server.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            for _ in range(100):
                if (
                    run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"{base}/healthz", check=False).stdout
                    == "200"
                ):
                    break
                time.sleep(0.1)
            else:
                raise SystemExit("gunicorn did not start: " + (Path(tmp) / "server.log").read_text()[-2000:])
            timed(f"{base}/api/v1/ping", {}, times=WORKERS * 2)  # every worker's imports
            measured = (
                ("overview page", OVERVIEW, page), ("overview page, New York", OVERVIEW_ZONED, page),
                ("equity by trade", EQUITY, api),
            )  # fmt: skip
            for name, path, headers in measured:
                log(f"{name}: {args.cold} cold, {args.warm} warm")
                cold, size = timed(f"{base}{path}", headers, times=args.cold, before=write)
                warm, _ = timed(f"{base}{path}", headers, times=args.warm)
                rows.append((name, path, cold, warm, size))
        finally:
            server.terminate()
            server.wait()
    load_after = os.getloadavg()

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values):,.0f} ({min(values):,.0f} to {max(values):,.0f})"

    print(f"\n{args.trades:,} trades of one trader on SQLite {sqlite3.sqlite_version} (no Redis), gunicorn "
          f"{WORKERS} sync workers, single requests. {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.")  # fmt: skip
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after.")  # fmt: skip
    print("| measurement | cold ms, median (range) | warm ms, median (range) | body |")
    print("|---|---:|---:|---:|")
    for name, path, cold, warm, size in rows:
        print(f"| {name}: `{path}` | {ms(cold)} | {ms(warm)} | {size / 1024:,.0f} KiB |")
    seeding = f"seeded in {seeded_in:.0f} s, " if seeded_in is not None else ""
    print(f"\n{seeding}whole run {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
