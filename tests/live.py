"""Real servers for tests: a fresh database, migrated with manage.py, served by gunicorn on loopback."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import psycopg
import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter with only the given Django settings variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "tradejournal.settings"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=300
    )


def wait_until(condition, *, timeout: float = 120, what: str = "the condition") -> None:
    """Returns as soon as `condition()` holds; fails after `timeout` seconds, a bound a loaded machine meets."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.05)


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
            # Every browser test's trader signs up from this one loopback address.
            SIGNUP_RATE_LIMIT="1000000/hour",
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
            timeout=600,
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
        self.process = process
        try:
            deadline = time.monotonic() + 180  # a loaded machine boots slowly
            while True:
                try:
                    if requests.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or still booting
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {self.server_log.read_text()[-2000:]}")
                time.sleep(0.1)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=30)

    @contextmanager
    def worker(self, *command: str, **env: str) -> Iterator[subprocess.Popen]:
        """A task worker (`manage.py db_worker` by default) beside the servers, stopped on exit;
        its output in `process.log`."""
        command = command or ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")
        path = self.workdir / f"worker-{time.monotonic_ns()}.log"
        with path.open("w") as log:
            process = subprocess.Popen([sys.executable, "manage.py", *command], cwd=ROOT, env=self.env(**env),
                                       stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
            process.log = path
            try:
                yield process
            finally:
                if process.poll() is None:
                    process.terminate()
                    process.wait(timeout=30)

    def create_trader(self, username: str, password: str) -> None:
        """A trader who signs in to the dashboard with a password."""
        code = (
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user(username={username!r}, password={password!r})"
        )
        r = self.manage("shell", "-c", code)
        assert r.returncode == 0, r.stderr

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


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, its own port),
    so a test can stop and restart a real server without disturbing anything else."""

    def __init__(self):
        self.port = free_port()
        # Its own directory: the server runs as `postgres`, which can't enter pytest's (root's 0700) ones.
        self.root = Path(tempfile.mkdtemp(prefix="tj-pg-"))
        self.datadir = self.root / "pgdata"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=check)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.datadir), "-A", "trust", "-U", "postgres")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.datadir} -c fsync=off"
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-o", options, "-l",
                          str(self.datadir / "server.log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop", check=False)

    def freeze(self) -> None:
        """Every process of the cluster stopped (SIGSTOP) where it stands, sockets open: a stuck server
        (a paused machine, a storage stall) that accepts connections and bytes but never answers."""
        for pid in self._processes():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self._processes():
            os.kill(pid, signal.SIGCONT)

    def _processes(self) -> list[int]:
        pid_file = self.datadir / "postmaster.pid"
        if not pid_file.exists():  # not running
            return []
        postmaster = int(pid_file.read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        return [postmaster, *map(int, children)]

    def remove(self) -> None:
        self.thaw()  # a frozen server ignores the request to stop
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @staticmethod
    def available() -> bool:
        return (PG_BIN / "initdb").exists() and (os.geteuid() != 0 or shutil.which("runuser") is not None)


class PrivateRedis:
    """A redis-server of the test's own, on its own port, that a test may stop and start."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


class StallingProxy:
    """A TCP proxy on loopback in front of a server (PostgreSQL, Redis) that can stall: stop
    forwarding bytes towards the server, from it, or both, while every socket stays open. The
    client's kernel still gets its bytes acknowledged, so it sees what a stuck server or a
    network that stops forwarding looks like: no error, no answer. Bytes read while stalled are
    held and delivered when the stall ends."""

    def __init__(self, target_port: int, host: str = "127.0.0.1"):
        self.target = (host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.to_server, self.from_server = threading.Event(), threading.Event()
        self.to_server.set()
        self.from_server.set()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, name="proxy-accept", daemon=True).start()

    def stall(self, *, to_server: bool = True, from_server: bool = True) -> None:
        if to_server:
            self.to_server.clear()
        if from_server:
            self.from_server.clear()

    def resume(self) -> None:
        self.to_server.set()
        self.from_server.set()

    def close(self) -> None:
        self.resume()
        for sock in [self.listener, *self._sockets]:
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
                server = socket.create_connection(self.target)
            except OSError:  # closed
                return
            self._sockets += [client, server]
            for source, sink, open_ in ((client, server, self.to_server), (server, client, self.from_server)):
                threading.Thread(target=self._pump, args=(source, sink, open_), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket, open_: threading.Event) -> None:
        try:
            while data := source.recv(65536):
                open_.wait()
                sink.sendall(data)
            open_.wait()
            sink.shutdown(socket.SHUT_WR)
        except OSError:  # either side closed
            pass


