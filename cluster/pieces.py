"""Each piece of the cluster, configured from cluster/templates/ and started: etcd, a PostgreSQL
node under Patroni, the database router, a PgBouncer, Redis, an app server, a worker, the load
balancer; and the files that describe the running cluster (cluster.json, the app's environment)."""

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import topology
from processes import POSTGRES_USER, State, http_status, node_role, postmaster_pid, spawn, wait_for
from topology import HOST, NODES, PG_BIN, ROOT, Layout

PACKAGES = {"patroni": "patroni", "etcd": "etcd-server", "pgbouncer": "pgbouncer", "haproxy": "haproxy"}
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def ensure_packages() -> None:
    """The Debian packages the cluster runs on, installed the way .ci/run installs Chromium."""
    missing = [package for binary, package in PACKAGES.items() if shutil.which(binary) is None]
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    if not missing:
        return
    print(f"cluster: installing {' '.join(missing)}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env, stdout=subprocess.DEVNULL)


def start_etcd(layout: Layout, state: State) -> None:
    directory = layout.directory / "etcd"
    directory.mkdir(parents=True, exist_ok=True)
    client, peer = f"http://{HOST}:{layout.etcd_port}", f"http://{HOST}:{layout.etcd_peer_port}"
    spawn(
        state,
        "etcd",
        [
            "etcd",
            "--name",
            "etcd1",
            "--data-dir",
            str(directory / "data"),
            "--listen-client-urls",
            client,
            "--advertise-client-urls",
            client,
            "--listen-peer-urls",
            peer,
            "--initial-advertise-peer-urls",
            peer,
            "--initial-cluster",
            f"etcd1={peer}",
            "--initial-cluster-state",
            "new",
        ],
        directory / "etcd.log",
    )
    wait_for("etcd answering", lambda: http_status(f"{client}/health") == 200, timeout=60)


def start_node(layout: Layout, state: State, node: str) -> None:
    node_dir = layout.node_dir(node)
    node_dir.mkdir(parents=True, exist_ok=True)
    callback = node_dir / "on_role_change.sh"
    shutil.copy(Path(__file__).parent / "on_role_change.sh", callback)
    callback.chmod(0o755)
    (node_dir / "patroni.yml").write_text(
        topology.render(
            "patroni.yml",
            name=node,
            host=HOST,
            node_dir=node_dir,
            rest_port=layout.rest_port(node),
            etcd_hosts=f"{HOST}:{layout.etcd_port}",
            pg_port=layout.pg_port(node),
            data_dir=layout.data_dir(node),
            pg_bin=PG_BIN,
            callback=callback,
        )
    )
    if os.geteuid() == 0:
        shutil.chown(node_dir, POSTGRES_USER, POSTGRES_USER)
        for path in node_dir.iterdir():
            if path.name != "data":
                shutil.chown(path, POSTGRES_USER, POSTGRES_USER)
    node_dir.chmod(0o700)
    pgbouncers = " ".join(f"{HOST}:{layout.pgbouncer_port(i)}" for i in range(layout.app_servers))
    env = {**os.environ, "HOME": str(node_dir), "TJ_PGBOUNCERS": pgbouncers}  # fmt: skip
    spawn(
        state,
        f"patroni-{node}",
        ["patroni", str(node_dir / "patroni.yml")],
        node_dir / "patroni.out",
        env=env,
        as_postgres=True,
        cwd=node_dir,
    )


def psql(layout: Layout, node: str, sql: str, *, database: str = "postgres", port: int | None = None) -> str:
    command = [str(PG_BIN / "psql"), "-X", "-q", "-t", "-A", "-h", str(layout.node_dir(node)),
               "-p", str(port or layout.pg_port(node)), "-U", "postgres", "-d", database, "-c", sql]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"psql on {node}: {result.stderr.strip()}")
    return result.stdout.strip()


def prepare_database(layout: Layout, node: str) -> None:
    """The app's role and database on the primary (the standby follows by replication)."""
    role = topology.APP_ROLE
    if not psql(layout, node, f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'"):
        psql(layout, node, f"CREATE ROLE {role} LOGIN")
    # Per role, so they hold through PgBouncer's transaction pooling, where a connection's
    # startup options never reach the server (Debian's PgBouncer refuses them).
    psql(layout, node, f"ALTER ROLE {role} SET statement_timeout = {topology.STATEMENT_TIMEOUT_MS}")
    psql(layout, node, f"ALTER ROLE {role} SET lock_timeout = {topology.LOCK_TIMEOUT_MS}")
    if not psql(layout, node, f"SELECT 1 FROM pg_database WHERE datname = '{topology.DATABASE}'"):
        psql(layout, node, f"CREATE DATABASE {topology.DATABASE} OWNER {role}")


def start_pgbouncer(layout: Layout, state: State, index: int) -> None:
    directory = layout.directory / f"pgbouncer-{index}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "userlist.txt").write_text(f'"{topology.APP_ROLE}" ""\n"postgres" ""\n')
    (directory / "pgbouncer.ini").write_text(
        topology.render(
            "pgbouncer.ini",
            database=topology.DATABASE,
            host=HOST,
            port=layout.pgbouncer_port(index),
            primary_port=layout.router_primary_port,
            standby_port=layout.router_standby_port,
            directory=directory,
        )
    )
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        for path in (directory, *directory.iterdir()):
            shutil.chown(path, POSTGRES_USER, POSTGRES_USER)
    spawn(state, f"pgbouncer-{index}", ["pgbouncer", str(directory / "pgbouncer.ini")], directory / "pgbouncer.out",
          as_postgres=True, cwd=directory)  # fmt: skip


def start_db_router(layout: Layout, state: State) -> None:
    def servers() -> str:
        return "\n".join(f"    server {node} {HOST}:{layout.pg_port(node)} check port {layout.rest_port(node)}"
                         for node in NODES)  # fmt: skip

    config = layout.directory / "haproxy-db.cfg"
    config.write_text(topology.render("haproxy-db.cfg", host=HOST, primary_port=layout.router_primary_port,
                                      standby_port=layout.router_standby_port, primary_servers=servers(),
                                      standby_servers=servers()))  # fmt: skip
    subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], check=True)
    spawn(state, "haproxy-db", ["haproxy", "-db", "-f", str(config)], layout.directory / "haproxy-db.log")


