"""The cluster's benchmark: the loopback topology of cluster/cluster.py, on ports of its own.

    python bench/cluster_run.py [--failovers 3] [--seconds 20]     (or: make bench-cluster)

It seeds 200 traders of 200 trades, then measures, through the load balancer: the requests per
second of a read mix (trade lists, a trade, stats, the leaderboard) with two app servers and with
one (the other disabled in HAProxy), and the share of the trades table's rows the standby handed
out meanwhile; the replication lag while a 100,000-fill import is applied; and the window in
which writes fail when the primary's node is lost (several times, the p50). It prints the
results and writes them to bench/results/cluster-<time>.json; bench/SCALING.md quotes them.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import fills_csv, machine  # noqa: E402
from cluster import cluster as control  # noqa: E402

DIRECTORY = ROOT / "var" / "cluster-bench"
BASE_PORT = 29400
USERS, TRADES_PER_USER, KEYS = 200, 200, 40
IMPORT_FILLS = 100_000
CONNECTIONS = 8
SCOPES = ["trades:read", "trades:write", "stats:read", "leaderboard:read"]

# wrk's summary as one JSON line.
_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\": %d, \\"seconds\\": %f, \\"p50\\": %f, \\"p99\\": %f, \\"errors\\": %d, \\"non2xx\\": %d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
"""
# Each wrk connection cycles through the traders' keys and these reads.
_MIX = """
keys = {%s}
paths = {"/api/v1/trades", "/api/v1/trades?page=2", "/api/v1/stats?currency=USD", "/api/v1/leaderboard",
         "/api/v1/trades?side=long", "/api/v1/accounts"}
counter = 0
request = function()
  counter = counter + 1
  local key = keys[(counter %% #keys) + 1]
  local path = paths[(math.floor(counter / #keys) %% #paths) + 1]
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. key})
end
"""


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def sql(layout: control.Layout, node: str, query: str, *params) -> list[tuple]:
    with psycopg.connect(host="127.0.0.1", port=layout.pg_port(node), user="postgres", dbname="tradejournal",
                         autocommit=True, connect_timeout=5) as conn:  # fmt: skip
        return conn.execute(query, params or None).fetchall()


def rows_read(layout: control.Layout, node: str) -> int:
    query = ("SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0) "
             "FROM pg_stat_user_tables WHERE relname = 'journal_trade'")  # fmt: skip
    return int(sql(layout, node, query)[0][0])


