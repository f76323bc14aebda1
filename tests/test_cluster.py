"""The scaled-out topology, every piece a real process on loopback (cluster/cluster.py): a bounded
load of idempotent creates, PATCHes and reads through the load balancer while a standby is paused
or stopped, an app server is killed, a worker dies mid-import, and the primary's node is lost."""

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import requests
from psycopg import sql

from cluster import cluster as control
from cluster.load import Answer, Load, Trader
from imports.models import Execution
from journal.models import Trade
from tests.live import PG_BIN, ROOT, wait_until
from tests.test_imports_live import big_file

DEBIAN_PACKAGES = ("patroni", "etcd", "pgbouncer", "haproxy", "redis-server")
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

pytestmark = [
    pytest.mark.long,
    pytest.mark.cluster,
    pytest.mark.timeout(900),
    pytest.mark.skipif(not ON_POSTGRESQL, reason="the cluster runs once, in the PostgreSQL pass"),
    pytest.mark.skipif(
        any(shutil.which(binary) is None for binary in DEBIAN_PACKAGES) or not (PG_BIN / "initdb").exists(),
        reason="the cluster needs Debian's patroni, etcd-server, pgbouncer, haproxy and redis-server (.ci/run)",
    ),
]

DIRECTORY = ROOT / "var" / "cluster-test"
BASE_PORT = 28400


class Cluster:
    """The running cluster as its files and its managers describe it."""

    def __init__(self):
        self.env = {**os.environ, "CLUSTER_DIR": str(DIRECTORY), "CLUSTER_BASE_PORT": str(BASE_PORT),
                    "API_KEY_RATE_LIMIT": "1000000/minute"}  # fmt: skip
        self.layout = control.Layout(directory=DIRECTORY, base_port=BASE_PORT)
        self.traders = 0

    def command(self, *args: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, str(ROOT / "cluster" / "cluster.py"), *args], env=self.env,
                                capture_output=True, text=True, timeout=600)  # fmt: skip
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        return result

    @property
    def lb_url(self) -> str:
        return f"http://127.0.0.1:{self.layout.lb_port}"

    def state(self) -> dict[str, int]:
        return control.State(self.layout).pids

    def role(self, node: str) -> str | None:
        return control.node_role(self.layout, node)

    def leader(self) -> str | None:
        return control.leader(self.layout)

    def standby(self) -> str:
        return next(node for node in control.NODES if node != self.leader())

    def streaming(self, node: str) -> bool:
        """`node` is a standby the primary streams to, synchronously."""
        primary = self.leader()
        if primary is None or self.role(node) != "standby":
            return False
        rows = self.sql(primary, "SELECT sync_state FROM pg_stat_replication WHERE application_name = %s", node)
        return rows == [("sync",)]

    def maintenance(self, on: bool) -> None:
        """Patroni's maintenance mode: it leaves the nodes alone (a paused replay stays paused)."""
        url = f"http://127.0.0.1:{self.layout.rest_port(self.leader())}"
        r = requests.patch(f"{url}/config", json={"pause": on}, timeout=10)
        assert r.status_code == 200, r.text
        wait_until(lambda: bool(requests.get(f"{url}/patroni", timeout=5).json().get("pause")) == on, timeout=30,
                   what=f"maintenance mode {'on' if on else 'off'}")  # fmt: skip

    def sql(self, node: str, query: str | sql.Composable, *params) -> list[tuple]:
        with psycopg.connect(host="127.0.0.1", port=self.layout.pg_port(node), user="postgres",
                             dbname="tradejournal", autocommit=True, connect_timeout=5) as conn:  # fmt: skip
            return conn.execute(query, params or None).fetchall()

    def rows_read(self, node: str) -> int:
        """Rows of the trades table this node has handed to queries since it started."""
        [(rows,)] = self.sql(node, "SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0)"
                                   " FROM pg_stat_user_tables WHERE relname = %s", Trade._meta.db_table)  # fmt: skip
        return int(rows)

    def new_traders(self, count: int) -> list[Trader]:
        traders = []
        for _ in range(count):
            self.traders += 1
            name = f"t{self.traders}x{os.getpid()}"
            key = self.command("demo-key", name).stdout.strip().splitlines()[-1]
            traders.append(Trader(name, key))
        return traders

    def haproxy(self, command: str) -> str:
        """A command on the load balancer's runtime API."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.layout.directory / "haproxy.sock"))
            sock.sendall(command.encode() + b"\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        return data.decode()

    def lb_servers(self) -> dict[str, str]:
        """HAProxy's view of the app servers: {name: 'UP' | 'DOWN' | 'MAINT' ...}."""
        lines = self.haproxy("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {
            row["svname"]: row["status"] for row in rows if row["pxname"] == "app" and row["svname"].startswith("app")
        }


