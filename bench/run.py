"""The benchmark: every endpoint at a fixed concurrency, as a ratio to its physical floor.

    python bench/run.py --scale small|full      (or: make bench SCALE=small)

On PostgreSQL with the production settings and gunicorn on loopback, it measures the floors
(the endpoints' own SQL timed by pgbench inside PostgreSQL; an authenticated no-op endpoint;
an unauthenticated one), the endpoints (wrk), the leaderboard's cold computation, the
seeding rate against a plain COPY, and an import of 100,000 fills in an RQ worker against the
seeding rate; then prints the table for bench/README.md.
"""

import argparse
import csv
import io
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALES = {
    # users, trades per user, heavy user's trades, seconds per load run, seeding-rate sample
    "small": {"users": 200, "trades_per_user": 100, "heavy": 20_000, "seconds": 3, "seed_sample": 40_000},
    "full": {"users": 10_000, "trades_per_user": 490, "heavy": 100_000, "seconds": 15, "seed_sample": 300_000},
}
# The size of the hostile import files (bench/hostile.py) each scale reads: the full one, the upload limit's.
HOSTILE_BYTES = {"small": 2 * 2**20, "full": 20 * 2**20}
CONCURRENCY = 4
# Seeded traders keep accounts in USD and EUR, so their stats name a currency (else a 422).
STATS_FILTER = "currency=USD"
TAG_FILTER = "tag=FOMO"
WORKERS = 4
# The analytics endpoints, each measured for the typical and the heavy trader: the heaviest
# parameters of each (time zone conversion, one equity point per trade, a whole year's calendar).
ANALYTICS = {
    "breakdown": f"/api/v1/stats/breakdown?by=hour&tz=America/New_York&{STATS_FILTER}",
    "equity": f"/api/v1/stats/equity?interval=trade&{STATS_FILTER}",
    "calendar": f"/api/v1/stats/calendar?year={datetime.now(UTC).year}&tz=America/New_York&{STATS_FILTER}",
    "risk": f"/api/v1/stats/risk?tz=America/New_York&{STATS_FILTER}",
}
TRADERS = ("typical", "heavy")
# The heavy trader's curve by trade as a chart asks for it: a bounded number of points.
BOUNDED_EQUITY = f"/api/v1/stats/equity?interval=trade&max_points=2000&{STATS_FILTER}"
# Trades in each request of the bulk create (the most one request takes).
BULK_TRADES = 1000
# The costliest list request we know of: the last page of a filter no index leads with.
WORST = "/api/v1/trades?side=long&page={heavy_long_last_page}"
# The heavy trader's endpoints measured cold, i.e. the first read after a write (a cache miss).
COLD = ("list_heavy_1", "list_heavy_deep", "list_heavy_worst", "stats_heavy", *(f"{name}_heavy" for name in ANALYTICS))
# Bodies a careless or hostile client might send; each must be a quick 4xx.
HOSTILE = [
    b'{"instrument": "X", "side": "long", "quantity": 1E+999999999, "entry_time": "2025-03-15T10:30:00Z", "entry_price": 1}',
    b'{"instrument": "X", "side": "long", "quantity": 18446744073709551616, "entry_price": 1}',
    b'{"notes": "\\ud800", "instrument": "X"}', b'{"side": "long", "side": "short"}',
    b"[" * 5000 + b"]" * 5000, b'{"notes": 1' + b"0" * 6000 + b"}",
    b'{"notes": "' + b"x" * 60_000 + b'"}', b'{"' + b"k" * 1000 + b'": 1}',
]  # fmt: skip
IMPORT_FILLS = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The same fills as a workbook stay within the CSV's memory: the sheet is streamed into CSV text
# (about the CSV's size) before the same parse.
XLSX_MEMORY = 1.25
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


@dataclass
class Load:
    rps: float
    p50: float  # milliseconds
    p99: float
    requests: int = 0
    errors: int = 0


@dataclass
class Result:
    rows: list = field(default_factory=list)
    checks: list = field(default_factory=list)

    def add(self, name: str, load: Load, floor: str = "", ratio: str = "") -> None:
        self.rows.append((name, load, floor, ratio))

    def check(self, target: str, value: float, limit: float, higher_is_better: bool) -> None:
        ok = value >= limit if higher_is_better else value <= limit
        self.checks.append((target, value, limit, "≥" if higher_is_better else "≤", ok))


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(*args: str, env: dict | None = None, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    r = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)
    if check and r.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r


def psql(database: str, sql: str) -> str:
    return run("psql", f"{PG_SERVER}/{database}", "-qtAX", "-v", "ON_ERROR_STOP=1", "-c", sql).stdout.strip()


