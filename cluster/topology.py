"""Where every process of the loopback cluster listens and keeps its files, and the files it reads."""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
HOST = "127.0.0.1"
DATABASE = "tradejournal"
APP_ROLE = "tradejournal"
# The request limits, as the app's own defaults (tradejournal/settings.py): through PgBouncer they
# are the role's settings, since transaction pooling drops per-connection options.
STATEMENT_TIMEOUT_MS = 5000
LOCK_TIMEOUT_MS = 3000
NODES = ("node1", "node2")

# The load balancer's own answers, in the API's envelope (core/errors.py, core/outage.py).
LB_ERRORS = {
    400: "Bad request.",
    403: "Forbidden.",
    408: "The request took too long to arrive.",
    500: "Internal server error",  # as the app says it (core.exceptions.INTERNAL_ERROR)
    502: "The journal is briefly unavailable; retry shortly.",
    503: "The journal is briefly unavailable; retry shortly.",
    504: "The journal took too long to answer; retry shortly.",
}


@dataclass(frozen=True)
class Layout:
    """Ports count up from `base_port`; every file lives under `directory`."""

    directory: Path
    base_port: int
    app_servers: int = 2
    workers: int = 2
    web_concurrency: int = 2

    @classmethod
    def from_environment(cls) -> "Layout":
        return cls(
            directory=Path(os.environ.get("CLUSTER_DIR", ROOT / "var" / "cluster")).resolve(),
            base_port=int(os.environ.get("CLUSTER_BASE_PORT", "27400")),
            app_servers=int(os.environ.get("CLUSTER_APP_SERVERS", "2")),
            workers=int(os.environ.get("CLUSTER_WORKERS", "2")),
            web_concurrency=int(os.environ.get("CLUSTER_WEB_CONCURRENCY", "2")),
        )

    # --- ports ---
    @property
    def lb_port(self) -> int:
        return self.base_port

    def app_port(self, index: int) -> int:
        return self.base_port + 1 + index

    @property
    def etcd_port(self) -> int:
        return self.base_port + 10

    @property
    def etcd_peer_port(self) -> int:
        return self.base_port + 11

    def pg_port(self, node: str) -> int:
        return self.base_port + 20 + NODES.index(node)

    def rest_port(self, node: str) -> int:
        return self.base_port + 30 + NODES.index(node)

    def pgbouncer_port(self, index: int) -> int:
        """The PgBouncer beside app server `index` (the workers use them too)."""
        return self.base_port + 40 + index

    @property
    def router_primary_port(self) -> int:
        return self.base_port + 60

    @property
    def router_standby_port(self) -> int:
        return self.base_port + 61

    @property
    def redis_port(self) -> int:
        return self.base_port + 50

    def all_ports(self) -> list[int]:
        """Every port the cluster listens on (`down` waits until each is free)."""
        ports = [self.lb_port, self.etcd_port, self.etcd_peer_port, self.redis_port, self.router_primary_port,
                 self.router_standby_port]  # fmt: skip
        ports += [self.app_port(i) for i in range(self.app_servers)]
        ports += [self.pgbouncer_port(i) for i in range(self.app_servers)]
        ports += [port for node in NODES for port in (self.pg_port(node), self.rest_port(node))]
        return ports

    # --- files ---
    def node_dir(self, node: str) -> Path:
        return self.directory / node

    def data_dir(self, node: str) -> Path:
        return self.node_dir(node) / "data"

    @property
    def state_file(self) -> Path:
        return self.directory / "state.json"

    @property
    def cluster_file(self) -> Path:
        return self.directory / "cluster.json"

    @property
    def env_file(self) -> Path:
        return self.directory / "app.env"

    # --- what the app connects to ---
    def database_url(self, database: str, *, attrs: str, connect_timeout: int) -> str:
        """Every PgBouncer, in the libpq multi-host form dj-database-url passes on: connections
        spread over them, and one that is gone is skipped; libpq checks what it reached."""
        hosts = ",".join(HOST for _ in range(self.app_servers))
        ports = ",".join(str(self.pgbouncer_port(i)) for i in range(self.app_servers))
        return (
            f"postgres://{APP_ROLE}@/{database}?host={hosts}&port={ports}&load_balance_hosts=random"
            f"&target_session_attrs={attrs}&connect_timeout={connect_timeout}"
        )

    def direct_url(self, node: str) -> str:
        """One node's PostgreSQL itself, past its pooler (migrations)."""
        return f"postgres://{APP_ROLE}@{HOST}:{self.pg_port(node)}/{DATABASE}"

    @property
    def redis_url(self) -> str:
        return f"redis://{HOST}:{self.redis_port}/0"

    def app_environment(self) -> dict[str, str]:
        return {
            "DJANGO_SECRET_KEY": "loopback-cluster-secret-" + "c" * 40,
            "DJANGO_SECURE_SSL": "0",
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
            "DJANGO_NUM_PROXIES": "1",
            "DJANGO_LOG_FORMAT": "json",
            "DATABASE_URL": self.database_url(DATABASE, attrs="read-write", connect_timeout=3),
            "DATABASE_REPLICA_URL": self.database_url(f"{DATABASE}_standby", attrs="standby", connect_timeout=1),
            "DATABASE_POOLED": "1",
            "REDIS_URL": self.redis_url,
            "SIGNUP_ENABLED": "1",
            # Raised by the tests and the benchmark, which send more than a person would.
            "API_KEY_RATE_LIMIT": os.environ.get("API_KEY_RATE_LIMIT", "120/minute"),
        }


def render(template: str, **values: object) -> str:
    return Template((TEMPLATES / template).read_text()).substitute({k: str(v) for k, v in values.items()})


def lb_errors() -> str:
    """HAProxy's `http-error` lines: its own answers are the API's JSON error, with Retry-After
    where a retry will do."""
    lines = []
    for status, message in LB_ERRORS.items():
        body = json.dumps({"error": message}).replace('"', '\\"')
        retry = " hdr Retry-After 5" if status in (502, 503, 504) else ""
        lines.append(f'    http-error status {status} content-type application/json string "{body}"'
                     f" hdr Cache-Control no-store{retry}")  # fmt: skip
    return "\n".join(lines)