def haproxy(layout: control.Layout, command: str) -> str:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(layout.directory / "haproxy.sock"))
        sock.sendall(command.encode() + b"\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.decode()


def seed(layout: control.Layout) -> list[str]:
    primary = control.leader(layout)
    direct = {"DATABASE_URL": layout.direct_url(primary), "DATABASE_POOLED": "0"}
    seeded = control.manage(layout, "seed_demo", "--users", str(USERS), "--trades-per-user", str(TRADES_PER_USER),
                            **direct)  # fmt: skip
    if seeded.returncode != 0:
        raise SystemExit(seeded.stderr[-2000:])
    code = (
        "from django.contrib.auth import get_user_model; from apikeys.models import ApiKey\n"
        f"for user in get_user_model().objects.filter(username__startswith='trader').order_by('id')[:{KEYS}]:\n"
        f"    print(ApiKey.objects.create_key(user=user, name='bench', scopes={SCOPES!r})[1])\n"
    )
    keys = control.manage(layout, "shell", "--no-imports", "-c", code, **direct)
    if keys.returncode != 0:
        raise SystemExit(keys.stderr[-2000:])
    keys = [word for word in keys.stdout.split() if word.startswith("tj_")]
    request = urllib.request.Request(f"http://127.0.0.1:{layout.lb_port}/api/v1/key",
                                     headers={"Authorization": f"Bearer {keys[0]}"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200, "the seeded keys do not authenticate"
    return keys


def read_mix(layout: control.Layout, keys: list[str], seconds: int) -> dict:
    """wrk's read mix through the load balancer, with what each node's trades table handed out."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(_MIX % ", ".join(f'"{key}"' for key in keys) + _REPORT)
    nodes = {node: rows_read(layout, node) for node in control.NODES}
    url = f"http://127.0.0.1:{layout.lb_port}"
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", lua.name, url],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    Path(lua.name).unlink()
    time.sleep(1.5)  # statistics reach pg_stat_user_tables within a second
    result = json.loads(next(line[5:] for line in out.splitlines() if line.startswith("JSON ")))
    result["rps"] = result["requests"] / result["seconds"]
    rows = {node: rows_read(layout, node) - before for node, before in nodes.items()}
    standby = next(node for node in control.NODES if node != control.leader(layout))
    result["standby_row_share"] = rows[standby] / max(1, sum(rows.values()))
    result["rows"] = rows
    return result


def cpu_seconds(layout: control.Layout, node: str) -> float:
    """CPU time a node's PostgreSQL has spent: the postmaster, its live children, and the children it reaped."""
    pid = control.postmaster_pid(layout, node)
    tick = os.sysconf("SC_CLK_TCK")

    def fields(p: int) -> list[str]:
        return Path(f"/proc/{p}/stat").read_text().rsplit(") ", 1)[1].split()

    own = fields(pid)
    total = sum(int(own[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            child = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(child[1]) == pid:
            total += int(child[11]) + int(child[12])
    return total / tick


def write_cost(layout: control.Layout, keys: list[str], seconds: int) -> dict:
    """Creates through the load balancer (wrk, no Idempotency-Key), and the CPU each node's
    PostgreSQL spent per acknowledged write: the primary's is what bounds one primary."""
    body = json.dumps({"instrument": "ESZ6", "side": "long", "quantity": 1, "entry_price": 100,
                       "entry_time": "2026-03-02T14:30:00Z"})  # fmt: skip
    script = (f'wrk.method = "POST"\nwrk.body = [[{body}]]\nwrk.headers["Content-Type"] = "application/json"\n'
              f'wrk.headers["Authorization"] = "Bearer {keys[1]}"\n' + _REPORT)  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    primary = control.leader(layout)
    standby = next(node for node in control.NODES if node != primary)
    before = {node: cpu_seconds(layout, node) for node in control.NODES}
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS // 2}", f"-d{seconds}s", "-s", lua.name,
                          f"http://127.0.0.1:{layout.lb_port}/api/v1/trades"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    Path(lua.name).unlink()
    spent = {node: cpu_seconds(layout, node) - before[node] for node in control.NODES}
    result = json.loads(next(line[5:] for line in out.splitlines() if line.startswith("JSON ")))
    writes = result["requests"] - result["non2xx"]
    result["rps"] = result["requests"] / result["seconds"]
    result["primary_cpu_ms_per_write"] = 1000 * spent[primary] / max(1, writes)
    result["standby_cpu_ms_per_write"] = 1000 * spent[standby] / max(1, writes)
    return result


def lag_during_import(layout: control.Layout, key: str) -> dict:
    """The standby's lag, sampled on the primary twice a second while a 100,000-fill import runs."""
    primary = control.leader(layout)
    url = f"http://127.0.0.1:{layout.lb_port}/api/v1/imports"
    headers = {"Authorization": f"Bearer {key}"}
    request = urllib.request.Request(url, data=fills_csv(IMPORT_FILLS), headers={**headers, "Content-Type": "text/csv"})
    with urllib.request.urlopen(request, timeout=120) as response:
        imported = json.loads(response.read())
    samples: list[tuple[float, float]] = []
    primary_cpu = cpu_seconds(layout, primary)
    query = ("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), "
             "coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication")  # fmt: skip
    while True:
        for lag_bytes, lag_seconds in sql(layout, primary, query):
            samples.append((float(lag_bytes), float(lag_seconds)))
        with urllib.request.urlopen(urllib.request.Request(f"{url}/{imported['id']}", headers=headers)) as response:
            imported = json.loads(response.read())
        if imported["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.5)
    took = datetime.fromisoformat(imported["finished_at"]) - datetime.fromisoformat(imported["started_at"])
    return {"status": imported["status"], "fills_per_second": IMPORT_FILLS / took.total_seconds(),
            "primary_cpu_ms_per_fill": 1000 * (cpu_seconds(layout, primary) - primary_cpu) / IMPORT_FILLS,
            "max_lag_bytes": max(b for b, _ in samples), "max_lag_seconds": max(s for _, s in samples),
            "p50_lag_seconds": statistics.median(s for _, s in samples), "samples": len(samples)}  # fmt: skip


def failover_window(layout: control.Layout, key: str) -> float:
    """Seconds from the loss of the primary's node to the answer of the first write stored after it
    (a client writing ten times a second, each write given 30 s)."""
    url = f"http://127.0.0.1:{layout.lb_port}/api/v1/trades"
    outcomes: list[tuple[float, bool, float]] = []  # (answered at, stored, begun at)
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            body = json.dumps({"instrument": "ESZ6", "side": "long", "quantity": 1, "entry_price": 100,
                               "entry_time": "2026-03-02T14:30:00Z", "notes": f"failover-{time.time_ns()}-{n}"})  # fmt: skip
            request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
                "Authorization": f"Bearer {key}", "Content-Type": "application/json"})  # fmt: skip
            began = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=30):
                    ok = True
            except OSError:
                ok = False
            outcomes.append((time.monotonic(), ok, began))
            time.sleep(0.1)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    time.sleep(3)
    old = control.leader(layout)
    killed = time.monotonic()
    control.kill_node(layout, old)
    deadline = killed + 120

    def back() -> float | None:
        # A write sent before the kill and answered after it proves nothing: only one begun after.
        return next((at for at, ok, began in outcomes if ok and began > killed), None)

    while time.monotonic() < deadline and back() is None:
        time.sleep(0.2)
    stop.set()
    thread.join()
    window = back() - killed
    state = control.State(layout)
    control.start_node(layout, state, old)
    wait = time.monotonic() + 120
    while time.monotonic() < wait and control.node_role(layout, old) != "standby":
        time.sleep(1)
    time.sleep(5)  # streaming again
    return window


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failovers", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    os.environ.update(CLUSTER_DIR=str(DIRECTORY), CLUSTER_BASE_PORT=str(BASE_PORT), API_KEY_RATE_LIMIT="100000000/day")
    layout = control.Layout.from_environment()
    control.down(layout)
    shutil.rmtree(DIRECTORY, ignore_errors=True)
    results: dict = {"machine": machine(), "nproc": os.cpu_count(), "started": datetime.now(UTC).isoformat(timespec="seconds"),
                     "load_average_before": os.getloadavg()}  # fmt: skip
    try:
        log("starting the cluster")
        control.up(layout)
        log(f"seeding {USERS} traders of {TRADES_PER_USER} trades")
        keys = seed(layout)
        log("read mix, two app servers")
        read_mix(layout, keys, 3)  # warm: caches and connections
        results["read_mix_two_servers"] = read_mix(layout, keys, args.seconds)
        log(json.dumps(results["read_mix_two_servers"]))
        log("read mix, one app server")
        haproxy(layout, "disable server app/app1")
        try:
            results["read_mix_one_server"] = read_mix(layout, keys, args.seconds)
            log(json.dumps(results["read_mix_one_server"]))
        finally:
            haproxy(layout, "enable server app/app1")
        log("writes: creates through the load balancer")
        results["writes"] = write_cost(layout, keys, args.seconds)
        log(json.dumps(results["writes"]))
        log(f"replication lag during a {IMPORT_FILLS:,}-fill import")
        results["import"] = lag_during_import(layout, keys[-1])
        windows = []
        for n in range(args.failovers):
            log(f"failover {n + 1} of {args.failovers}")
            windows.append(failover_window(layout, keys[0]))
        results["failover_windows"] = windows
        results["failover_p50"] = statistics.median(windows) if windows else None
    finally:
        control.down(layout)
    out = ROOT / "bench" / "results" / f"cluster-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    log(f"written to {out}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    main()