# --- Headless Chromium (Debian's) for the browser tests ------------------------------------------------

CHROMIUM = shutil.which("chromium")
# Chromium's own background traffic has nowhere to go on a closed network; keep it quiet.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium (Playwright's Browser), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- A trader's pages in that browser -------------------------------------------------------------------

# Each browser test module: `pytestmark = BROWSER_TEST`.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
]
PASSWORD = "a-long-unusual-pass-42"  # every browser test's trader's
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
SCREENSHOTS = ROOT / "tests" / "screenshots"  # git-ignored

# The innermost elements that reach past the window's right edge, to say what overflows.
WIDER_THAN_THE_WINDOW = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1
    && ![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 1))
    .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)"""


class Api:
    """The API as one trader's key sees it on a live site; paths are below /api/v1/."""

    def __init__(self, base_url: str, key: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"

    def get(self, path: str, **params) -> requests.Response:
        return self.session.get(f"{self.base_url}/api/v1/{path.lstrip('/')}", params=params, timeout=60)

    def read(self, path: str, **params) -> dict:
        """A GET that must answer 200; its JSON."""
        r = self.get(path, **params)
        assert r.status_code == 200, r.text
        return r.json()

    def post(self, path: str, body: dict) -> dict:
        """Creates a record, which must answer 201; its JSON."""
        r = self.session.post(f"{self.base_url}/api/v1/{path.lstrip('/')}", json=body, timeout=60)
        assert r.status_code == 201, r.text
        return r.json()


def web_session(base_url: str, username: str, password: str) -> requests.Session:
    """A browser's session on the web journal, signed in with the password form."""
    session = requests.Session()
    form = session.get(f"{base_url}/accounts/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    r = session.post(f"{base_url}/accounts/login/", timeout=60,
                     data={"username": username, "password": password, "csrfmiddlewaretoken": token})  # fmt: skip
    assert r.url == f"{base_url}/dashboard/", r.text[:500]
    return session


@contextmanager
def open_page(browser, base_url: str, timeout: int = 60_000, **options) -> Iterator:
    """A page in a browser context of its own (Playwright's options: viewport, java_script_enabled, ...;
    a desktop's window by default), closed afterwards; then, that it asked nothing of any other host."""
    context = browser.new_context(**{"viewport": DESKTOP, **options})
    page = context.new_page()
    page.set_default_timeout(timeout)
    external = []
    page.on("request", lambda request: None if request.url.startswith(base_url) else external.append(request.url))
    try:
        yield page
    finally:
        context.close()
    assert external == [], f"the page asked other hosts: {external}"


def sign_up(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/signup/")
    page.fill("#id_username", username)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard/")


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard/")


def look(page, name: str, *sizes: dict) -> None:
    """A full-page screenshot, tests/screenshots/<name>-<width>.png, at each of the window sizes given
    (or the page's current one), nothing there wider than the window, and no text outside the layout."""
    for size in sizes or (page.viewport_size,):
        page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{size['width']}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=path, full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        wide = page.evaluate(WIDER_THAN_THE_WINDOW) if overflow > 0 else []
        assert overflow <= 0, f"{name} is {overflow}px wider than a {size['width']}px window: {wide}"
    stray = page.evaluate("[...document.body.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim())"
                          ".map(n => n.textContent.trim())")  # fmt: skip
    assert stray == [], f"{name} shows text outside its layout (a template block in the wrong place?): {stray}"
