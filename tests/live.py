"""Real servers for tests: a fresh database, migrated with manage.py, served by gunicorn on loopback."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveSite:
    def __init__(self, database_url: str, workdir: Path, drop=None):
        self.database_url = database_url
        self.workdir = workdir
        self._drop = drop

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "API_", "SIGNUP_"))
        }
        env.update(
            DJANGO_SECRET_KEY="live-tests-secret-" + "x" * 40,
            DJANGO_SECURE_SSL="0",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.database_url,
        )
        env.update(extra)
        return env

    def manage(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def create_key(self, username: str, scopes: str = "trades:read,trades:write,stats:read,leaderboard:read") -> str:
        r = self.manage("createapikey", username, "--create-user", "--scopes", scopes)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip().splitlines()[-1]

    @contextmanager
    def serve(self, *, workers: int = 2, **env: str) -> Iterator[str]:
        """gunicorn on a free loopback port; yields the base URL. Access log lines: pid status request."""
        port = free_port()
        self.access_log = self.workdir / f"access-{port}.log"
        self.server_log = self.workdir / f"server-{port}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "tradejournal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--access-logfile", str(self.access_log),
             "--access-logformat", "%(p)s %(s)s %(r)s"],
            cwd=ROOT, env=self.env(**env), stdout=self.server_log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if requests.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass  # not listening yet, or a worker still starting on a busy machine
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {self.server_log.read_text()[-2000:]}")
                time.sleep(0.1)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=30)

    def drop(self) -> None:
        if self._drop:
            self._drop()


def create_live_site(workdir: Path) -> LiveSite:
    """A database beside the test database (same server for PostgreSQL, a file for SQLite)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        config = dj_database_url.parse(url)
        name = f"tj_live_{uuid.uuid4().hex[:12]}"
        admin = {"host": config["HOST"], "port": config["PORT"] or 5432, "user": config["USER"],
                     "password": config["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}  # fmt: skip
        with psycopg.connect(**admin) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(**admin) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        live_url = url.rsplit("/", 1)[0] + f"/{name}"
        site = LiveSite(live_url, workdir, drop)
    else:
        site = LiveSite(f"sqlite:///{workdir / 'live.sqlite3'}", workdir)
    r = site.manage("migrate", "--noinput")
    assert r.returncode == 0, r.stderr
    return site