def start_redis(layout: Layout, state: State) -> None:
    directory = layout.directory / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    # The queue of imports lives here: appended to disk, so a restart loses no queued import.
    spawn(
        state,
        "redis",
        [
            "redis-server",
            "--port",
            str(layout.redis_port),
            "--bind",
            HOST,
            "--dir",
            str(directory),
            "--appendonly",
            "yes",
            "--save",
            "",
        ],
        directory / "redis.log",
    )
    wait_for(
        "redis answering",
        lambda: (
            subprocess.run(["redis-cli", "-p", str(layout.redis_port), "ping"], capture_output=True).returncode == 0
        ),
        timeout=30,
    )


def app_env(layout: Layout, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_URL", "DB_"))}
    return {**clean, **layout.app_environment(), **extra}


def write_env_file(layout: Layout) -> None:
    # Quoted for a shell (`set -a; . app.env`) and systemd's EnvironmentFile alike.
    lines = [f"{name}={shlex.quote(value)}" for name, value in layout.app_environment().items()]
    layout.env_file.write_text("\n".join(lines) + "\n")


def manage(layout: Layout, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=app_env(layout, **extra),
        capture_output=True,
        text=True,
        timeout=600,
    )


def start_app_server(layout: Layout, state: State, index: int) -> None:
    metrics_dir = layout.directory / "metrics" / f"app-{index}"
    if not state.running(f"app-{index}"):
        shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True, exist_ok=True)
    env = app_env(layout, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), WEB_CONCURRENCY=str(layout.web_concurrency))
    spawn(
        state,
        f"app-{index}",
        [
            PYTHON,
            "-m",
            "gunicorn",
            "tradejournal.wsgi",
            "--bind",
            f"{HOST}:{layout.app_port(index)}",
            "--control-socket",
            str(layout.directory / f"app-{index}.ctl"),
        ],
        layout.directory / f"app-{index}.log",
        env=env,
    )


def start_worker(layout: Layout, state: State, index: int) -> None:
    # A worker serves no HTTP: its samples (import durations) go where the app server on its
    # machine serves them, here the first one's.
    metrics_dir = layout.directory / "metrics" / "app-0"
    spawn(
        state,
        f"worker-{index}",
        [PYTHON, "manage.py", "rqworker", "default"],
        layout.directory / f"worker-{index}.log",
        env=app_env(layout, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)),
    )


def lb_config(host: str, port: int, servers: list[str], socket: Path) -> str:
    """The load balancer's configuration for app servers at `servers` (host:port each)."""
    lines = "\n".join(f"    server app{index} {address} check" for index, address in enumerate(servers))
    return topology.render("haproxy.cfg", host=host, port=port, errors=topology.lb_errors(), servers=lines,
                           socket=socket)  # fmt: skip


def start_haproxy(layout: Layout, state: State) -> None:
    config = layout.directory / "haproxy.cfg"
    servers = [f"{HOST}:{layout.app_port(index)}" for index in range(layout.app_servers)]
    config.write_text(lb_config(HOST, layout.lb_port, servers, layout.directory / "haproxy.sock"))
    subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], check=True)
    spawn(state, "haproxy", ["haproxy", "-db", "-f", str(config)], layout.directory / "haproxy.log")


def write_cluster_file(layout: Layout, state: State) -> dict:
    nodes = []
    for node in NODES:
        nodes.append(
            {
                "name": node,
                "host": HOST,
                "port": layout.pg_port(node),
                "data_dir": str(layout.data_dir(node)),
                "role": node_role(layout, node),
                "postmaster_pid": postmaster_pid(layout, node),
                "manager_pid": state.pids.get(f"patroni-{node}") if state.running(f"patroni-{node}") else None,
                "manager_url": f"http://{HOST}:{layout.rest_port(node)}",
            }
        )
    script = Path(__file__).resolve().parent / "cluster.py"
    description = {
        "lb_url": f"http://{HOST}:{layout.lb_port}",
        "app_servers": [
            {"url": f"http://{HOST}:{layout.app_port(i)}", "pid": state.pids.get(f"app-{i}")}
            for i in range(layout.app_servers)
        ],
        "postgres": {"user": topology.APP_ROLE, "password": None, "database": topology.DATABASE, "nodes": nodes},
        "pgbouncer": [
            {"port": layout.pgbouncer_port(i), "pid": state.pids.get(f"pgbouncer-{i}")}
            for i in range(layout.app_servers)
        ],
        "redis_url": layout.redis_url,
        "workers": [{"pid": state.pids.get(f"worker-{i}")} for i in range(layout.workers)],
        "env_file": str(layout.env_file),
        "demo_key_command": f"{PYTHON} {script} --dir {layout.directory} --base-port {layout.base_port} demo-key",
    }
    layout.cluster_file.write_text(json.dumps(description, indent=2) + "\n")
    return description