def server_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "API_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL="0",  # loopback, no TLS terminator in front
        DJANGO_LOG_LEVEL="WARNING",
        REDIS_URL=REDIS_URL,
        API_KEY_RATE_LIMIT="1000000000/minute",  # the bench measures work, not 429s
    )
    return env


def manage(env: dict, *args: str) -> str:
    return run(sys.executable, "manage.py", *args, env=env).stdout


# --- the database --------------------------------------------------------------------------


def prepare_database(scale: str, env: dict) -> None:
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    if psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        psql("postgres", f'CREATE DATABASE "{name}"')
    manage(env, "migrate", "--noinput")
    plan = SCALES[scale]
    expected = plan["users"] * plan["trades_per_user"] + plan["heavy"]
    seeded = int(psql(name, "SELECT count(*) FROM journal_trade t JOIN auth_user u ON u.id = t.user_id "
                            "WHERE u.username LIKE 'trader%'"))  # fmt: skip
    # A database seeded before trades had accounts and tags is seeded again.
    structured = psql(name, "SELECT EXISTS (SELECT 1 FROM journal_tradetag)") == "t"
    if seeded != expected or not structured:
        log(f"seeding {expected:,} trades (once per scale; kept for later runs)")
        psql(name, "TRUNCATE journal_trade, journal_idempotencykey CASCADE")  # and what hangs from trades
        started = time.monotonic()
        manage(env, "seed_demo", "--users", str(plan["users"]), "--trades-per-user", str(plan["trades_per_user"]),
               "--heavy-user-trades", str(plan["heavy"]), "--seed", "1")  # fmt: skip
        log(f"seeded in {time.monotonic() - started:.0f} s")
    # Index-only scans need the visibility map; autovacuum would get there, the bench can't wait.
    psql(name, "VACUUM ANALYZE journal_trade, journal_tradetag")


