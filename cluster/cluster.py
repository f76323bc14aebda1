"""Starts, inspects and stops the whole topology on loopback: etcd, two PostgreSQL nodes under
Patroni, the database router, a PgBouncer beside each app server, Redis, the app servers behind
HAProxy and the task workers (README, "The cluster").

    python cluster/cluster.py up | down | status | kill-node NAME | start-node NAME | demo-key USER
    python cluster/cluster.py manage ARGS...   (any manage.py command on the cluster's environment)
    python cluster/cluster.py render-lb HOST PORT SERVER...   (the load balancer's file, for compose.yaml)

`up` is idempotent: what already runs is left alone, what is missing is started. Every process's
pid is kept in state.json; `down` stops exactly those (and the postmasters they started).
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

# The modules beside this script, whether it runs as a script or is imported as cluster.cluster.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from pieces import (
    PYTHON,
    app_env,
    ensure_packages,
    lb_config,
    manage,
    prepare_database,
    psql,
    start_app_server,
    start_db_router,
    start_etcd,
    start_haproxy,
    start_node,
    start_pgbouncer,
    start_redis,
    start_worker,
    write_cluster_file,
    write_env_file,
)
from processes import (
    POSTGRES_USER,
    State,
    alive,
    http_status,
    leader,
    listening,
    node_role,
    postmaster_pid,
    stop,
    wait_for,
)
from topology import HOST, NODES, PG_BIN, ROOT, Layout


def up(layout: Layout) -> None:
    ensure_packages()
    layout.directory.mkdir(parents=True, exist_ok=True)
    state = State(layout)
    start_etcd(layout, state)
    for node in NODES:
        start_node(layout, state, node)
    wait_for("a primary elected", lambda: leader(layout) is not None, timeout=180)
    primary = leader(layout)
    wait_for("the primary accepting writes", lambda: _writable(layout, primary), timeout=120)
    prepare_database(layout, primary)
    start_db_router(layout, state)
    for index in range(layout.app_servers):
        start_pgbouncer(layout, state, index)
    start_redis(layout, state)
    write_env_file(layout)
    # Migrations talk to the primary itself: DDL wants no pooler and no statement limit.
    migrated = manage(layout, "migrate", "--noinput", DATABASE_URL=layout.direct_url(primary), DATABASE_POOLED="0")
    if migrated.returncode != 0:
        raise SystemExit(f"cluster: migrate failed:\n{migrated.stderr[-3000:]}")
    collected = manage(layout, "collectstatic", "--noinput")
    if collected.returncode != 0:
        raise SystemExit(f"cluster: collectstatic failed:\n{collected.stderr[-3000:]}")
    for index in range(layout.app_servers):
        start_app_server(layout, state, index)
    for index in range(layout.workers):
        start_worker(layout, state, index)
    start_haproxy(layout, state)
    lb = f"http://{HOST}:{layout.lb_port}"
    wait_for("the load balancer answering", lambda: http_status(f"{lb}/readyz") == 200, timeout=180)
    wait_for("a streaming standby", lambda: all(node_role(layout, n) for n in NODES), timeout=180)
    write_cluster_file(layout, state)
    print(f"cluster: up at {lb} ({layout.cluster_file})", flush=True)


def _writable(layout: Layout, node: str | None) -> bool:
    try:
        return node is not None and psql(layout, node, "SELECT NOT pg_is_in_recovery()") == "t"
    except RuntimeError:
        return False


def down(layout: Layout) -> None:
    state = State(layout)
    order = ["haproxy", *[n for n in state.pids if n.startswith(("app-", "worker-", "pgbouncer-"))],
             "haproxy-db", *[f"patroni-{n}" for n in NODES], "redis", "etcd"]  # fmt: skip
    for name in order:
        stop(state.pids.get(name))
    for node in NODES:  # a postmaster whose Patroni was killed outlives it
        pid = postmaster_pid(layout, node)
        if pid:
            subprocess.run(
                [str(PG_BIN / "pg_ctl"), "-D", str(layout.data_dir(node)), "-m", "fast", "-w", "stop"],
                capture_output=True,
                user=POSTGRES_USER if os.geteuid() == 0 else None,
            )
            stop(pid, sig=signal.SIGQUIT, wait=10)
    state.pids.clear()
    state.save()
    # A process outliving its parent (a gunicorn worker, a postmaster) would still hold its port.
    held = [port for port in layout.all_ports() if listening(port)]
    if held:
        wait_for(f"ports {held} to be freed", lambda: not any(listening(port) for port in held), timeout=30)
    print("cluster: down", flush=True)


def kill_node(layout: Layout, node: str) -> None:
    """The node lost: its manager and its postmaster SIGKILLed together, so nothing restarts it."""
    state = State(layout)
    targets = [state.pids.get(f"patroni-{node}"), postmaster_pid(layout, node)]
    for pid in targets:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    write_cluster_file(layout, state)


def status(layout: Layout) -> None:
    state = State(layout)
    print(json.dumps(write_cluster_file(layout, state), indent=2))
    for name, pid in state.pids.items():
        print(f"{name:20} {pid:>8} {'running' if alive(pid) else 'gone'}")


def main(argv: list[str]) -> None:
    args = list(argv)
    for flag, variable in (("--dir", "CLUSTER_DIR"), ("--base-port", "CLUSTER_BASE_PORT")):
        if flag in args:
            index = args.index(flag)
            os.environ[variable] = args[index + 1]
            del args[index : index + 2]
    layout = Layout.from_environment()
    command, rest = (args[0], args[1:]) if args else ("status", [])
    if command == "up":
        up(layout)
    elif command == "down":
        down(layout)
    elif command == "status":
        status(layout)
    elif command == "kill-node":
        kill_node(layout, rest[0])
    elif command == "start-node":
        state = State(layout)
        start_node(layout, state, rest[0])
        write_cluster_file(layout, state)
    elif command == "demo-key":
        result = manage(
            layout,
            "createapikey",
            rest[0],
            "--create-user",
            "--scopes",
            "trades:read,trades:write,stats:read,leaderboard:read",
        )
        sys.stderr.write(result.stderr)
        print(result.stdout.strip())
        sys.exit(result.returncode)
    elif command == "render-lb":  # for another machine: render-lb HOST PORT SERVER... (compose.yaml)
        print(lb_config(rest[0], int(rest[1]), rest[2:], Path("/var/lib/haproxy/admin.sock")))
    elif command == "manage":
        sys.exit(subprocess.run([PYTHON, "manage.py", *rest], cwd=ROOT, env=app_env(layout)).returncode)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