@pytest.fixture(scope="module")
def cluster():
    DIRECTORY.parent.mkdir(exist_ok=True)
    cluster = Cluster()
    cluster.command("down")
    shutil.rmtree(DIRECTORY, ignore_errors=True)
    try:
        cluster.command("up")
        yield cluster
    finally:
        down = subprocess.run([sys.executable, str(ROOT / "cluster" / "cluster.py"), "down"], env=cluster.env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        shutil.rmtree(DIRECTORY, ignore_errors=True)
    # Down frees every port it listened on (it waits for that, or fails saying which).
    assert down.returncode == 0, down.stdout[-2000:] + down.stderr[-2000:]
    assert not [port for port in cluster.layout.all_ports() if control.listening(port)]


def test_cluster_json_describes_the_running_cluster_and_its_demo_key_command_works(cluster):
    described = json.loads((DIRECTORY / "cluster.json").read_text())
    assert set(described) >= {"lb_url", "app_servers", "postgres", "pgbouncer", "redis_url", "workers", "env_file",
                              "demo_key_command"}  # fmt: skip
    assert described["lb_url"] == cluster.lb_url and described["postgres"]["password"] is None
    nodes = {node["name"]: node for node in described["postgres"]["nodes"]}
    assert sorted(node["role"] for node in nodes.values()) == ["primary", "standby"]
    for node in nodes.values():
        assert set(node) >= {"name", "host", "port", "data_dir", "role", "postmaster_pid", "manager_pid"}
        assert control.alive(node["postmaster_pid"]) and control.alive(node["manager_pid"])
    pids = [s["pid"] for s in described["app_servers"] + described["pgbouncer"] + described["workers"]]
    assert len(pids) == 6 and all(control.alive(pid) for pid in pids)
    assert "DATABASE_URL=" in Path(described["env_file"]).read_text()
    command = [*shlex.split(described["demo_key_command"]), f"json-described-{os.getpid()}"]
    result = subprocess.run(command, env=cluster.env, capture_output=True, text=True, timeout=120)
    key = result.stdout.strip().splitlines()[-1]
    r = requests.get(f"{described['lb_url']}/api/v1/key", headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert r.status_code == 200, r.text


def failures(answers: list[Answer]) -> list[Answer]:
    return [a for a in answers if a.status not in (200, 201)]


def assert_every_acknowledged_write_stored_once(cluster: Cluster, traders: list[Trader]) -> None:
    primary = cluster.leader()
    table = sql.Identifier(Trade._meta.db_table)
    for trader in traders:
        query = sql.SQL("SELECT notes, count(*) FROM {} WHERE notes LIKE %s GROUP BY notes").format(table)
        counts = dict(cluster.sql(primary, query, f"{trader.name}-%"))
        lost = [marker for marker in trader.created if counts.get(marker) != 1]
        assert not lost, f"{trader.name}: acknowledged creates missing or doubled: {lost[:5]}"
        twice = {marker: n for marker, n in counts.items() if n > 1}
        assert not twice, f"{trader.name}: stored twice: {twice}"
        assert set(counts) <= trader.attempted
        query = sql.SQL("SELECT id, take_profit FROM {} WHERE id = ANY(%s)").format(table)
        stored = dict(cluster.sql(primary, query, list(trader.take_profit)))
        wrong = {i: (stored.get(i), v) for i, v in trader.take_profit.items() if stored.get(i) != Decimal(v)}
        assert not wrong, f"{trader.name}: acknowledged PATCHes not kept: {list(wrong.items())[:5]}"


def assert_no_violations(traders: list[Trader]) -> None:
    violations = [f"{t.name}: {v}" for t in traders for v in t.violations]
    assert not violations, violations[:10]


def test_with_the_standby_healthy_it_serves_most_rows_and_paused_or_stopped_reads_move_to_the_primary(cluster):
    traders = cluster.new_traders(4)
    primary, standby = cluster.leader(), cluster.standby()
    wait_until(lambda: cluster.streaming(standby), timeout=90, what="the standby streaming")

    def phase(seconds: float, write_share: float) -> tuple[Load, int, int]:
        before = cluster.rows_read(primary), cluster.rows_read(standby)
        load = Load(cluster.lb_url, traders, pause=0.05, write_share=write_share)
        load.run(seconds)
        time.sleep(1)  # the standby's statistics are flushed every second
        return load, cluster.rows_read(primary) - before[0], cluster.rows_read(standby) - before[1]

    # Healthy: a read-mostly load, and the standby hands out most of the rows read.
    load, on_primary, on_standby = phase(20, write_share=0.15)
    assert not failures(load.answers), failures(load.answers)[:5]
    assert on_standby > on_primary, (on_primary, on_standby)
    assert_no_violations(traders)

    # Replay paused: writes go on, every trader still reads their own, the primary serves the rows.
    # (Patroni resumes a paused replay on its own unless in maintenance mode.)
    cluster.maintenance(True)
    cluster.sql(standby, "SELECT pg_wal_replay_pause()")
    try:
        time.sleep(1)
        load, on_primary, on_standby = phase(20, write_share=0.5)
        assert cluster.sql(standby, "SELECT pg_is_wal_replay_paused()") == [(True,)]
    finally:
        cluster.sql(standby, "SELECT pg_wal_replay_resume()")
        cluster.maintenance(False)
    assert not failures(load.answers), failures(load.answers)[:5]
    assert on_primary > 3 * on_standby, (on_primary, on_standby)
    assert_no_violations(traders)

    # Stopped (its manager shuts it down): writes go on, reads go to the primary.
    os.kill(cluster.state()[f"patroni-{standby}"], signal.SIGTERM)
    wait_until(lambda: cluster.role(standby) is None and control.postmaster_pid(cluster.layout, standby) is None,
               timeout=60, what="the standby stopped")  # fmt: skip
    load = Load(cluster.lb_url, traders, pause=0.05, write_share=0.5)
    load.run(20)
    writes = [a for a in load.answers if a.kind in ("create", "patch")]
    assert writes and all(a.status in (200, 201) for a in writes[-len(writes) // 2 :]), failures(writes)[:5]
    assert all(a.status == 503 and a.json for a in failures(load.answers)), failures(load.answers)[:5]
    assert_no_violations(traders)
    cluster.command("start-node", standby)
    wait_until(lambda: cluster.streaming(standby), timeout=120, what="the standby back and streaming")
    assert_every_acknowledged_write_stored_once(cluster, traders)


def test_an_app_server_killed_leaves_the_rotation_within_seconds_and_only_requests_in_flight_fail(cluster):
    traders = cluster.new_traders(4)
    assert set(cluster.lb_servers().values()) == {"UP"}
    load = Load(cluster.lb_url, traders, pause=0.02, write_share=0.5)
    thread = load.start(30)
    time.sleep(8)
    victim = cluster.state()["app-1"]
    killed_at = time.monotonic() - load.started
    os.killpg(victim, signal.SIGKILL)  # the server and its workers: a machine gone
    wait_until(lambda: cluster.lb_servers()["app1"].startswith("DOWN"), timeout=15, what="app1 out of rotation")
    out_at = time.monotonic() - load.started
    thread.join()
    failed = failures(load.answers)
    # At most the requests in flight on it when it died, one per trader: cut off (no answer) or
    # HAProxy's JSON error; the client's retry with the same Idempotency-Key is safe.
    assert len(failed) <= len(traders), failed
    assert all((a.status is None or a.json) and killed_at - 1 <= a.at <= out_at for a in failed), failed
    assert len(load.answers) > 100
    assert_no_violations(traders)
    assert_every_acknowledged_write_stored_once(cluster, traders)
    cluster.command("up")  # starts what is missing: the app server
    wait_until(lambda: set(cluster.lb_servers().values()) == {"UP"}, timeout=120, what="app1 back in rotation")


def test_through_the_pooler_every_session_has_the_apps_timeouts(cluster):
    # PgBouncer in transaction mode drops the startup options that carry them without a pooler:
    # the role's own settings must, on whichever server connection a transaction is given.
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    for name in ('statement_timeout', 'lock_timeout'):\n"
        "        cursor.execute('SHOW ' + name)\n"
        "        print(cursor.fetchone()[0])\n"
        "    cursor.execute('SELECT pg_sleep(8)')\n"
    )
    result = subprocess.run([sys.executable, str(ROOT / "cluster" / "cluster.py"), "manage", "shell", "-c", script],
                            env=cluster.env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.stdout.split()[-2:] == ["5s", "3s"], result.stdout + result.stderr[-2000:]
    assert result.returncode != 0 and "canceling statement due to statement timeout" in result.stderr


def test_the_load_balancers_own_answers_are_the_apis_json(cluster):
    r = requests.get(f"{cluster.lb_url}/metrics", timeout=10)
    assert (r.status_code, r.headers["Content-Type"], r.json()) == (404, "application/json", {"error": "Not found."})
    for name in cluster.lb_servers():
        cluster.haproxy(f"disable server app/{name}")
    try:
        r = requests.get(f"{cluster.lb_url}/api/v1/trades", timeout=10)
    finally:
        for name in cluster.lb_servers():
            cluster.haproxy(f"enable server app/{name}")
    assert (r.status_code, r.headers["Content-Type"], r.headers["Retry-After"]) == (503, "application/json", "5")
    assert r.json() == {"error": "The journal is briefly unavailable; retry shortly."}
    # Behind it, every answer carries the request id the load balancer made (not the client's).
    r = requests.get(f"{cluster.lb_url}/api/v1/ping", headers={"X-Request-ID": "mine"}, timeout=10)
    assert r.status_code == 200 and r.headers["X-Request-ID"] not in ("", "mine")


def test_a_worker_killed_mid_import_leaves_the_import_to_another_worker_and_no_trade_twice(cluster):
    [trader] = cluster.new_traders(1)
    headers = {"Authorization": f"Bearer {trader.key}"}
    fills = 60_000
    r = requests.post(f"{cluster.lb_url}/api/v1/imports", data=big_file(fills), timeout=60,
                      headers={**headers, "Content-Type": "text/csv"})  # fmt: skip
    assert r.status_code == 202, r.text
    url = f"{cluster.lb_url}/api/v1/imports/{r.json()['id']}"

    def status() -> dict:
        return requests.get(url, headers=headers, timeout=30).json()

    wait_until(lambda: status()["stage"] == "writing", timeout=180, what="the import being written")
    pids = {name: pid for name, pid in cluster.state().items() if name.startswith("worker-")}
    children = {name: _children(pid) for name, pid in pids.items()}
    [busy] = [name for name, horses in children.items() if horses]  # RQ runs a job in a forked child
    for pid in (pids[busy], *children[busy]):
        os.kill(pid, signal.SIGKILL)
    wait_until(lambda: status()["status"] in ("succeeded", "failed"), timeout=420, what="the import finishing")
    done = status()
    assert (done["status"], done["executions_created"], done["duplicates"]) == ("succeeded", fills, 0), done
    primary = cluster.leader()
    user_id = cluster.sql(primary, "SELECT id FROM auth_user WHERE username = %s", trader.name)[0][0]
    count = sql.SQL("SELECT count(*), count(DISTINCT exec_id) FROM {} WHERE user_id = %s")
    [(executions, distinct)] = cluster.sql(primary, count.format(sql.Identifier(Execution._meta.db_table)), user_id)
    count = sql.SQL("SELECT count(*) FROM {} WHERE user_id = %s").format(sql.Identifier(Trade._meta.db_table))
    [(trades,)] = cluster.sql(primary, count, user_id)
    assert (executions, distinct, trades) == (fills, fills, done["trades_created"]) and trades > 0
    # The operator sees it: the import's duration, from the worker that applied it.
    metrics = requests.get(f"http://127.0.0.1:{cluster.layout.app_port(0)}/metrics", timeout=10).text
    assert 'tradejournal_import_duration_seconds_count{status="succeeded"} 1.0' in metrics, metrics[-2000:]
    cluster.command("up")  # the lost worker's replacement


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_losing_the_primary_node_promotes_the_standby_and_loses_no_acknowledged_write(cluster):
    traders = cluster.new_traders(4)
    old = cluster.leader()
    wait_until(lambda: cluster.streaming(cluster.standby()), timeout=90, what="the standby streaming")
    load = Load(cluster.lb_url, traders, pause=0.05, write_share=0.5)
    thread = load.start(100)
    time.sleep(10)
    killed_at = time.monotonic() - load.started
    cluster.command("kill-node", old)  # its manager and its postmaster SIGKILLed together
    wait_until(lambda: cluster.leader() not in (None, old), timeout=60, what="a standby promoted")
    promoted_at = time.monotonic() - load.started
    thread.join()

    answers, failed = load.answers, failures(load.answers)
    assert not [a for a in failed if a.at < killed_at], "failures before the primary was lost"
    assert all(a.status == 503 and a.json for a in failed), [a for a in failed if a.status != 503 or not a.json][:5]
    assert max(a.elapsed for a in answers) < 20, max(answers, key=lambda a: a.elapsed)
    # 503 only while there was no primary (the router and the pooler see a new one within seconds).
    assert all(a.at < promoted_at + 5 for a in failed), [a for a in failed if a.at >= promoted_at + 5][:5]
    writes_back = [
        a.at for a in answers if a.kind in ("create", "patch") and a.at > killed_at and a.status in (200, 201)
    ]
    assert writes_back and min(writes_back) - killed_at < 60, (killed_at, writes_back[:3])
    assert_no_violations(traders)
    assert_every_acknowledged_write_stored_once(cluster, traders)

    # The old primary's node, restarted, rejoins as a standby.
    restarted = time.monotonic()
    cluster.command("start-node", old)
    wait_until(lambda: cluster.streaming(old), timeout=90, what="the old primary rejoining as a standby")
    assert time.monotonic() - restarted < 90
