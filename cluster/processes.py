"""The cluster's processes: which it started (state.json), whether they live, starting and stopping
them, and what each node's Patroni says it is."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from topology import HOST, NODES, ROOT, Layout

POSTGRES_USER = "postgres"


class State:
    """The pids of what this cluster started, by name (`etcd`, `patroni-node1`, `app-0`, ...)."""

    def __init__(self, layout: Layout):
        self.path = layout.state_file
        self.pids: dict[str, int] = json.loads(self.path.read_text()) if self.path.exists() else {}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.pids, indent=2))

    def running(self, name: str) -> bool:
        return alive(self.pids.get(name))


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not yet reaped by its parent) is gone for every purpose here.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def spawn(state: State, name: str, command: list[str], log: Path, *, env: dict | None = None,
          as_postgres: bool = False, cwd: Path = ROOT) -> int:  # fmt: skip
    """Starts `command` in a session of its own (so a signal to this script's group spares it)."""
    if state.running(name):
        return state.pids[name]
    extra = {"user": POSTGRES_USER, "group": POSTGRES_USER} if as_postgres and os.geteuid() == 0 else {}
    with log.open("a") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env or os.environ.copy(),
            cwd=cwd,
            start_new_session=True,
            **extra,
        )
    state.pids[name] = process.pid
    state.save()
    return process.pid


def stop(pid: int | None, *, sig: int = signal.SIGTERM, wait: float = 30) -> None:
    if not alive(pid):
        return
    os.kill(pid, sig)
    deadline = time.monotonic() + wait
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)


def wait_for(what: str, condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"cluster: {what} did not happen within {timeout:.0f} s")
        time.sleep(0.2)


def listening(port: int) -> bool:
    """Whether something accepts connections on the port (a freed one refuses at once)."""
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def http_status(url: str, timeout: float = 2) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return None


def http_json(url: str, timeout: float = 2) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read() or b"null")
    except (OSError, urllib.error.URLError, ValueError):
        return None


def postmaster_pid(layout: Layout, node: str) -> int | None:
    try:
        pid = int((layout.data_dir(node) / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if alive(pid) else None


def node_role(layout: Layout, node: str) -> str | None:
    """'primary', 'standby' or None (down), as the node's Patroni says."""
    info = http_json(f"http://{HOST}:{layout.rest_port(node)}/patroni")
    if not info or info.get("state") != "running":
        return None
    return "primary" if info.get("role") in ("master", "primary") else "standby"


def leader(layout: Layout) -> str | None:
    for node in NODES:
        if http_status(f"http://{HOST}:{layout.rest_port(node)}/primary") == 200:
            return node
    return None