def seeding_rate(env: dict, sample: int) -> tuple[float, float]:
    """(seed_demo trades/s, plain COPY trades/s) for `sample` trades (and their tags) into the same
    indexed tables."""
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    users = 20

    def clear() -> None:
        psql(name, f"DELETE FROM journal_tradetag WHERE trade_id IN (SELECT id FROM journal_trade WHERE {_SEEDRATE})")
        psql(name, f"DELETE FROM journal_trade WHERE {_SEEDRATE}")

    clear()
    out = manage(env, "seed_demo", "--users", str(users), "--trades-per-user", str(sample // users),
                 "--seed", "7", "--username-prefix", "seedrate")  # fmt: skip
    seed_rate = float(re.search(r"\(([\d,]+) trades/s\)", out).group(1).replace(",", ""))
    payloads = {}
    for table, query in _DUMPS.items():
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as payload:
            payload.write(run(sys.executable, "-c", _DUMP_PAYLOAD, name, query, env=env).stdout)
        payloads[table] = payload.name
    clear()
    started = time.monotonic()
    for table, path in payloads.items():
        psql(name, f"\\copy {table} FROM '{path}'")
    copy_rate = sample / (time.monotonic() - started)
    clear()
    for path in payloads.values():
        Path(path).unlink()
    psql(name, "VACUUM ANALYZE journal_trade, journal_tradetag")
    return seed_rate, copy_rate


_SEEDRATE = "user_id IN (SELECT id FROM auth_user WHERE username LIKE 'seedrate%')"
_COPY_COLUMNS = ("id, user_id, instrument, side, quantity, entry_time, entry_price, exit_time, exit_price, stop_loss, "
                 "take_profit, commission, setup_type, notes, pnl, net_pnl, created_at, updated_at, account_id, "
                 "multiplier")  # fmt: skip
# The rows seed_demo just wrote (trades, then their tags), as COPY text: the plain COPY loads
# exactly the same data into the same tables.
_DUMPS = {
    f"journal_trade ({_COPY_COLUMNS})": f"SELECT {_COPY_COLUMNS} FROM journal_trade WHERE {_SEEDRATE}",
    "journal_tradetag (trade_id, tag_id)": "SELECT trade_id, tag_id FROM journal_tradetag WHERE trade_id IN "
    f"(SELECT id FROM journal_trade WHERE {_SEEDRATE})",
}
_DUMP_PAYLOAD = f"""
import sys, subprocess
sys.stdout.write(subprocess.run(
    ["psql", "{PG_SERVER}/" + sys.argv[1], "-qtAX", "-c", "COPY (" + sys.argv[2] + ") TO STDOUT"],
    capture_output=True, text=True, check=True).stdout)
"""


# --- imports ----------------------------------------------------------------------------------


def fills_csv(count: int, seed: int = 3) -> bytes:
    """A year of a day trader's fills as a generic CSV: round trips on four instruments, with
    scale-ins, partial exits and flips, per-contract costs and the broker's execution ids."""
    rng = random.Random(seed)  # noqa: S311 - made-up market data, reproducible
    instruments = {"MESM5": 600_000, "MNQM5": 2_100_000, "AAPL": 20_000, "TSLA": 25_000}  # prices in cents
    position = dict.fromkeys(instruments, 0)
    moment = datetime(2025, 1, 2, 14, 30, tzinfo=UTC).timestamp()
    lines = ["time,instrument,side,quantity,price,commission,fees,exec_id\n"]
    for n in range(count):
        moment += rng.choice((1, 2, 5, 30, 120, 900))
        symbol = rng.choice(list(instruments))
        instruments[symbol] = max(100, instruments[symbol] + rng.randint(-25, 25))
        held = position[symbol]
        reducing = held and rng.random() < 0.6
        buy = held < 0 if reducing else (rng.random() < 0.5 if not held else held > 0)
        quantity = rng.randint(1, 5)
        position[symbol] += quantity if buy else -quantity
        when = datetime.fromtimestamp(moment, UTC).isoformat()
        lines.append(f"{when},{symbol},{'buy' if buy else 'sell'},{quantity},{instruments[symbol] / 100:.2f},"
                     f"{0.62 * quantity:.2f},{0.35 * quantity:.2f},E{n}\n")  # fmt: skip
    return "".join(lines).encode()


def fills_xlsx(data: bytes) -> bytes:
    """The same fills as an Excel workbook, as Excel saves the CSV: numbers as number cells."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for n, row in enumerate(csv.reader(io.StringIO(data.decode()))):
        sheet.append(row if n == 0 else [*row[:3], int(row[3]), *(float(cell) for cell in row[4:7]), row[7]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class Imported:
    rate: float  # fills per second in the worker
    upload: float  # seconds the upload took to answer
    undo: float  # seconds from its undo's request to undone (by a worker started for it)
    peak_rss: int  # KiB: the worker's and the work horse's peak resident memory


def measure_import(env: dict, base: str, data: bytes, content_type: str) -> Imported:
    """The file uploaded, applied by an RQ worker (whose peak memory is measured) and undone."""
    key = manage(env, "createapikey", "bench_importer", "--create-user", "--scopes", "trades:read,trades:write",
                 "--name", "bench").strip().splitlines()[-1]  # fmt: skip
    headers = {"Authorization": f"Bearer {key}"}
    started = time.perf_counter()
    request = urllib.request.Request(
        f"{base}/api/v1/imports", data=data, headers={**headers, "Content-Type": content_type}
    )
    with urllib.request.urlopen(request) as r:
        imported = json.loads(r.read())
    upload = time.perf_counter() - started
    peak_rss = burst_worker(env)
    with urllib.request.urlopen(
        urllib.request.Request(f"{base}/api/v1/imports/{imported['id']}", headers=headers)
    ) as r:
        imported = json.loads(r.read())
    if imported["status"] != "succeeded" or imported["executions_created"] != IMPORT_FILLS:
        raise SystemExit(f"the bench import did not succeed: {imported}")
    seconds = datetime.fromisoformat(imported["finished_at"]) - datetime.fromisoformat(imported["started_at"])
    started = time.perf_counter()
    undo = urllib.request.Request(f"{base}/api/v1/imports/{imported['id']}", headers=headers, method="DELETE")
    urllib.request.urlopen(undo).close()
    burst_worker(env)
    with urllib.request.urlopen(
        urllib.request.Request(f"{base}/api/v1/imports/{imported['id']}", headers=headers)
    ) as r:
        if (status := json.loads(r.read())["status"]) != "undone":
            raise SystemExit(f"the bench import's undo did not finish: {status}")
    return Imported(IMPORT_FILLS / seconds.total_seconds(), upload, time.perf_counter() - started, peak_rss)


def burst_worker(env: dict) -> int:
    """Runs the queue's jobs to the end in `rqworker --burst`; the peak resident memory (KiB) of the
    worker and of the work horse it forks for each job (wait4 reports the largest of a process and
    the children it waited for)."""
    with tempfile.TemporaryFile() as log:
        worker = subprocess.Popen([sys.executable, "manage.py", "rqworker", "default", "--burst"], cwd=ROOT, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        _, status, usage = os.wait4(worker.pid, 0)
        worker.returncode = os.waitstatus_to_exitcode(status)
        if worker.returncode != 0:
            log.seek(0)
            raise SystemExit(f"rqworker failed:\n{log.read()[-3000:].decode(errors='replace')}")
    return usage.ru_maxrss


# --- load -------------------------------------------------------------------------------------


def hostile_files(env: dict, size: int) -> dict:
    """Every hostile shape of every XML/HTML format at `size` bytes through the bounded parse; the
    one that took the most CPU time (bench/hostile.py)."""
    out = run(sys.executable, "-m", "bench.hostile", str(size), env=env).stdout
    results = json.loads(out.strip().splitlines()[-1])
    return max(results, key=lambda result: (result["peak"] is None, result["cpu"] or 0))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict, logdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tradejournal.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--access-logfile", str(logdir / "access.log")],
        cwd=ROOT, env=env, stdout=(logdir / "server.log").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        if run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"{base}/healthz", check=False).stdout == "200":
            return process, base
        time.sleep(0.1)
    raise SystemExit("gunicorn did not start; see " + str(logdir / "server.log"))


_WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\": %d, \\"seconds\\": %f, \\"p50\\": %f, \\"p99\\": %f, \\"errors\\": %d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk(url: str, seconds: int, key: str | None = None, body: str | None = None, timeout: int = 2) -> Load:
    # A read is measured warm: one request first computes what the rest find cached (else the
    # row's p99 is its one cold computation). Cold reads have rows of their own (single_requests).
    if body is None and key is not None:
        single_requests(url, key, 1)
    script = _WRK_REPORT
    if body is not None:
        script = (
            f'wrk.method = "POST"\nwrk.body = [[{body}]]\nwrk.headers["Content-Type"] = "application/json"\n' + script
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    headers = ["-H", f"Authorization: Bearer {key}"] if key else []
    r = run("wrk", "-t2", f"-c{CONCURRENCY}", f"-d{seconds}s", f"--timeout={timeout}s", "-s", lua.name, *headers, url)
    Path(lua.name).unlink()
    data = json.loads(r.stdout.split("JSON ", 1)[1])
    return Load(data["requests"] / data["seconds"], data["p50"], data["p99"], data["requests"], data["errors"])


def single_requests(url: str, key: str, times: int, before=None) -> Load:
    latencies = []
    for _ in range(times):
        if before:
            before()
        started = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})) as r:
            r.read()
            assert r.status == 200, r.status
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return Load(1000 / statistics.mean(latencies), statistics.median(latencies), latencies[-1], times)


def hostile_requests(url: str, key: str) -> float:
    """The slowest answer, in milliseconds, to the HOSTILE bodies (each also sent with an Idempotency-Key)."""
    slowest = 0.0
    for number, body in enumerate(HOSTILE * 2):
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        if number >= len(HOSTILE):
            headers["Idempotency-Key"] = f"hostile-{time.time_ns()}"
        started = time.perf_counter()
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers, method="POST")).read()
            raise SystemExit(f"a hostile body was accepted: {body[:80]!r}")
        except urllib.error.HTTPError as error:
            error.read()
            assert 400 <= error.code < 500, (error.code, body[:80])
        slowest = max(slowest, (time.perf_counter() - started) * 1000)
    return slowest


def pgbench(database: str, statements: list[str], seconds: int, clients: int = CONCURRENCY) -> Load:
    """The statements as one transaction, timed by PostgreSQL's own load generator."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "floor.sql"
        script.write_text("".join(s.replace("\n", " ") + ";\n" for s in statements))
        run("pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", str(script), "--log",
            "--log-prefix", f"{tmp}/log", f"{PG_SERVER}/{database}")  # fmt: skip
        latencies = sorted(
            int(line.split()[2]) / 1000 for log_file in Path(tmp).glob("log*") for line in log_file.read_text().splitlines()
        )  # fmt: skip
    count = len(latencies)
    return Load(count / seconds, latencies[count // 2], latencies[min(count - 1, int(count * 0.99))], count)


# --- the SQL each endpoint runs -------------------------------------------------------------------


def endpoint_sql(env: dict, keys: dict) -> dict[str, list[str]]:
    """The endpoints' own SQL (not authentication's), captured from the real views in-process."""
    code = r"""
import json, os, sys, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from leaderboard.rankings import compute_rankings
keys, paths = json.loads(sys.argv[1]), json.loads(sys.argv[2])
out = {}
client = Client()
for name, (key, path) in paths.items():
    client.get("/api/v1/key", HTTP_AUTHORIZATION="Bearer " + keys[key])  # warm: last_used written
    # The first request of each query: a cache miss (the bench flushed its Redis database).
    with CaptureQueriesContext(connection) as captured:
        r = client.get(path, HTTP_AUTHORIZATION="Bearer " + keys[key])
        assert r.status_code == 200, (path, r.content[:300])
    out[name] = [q["sql"] for q in captured.captured_queries
                 if "apikeys_" not in q["sql"] and "tradejournal_cache" not in q["sql"]]
with CaptureQueriesContext(connection) as captured:
    compute_rankings()
out["leaderboard"] = [q["sql"] for q in captured.captured_queries]
print(json.dumps(out))
"""
    paths = {
        "list_typical_1": ["typical", "/api/v1/trades"],
        "list_heavy_1": ["heavy", "/api/v1/trades"],
        "list_heavy_deep": ["heavy", f"/api/v1/trades?page={keys['heavy_last_page']}"],
        "list_heavy_tag": ["heavy", f"/api/v1/trades?{TAG_FILTER}"],
        "list_heavy_account": ["heavy", f"/api/v1/trades?account={keys['heavy_futures']}&side=long"],
        "list_heavy_worst": ["heavy", WORST.format(**keys)],
        "stats_typical": ["typical", f"/api/v1/stats?{STATS_FILTER}"],
        "stats_heavy": ["heavy", f"/api/v1/stats?{STATS_FILTER}"],
        **{f"{name}_{who}": [who, path] for name, path in ANALYTICS.items() for who in TRADERS},
    }
    r = run(sys.executable, "-c", code, json.dumps(keys), json.dumps(paths),
            env={**env, "DJANGO_SETTINGS_MODULE": "tradejournal.settings"})  # fmt: skip
    return json.loads(r.stdout.strip().splitlines()[-1])


def explain(database: str, sql: str) -> str:
    return psql(database, f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) {sql}")


# --- the run ----------------------------------------------------------------------------------------


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    pg = psql("postgres", "SHOW server_version")
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, PostgreSQL {pg}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, default="small")
    # Checkouts measured side by side each need a database of their own.
    parser.add_argument("--database", help="the database to build and measure (default: tradejournal_bench_<scale>)")
    args = parser.parse_args()
    missing = [tool for tool in ("wrk", "pgbench", "psql", "redis-cli") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: apt-get install wrk postgresql-client redis-tools")
    plan = SCALES[args.scale]
    seconds = plan["seconds"]
    # --database or BENCH_DATABASE: a database of one's own, where several checkouts share the server.
    database = args.database or os.environ.get("BENCH_DATABASE", f"tradejournal_bench_{args.scale}")
    env = server_env(f"{PG_SERVER}/{database}")
    started = time.monotonic()

    prepare_database(args.scale, env)
    # A clean shared cache: every measured question starts uncached, whatever earlier runs left.
    run("redis-cli", "-u", REDIS_URL, "FLUSHDB")
    trades = int(psql(database, "SELECT count(*) FROM journal_trade"))
    keys = {
        "typical": manage(env, "createapikey", "trader00001", "--scopes", "trades:read,stats:read,leaderboard:read",
                          "--name", "bench").strip().splitlines()[-1],
        "heavy": manage(env, "createapikey", "trader_heavy", "--scopes", "trades:read,stats:read",
                        "--name", "bench").strip().splitlines()[-1],
        "writer": manage(env, "createapikey", "bench_writer", "--create-user", "--scopes", "trades:write",
                         "--name", "bench").strip().splitlines()[-1],
    }  # fmt: skip
    keys["heavy_futures"] = psql(database, "SELECT a.id FROM journal_account a JOIN auth_user u ON u.id = a.user_id "
                                           "WHERE u.username = 'trader_heavy' AND a.name = 'Futures'")  # fmt: skip
    keys["typical_last_page"] = -(-plan["trades_per_user"] // 25)
    keys["heavy_last_page"] = -(-plan["heavy"] // 25)
    heavy_id = psql(database, "SELECT id FROM auth_user WHERE username = 'trader_heavy'")
    longs = int(psql(database, f"SELECT count(*) FROM journal_trade WHERE user_id = {heavy_id} AND side = 'long'"))
    keys["heavy_long_last_page"] = -(-longs // 25)

    log("capturing the endpoints' SQL and timing it in PostgreSQL (the SQL floors)")
    sql = endpoint_sql(env, keys)
    floors = {name: pgbench(database, statements, seconds) for name, statements in sql.items()}
    floors["leaderboard_1"] = pgbench(database, sql["leaderboard"], seconds, clients=1)
    # A cold request is measured alone: its floor is the same SQL from one client.
    floors1 = {name: pgbench(database, sql[name], seconds, clients=1) for name in COLD}

    result = Result()
    with tempfile.TemporaryDirectory() as tmp:
        server, base = start_server(env, Path(tmp))
        try:
            api = f"{base}/api/v1"
            wrk(f"{api}/ping", 1)  # warm every worker's connections and imports
            wrk(f"{api}/trades", 1, keys["typical"])
            log("load: floors")
            framework = wrk(f"{api}/ping", seconds)
            auth = wrk(f"{api}/key", seconds, keys["typical"])
            log("load: trades")
            list1 = wrk(f"{api}/trades", seconds, keys["typical"])
            list_deep = wrk(f"{api}/trades?page={keys['typical_last_page']}", seconds, keys["typical"])
            heavy1 = wrk(f"{api}/trades", seconds, keys["heavy"])
            heavy_deep = wrk(f"{api}/trades?page={keys['heavy_last_page']}", seconds, keys["heavy"])
            heavy_tag = wrk(f"{api}/trades?{TAG_FILTER}", seconds, keys["heavy"])
            heavy_account = wrk(f"{api}/trades?account={keys['heavy_futures']}&side=long", seconds, keys["heavy"])
            body = ('{"instrument": "BTCUSDT", "side": "long", "quantity": 0.5, "entry_time": "2025-03-15T10:30:00Z", '
                    '"entry_price": 65000, "exit_time": "2025-03-15T14:00:00Z", "exit_price": 66500, "commission": 1.5}')  # fmt: skip
            create = wrk(f"{api}/trades", seconds, keys["writer"], body=body)
            # A thousand trades a request may outlast wrk's default 2 s on a loaded machine: not an error.
            bulk_body = f'{{"trades": [{", ".join([body] * BULK_TRADES)}]}}'
            bulk = wrk(f"{api}/trades/bulk", seconds, keys["writer"], body=bulk_body, timeout=30)
            log("load: stats and leaderboard")
            stats_typical = wrk(f"{api}/stats?{STATS_FILTER}", seconds, keys["typical"])
            stats_heavy = wrk(f"{api}/stats?{STATS_FILTER}", seconds, keys["heavy"])
            log("load: analytics")
            analytics = {
                f"{name}_{who}": wrk(f"{base}{path}", seconds, keys[who]) for name, path in ANALYTICS.items() for who in TRADERS
            }  # fmt: skip
            equity_bounded = wrk(f"{base}{BOUNDED_EQUITY}", seconds, keys["heavy"])
            log("cold: the heavy trader's first reads after a write (the journal's version moved)")
            write = lambda: run("redis-cli", "-u", REDIS_URL, "INCR", f"journal:version:{heavy_id}")  # noqa: E731
            cold_paths = {"list_heavy_1": "/api/v1/trades", "list_heavy_deep": f"/api/v1/trades?page={keys['heavy_last_page']}",
                          "list_heavy_worst": WORST.format(**keys), "stats_heavy": f"/api/v1/stats?{STATS_FILTER}",
                          **{f"{name}_heavy": path for name, path in ANALYTICS.items()}}  # fmt: skip
            cold = {name: single_requests(f"{base}{path}", keys["heavy"], 9, before=write)
                    for name, path in cold_paths.items()}  # fmt: skip
            hostile_ms = hostile_requests(f"{api}/trades", keys["writer"])
            single_requests(f"{api}/leaderboard", keys["typical"], 1)  # "warm": the snapshot exists
            board_warm = wrk(f"{api}/leaderboard", seconds, keys["typical"])
            snapshot_keys = (":1:leaderboard:snapshot:v1", "leaderboard:answer:v1")
            expire = lambda: run("redis-cli", "-u", REDIS_URL, "DEL", *snapshot_keys)  # noqa: E731
            single_requests(f"{api}/leaderboard", keys["typical"], 1)
            board_cold = single_requests(f"{api}/leaderboard", keys["typical"], 7, before=expire)
            errors = sum(load.errors for load in (framework, auth, list1, list_deep, heavy1, heavy_deep, heavy_tag,
                                                    heavy_account, create, bulk, equity_bounded, stats_typical, stats_heavy, board_warm,
                                                    *analytics.values()))  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=30)
    log("seeding rate against a plain COPY")
    seed_rate, copy_rate = seeding_rate(env, plan["seed_sample"])
    log(f"import of {IMPORT_FILLS:,} fills through the API and an RQ worker, as CSV and as .xlsx")
    fills = fills_csv(IMPORT_FILLS)
    workbook = fills_xlsx(fills)
    with tempfile.TemporaryDirectory() as tmp:
        server, base = start_server(env, Path(tmp))
        try:
            as_csv = measure_import(env, base, fills, "text/csv")
            as_xlsx = measure_import(env, base, workbook, XLSX)
            import_rate, upload_seconds, undo_seconds = as_csv.rate, as_csv.upload, as_csv.undo
        finally:
            server.terminate()
            server.wait(timeout=30)
    log(f"hostile import files of {HOSTILE_BYTES[args.scale]:,} bytes, every shape of every XML/HTML format")
    worst = hostile_files(env, HOSTILE_BYTES[args.scale])
    psql(
        database, "DELETE FROM journal_trade WHERE user_id = (SELECT id FROM auth_user WHERE username = 'bench_writer')"
    )

    def r(a: float, b: float) -> str:
        return f"{a / b:.2f}"

    auth_sql = "auth"
    result.add("framework floor: GET /ping (no key)", framework)
    result.add("auth floor: GET /key", auth, "framework", r(auth.rps, framework.rps) + " rps")
    result.add("SQL floor: list page 1, typical (count + page)", floors["list_typical_1"])
    result.add("list page 1, typical user", list1, auth_sql, r(list1.rps, auth.rps) + " rps")
    result.add(
        f"list last page ({keys['typical_last_page']}), typical",
        list_deep,
        "list p1",
        r(list_deep.p50, list1.p50) + " p50",
    )
    result.add("SQL floor: list page 1, heavy", floors["list_heavy_1"])
    result.add("list page 1, heavy user", heavy1, auth_sql, r(heavy1.rps, auth.rps) + " rps")
    result.add("SQL floor: list last page, heavy", floors["list_heavy_deep"])
    result.add(
        f"list last page ({keys['heavy_last_page']}), heavy",
        heavy_deep,
        "heavy p1",
        r(heavy_deep.p50, heavy1.p50) + " p50",
    )
    result.add(f"SQL floor: list page 1, heavy, {TAG_FILTER}", floors["list_heavy_tag"])
    result.add(f"list page 1, heavy, {TAG_FILTER}", heavy_tag, "heavy p1", r(heavy_tag.p50, heavy1.p50) + " p50")
    result.add("SQL floor: list page 1, heavy, account=Futures&side=long", floors["list_heavy_account"])
    result.add("list page 1, heavy, account=Futures&side=long", heavy_account, "heavy p1",
               r(heavy_account.p50, heavy1.p50) + " p50")  # fmt: skip
    result.add("create: POST /trades", create, auth_sql, r(create.rps, auth.rps) + " rps")
    result.add(f"bulk create: POST /trades/bulk, {BULK_TRADES:,} trades a request", bulk, "",
               f"{bulk.rps * BULK_TRADES:,.0f} trades/s")  # fmt: skip
    result.add(
        f"stats, typical user ({STATS_FILTER}), warm", stats_typical, auth_sql, r(stats_typical.rps, auth.rps) + " rps"
    )
    result.add(
        f"stats, heavy user ({STATS_FILTER}), warm", stats_heavy, auth_sql, r(stats_heavy.rps, auth.rps) + " rps"
    )
    for name, path in ANALYTICS.items():
        for who in TRADERS:
            load = analytics[f"{name}_{who}"]
            result.add(f"{path.removeprefix('/api/v1')}, {who} user, warm", load, auth_sql,
                       r(load.rps, auth.rps) + " rps")  # fmt: skip
    result.add(f"{BOUNDED_EQUITY.removeprefix('/api/v1')}, heavy user, warm", equity_bounded, auth_sql,
               r(equity_bounded.rps, auth.rps) + " rps")  # fmt: skip
    for name in COLD:
        floor = floors1[name]
        result.add(f"SQL floor (1 client): {name}", floor)
        result.add(f"{name}, cold (first read after a write, 1 client)", cold[name], "SQL+auth",
                   r(cold[name].p50, floor.p50 + auth.p50) + " p50")  # fmt: skip
    result.add("leaderboard, warm snapshot", board_warm, auth_sql, r(board_warm.rps, auth.rps) + " rps")
    result.add("SQL floor: leaderboard ranking (1 client)", floors["leaderboard_1"])
    result.add("leaderboard, just expired (1 client)", board_cold, "SQL", r(board_cold.p50, floors["leaderboard_1"].p50) + " p50")  # fmt: skip

    result.check("auth rps / framework rps", auth.rps / framework.rps, 0.6, True)
    result.check("list page 1 (typical) rps / auth rps", list1.rps / auth.rps, 0.6, True)
    result.check("list page 1 (heavy, warm) rps / auth rps", heavy1.rps / auth.rps, 0.5, True)
    result.check("stats (heavy, warm) rps / auth rps", stats_heavy.rps / auth.rps, 0.8, True)
    for name in ANALYTICS:
        result.check(f"{name} (heavy, warm) rps / auth rps", analytics[f"{name}_heavy"].rps / auth.rps, 0.8, True)
    for name in ("list_heavy_1", "stats_heavy", *(f"{name}_heavy" for name in ANALYTICS)):
        result.check(f"{name} cold p50 / (SQL p50 + auth p50)", cold[name].p50 / (floors1[name].p50 + auth.p50), 1.3,
                     False)  # fmt: skip
    result.check("heavy last page p50 / heavy page 1 p50 (cold)", cold["list_heavy_deep"].p50 / cold["list_heavy_1"].p50,
                 5, False)  # fmt: skip
    result.check("worst list request, cold p50 (ms)", cold["list_heavy_worst"].p50, 1000, False)
    result.check("slowest hostile body (ms)", hostile_ms, 100, False)
    result.check("leaderboard warm rps / auth rps", board_warm.rps / auth.rps, 0.9, True)
    result.check("leaderboard warm p99 / auth p99", board_warm.p99 / auth.p99, 2, False)
    result.check("leaderboard cold p50 / its SQL p50", board_cold.p50 / floors["leaderboard_1"].p50, 1.3, False)
    result.check("create rps / auth rps", create.rps / auth.rps, 0.5, True)
    result.check("bulk create trades/s", bulk.rps * BULK_TRADES, 5000, True)
    result.check("equity by trade, max_points=2000 (heavy, warm) rps / auth rps", equity_bounded.rps / auth.rps, 0.8,
                 True)  # fmt: skip
    result.check("seeding rate / plain COPY rate", seed_rate / copy_rate, 0.5, True)
    result.check("import rate (worker) / seeding rate", import_rate / seed_rate, 0.25, True)
    result.check("import upload answered in (s)", upload_seconds, 1, False)
    result.check("xlsx import peak RSS / CSV import peak RSS", as_xlsx.peak_rss / as_csv.peak_rss, XLSX_MEMORY, False)
    result.check("worst hostile file: parse CPU s / its limit", worst["cpu"] / worst["cpu_limit"], 0.5, False)
    result.check("worst hostile file: parse peak memory / its limit", (worst["peak"] or worst["memory_limit"])
                 / worst["memory_limit"], 0.5, False)  # fmt: skip

    lines = [
        f"Scale `{args.scale}`: {trades:,} trades, {plan['users']:,} traders of {plan['trades_per_user']} trades "
        f"and one of {plan['heavy']:,}. {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Machine: {machine()}.",
        f"Load: wrk, {CONCURRENCY} connections, {seconds} s per row; gunicorn {WORKERS} sync workers; "
        f"production settings with Redis; SQL floors: pgbench, {CONCURRENCY} clients, same SQL. Non-2xx: {errors}.",
        "",
        "| measurement | req/s | p50 ms | p99 ms | against | ratio |",
        "|---|---:|---:|---:|---|---:|",
        *(
            f"| {name} | {load.rps:,.0f} | {load.p50:.2f} | {load.p99:.2f} | {floor} | {ratio} |"
            for name, load, floor, ratio in result.rows
        ),
        f"| seeding (seed_demo) | {seed_rate:,.0f} rows/s | | | plain COPY {copy_rate:,.0f} rows/s | {r(seed_rate, copy_rate)} |",
        f"| import, {IMPORT_FILLS:,} fills (generic CSV, RQ worker) | {import_rate:,.0f} fills/s | | | seeding "
        f"{seed_rate:,.0f} rows/s | {r(import_rate, seed_rate)} |",
        f"| upload of that file (202) / its undo (request to undone) | | {upload_seconds * 1000:,.0f} | {undo_seconds * 1000:,.0f} | | |",
        f"| import peak RSS (worker and work horse), that CSV ({len(fills) / 2**20:.1f} MiB) | "
        f"{as_csv.peak_rss / 1024:,.0f} MiB | | | | |",
        f"| import peak RSS, the same fills as .xlsx ({len(workbook) / 2**20:.1f} MiB) | {as_xlsx.peak_rss / 1024:,.0f} MiB "
        f"| | | CSV {as_csv.peak_rss / 1024:,.0f} MiB | {r(as_xlsx.peak_rss, as_csv.peak_rss)} |",
        f"| worst hostile import file: {worst['format']}, {worst['shape']} ({worst['bytes'] / 2**20:.1f} MiB; "
        f"{worst['ended']}), parse CPU s / peak MiB | {worst['cpu'] or 0:.2f} | {(worst['peak'] or 0) / 2**20:,.0f} | "
        f"| limits {worst['cpu_limit']} s, {worst['memory_limit'] / 2**20:,.0f} MiB | |",
        "",
        "| target | measured | limit | met |",
        "|---|---:|---:|:---:|",
        *(
            f"| {target} | {value:.2f} | {op} {limit} | {'yes' if ok else '**no**'} |"
            for target, value, limit, op, ok in result.checks
        ),
    ]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{args.scale}-{datetime.now(UTC):%Y%m%dT%H%M}.md").write_text(report + "\n")
    plans = {name: explain(database, statements[-1]) for name, statements in sql.items()}
    (out / f"{args.scale}-plans.txt").write_text("\n\n".join(f"== {n}\n{p}" for n, p in plans.items()) + "\n")
    log(f"done in {time.monotonic() - started:.0f} s; plans in bench/results/{args.scale}-plans.txt")


if __name__ == "__main__":
    main()
