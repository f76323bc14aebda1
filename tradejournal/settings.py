"""Settings for TradeJournal, read once from the environment with safe production defaults."""

import json
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from core import wire

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- The environment, read once -----------------------------------------------------------
DEBUG = _env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
REDIS_URL = os.environ.get("REDIS_URL", "")
ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
API_KEY_RATE_LIMIT = os.environ.get("API_KEY_RATE_LIMIT", "120/minute")
API_AUTH_FAILURE_RATE_LIMIT = os.environ.get("API_AUTH_FAILURE_RATE_LIMIT", "30/minute")
SIGNUP_ENABLED = _env_bool("SIGNUP_ENABLED", default=True)
CORS_ALLOWED_ORIGINS = _env_list("CORS_ALLOWED_ORIGINS")
SECURE_SSL = _env_bool("DJANGO_SECURE_SSL", default=not DEBUG)
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
NUM_PROXIES = int(os.environ.get("DJANGO_NUM_PROXIES", "0"))
# A request never waits long on a dependency: it gets a quick 503 instead (README, "Failure").
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "3"))  # seconds
DB_STATEMENT_TIMEOUT = int(os.environ.get("DB_STATEMENT_TIMEOUT", "5000"))  # ms; 0 = none (manage.py commands)
DB_LOCK_TIMEOUT = int(os.environ.get("DB_LOCK_TIMEOUT", "3000"))  # ms
# The client's own bound on each wait for PostgreSQL's answer (core/postgresql/base.py): what ends
# a wait on a stuck server or a stalled network, which never send the statement timeout's error.
# By default 2 s above the statement timeout, and none where there is none (manage.py commands).
DB_REQUEST_DEADLINE = float(
    os.environ.get("DB_REQUEST_DEADLINE") or (DB_STATEMENT_TIMEOUT / 1000 + 2 if DB_STATEMENT_TIMEOUT else 0)
)  # seconds
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.5"))  # seconds, to connect and per command
LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30/hour")  # failed sign-ins per username from one address
# Failed sign-ins per username from all addresses together, and per address for all usernames together.
LOGIN_GLOBAL_RATE_LIMIT = os.environ.get("LOGIN_GLOBAL_RATE_LIMIT", "300/hour")
SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "5/hour")  # accounts created per address
# The leaderboard adds money in one currency only: the trades of accounts in this one.
LEADERBOARD_CURRENCY = os.environ.get("LEADERBOARD_CURRENCY", "").strip().upper() or "USD"
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))  # an uploaded file, 413 above
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "250000"))  # rows of one file, which fails above
# An import file is read in a child process with these limits (imports/sandbox.py): CPU seconds
# (the floor, or so many per MB of file, whichever is more) and memory (a base plus a multiple of
# the file's size). Past either the import fails with the reason, and the worker goes on.
IMPORT_PARSE_CPU_SECONDS = int(os.environ.get("IMPORT_PARSE_CPU_SECONDS", "20"))
IMPORT_PARSE_CPU_SECONDS_PER_MB = float(os.environ.get("IMPORT_PARSE_CPU_SECONDS_PER_MB", "6"))
IMPORT_PARSE_MEMORY_BASE_MB = int(os.environ.get("IMPORT_PARSE_MEMORY_BASE_MB", "768"))
IMPORT_PARSE_MEMORY_MULTIPLE = int(os.environ.get("IMPORT_PARSE_MEMORY_MULTIPLE", "40"))
# A file attached to a trade (a screenshot, a PDF), 413 above; where attachments are kept: a folder by
# default, or any Django storage backend (S3 through django-storages: README, "Attachments").
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
ATTACHMENTS_PER_TRADE = int(os.environ.get("ATTACHMENTS_PER_TRADE", "20"))  # the most one trade keeps
ATTACHMENT_STORAGE = os.environ.get("ATTACHMENT_STORAGE", "django.core.files.storage.FileSystemStorage")
ATTACHMENT_STORAGE_OPTIONS = json.loads(
    os.environ.get("ATTACHMENT_STORAGE_OPTIONS") or json.dumps({"location": str(BASE_DIR / "media")})
)
# Seconds without a heartbeat after which a processing import's worker is taken for dead.
IMPORT_HEARTBEAT_TIMEOUT = int(os.environ.get("IMPORT_HEARTBEAT_TIMEOUT", "30"))
# Scaled out (README, "The cluster"): a read replica, a transaction pooler, JSON logs, metrics.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
DATABASE_POOLED = _env_bool("DATABASE_POOLED")  # DATABASE_URL goes through PgBouncer's transaction pooling
REPLICA_MAX_LAG = float(os.environ.get("REPLICA_MAX_LAG", "5"))  # seconds; a standby further behind serves no reads
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "plain")  # or "json": one object a line
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
# Webhooks (README, "Webhooks"): plain http and private addresses only for development and tests.
WEBHOOK_ALLOW_HTTP = _env_bool("WEBHOOK_ALLOW_HTTP")
WEBHOOK_ALLOW_PRIVATE = _env_bool("WEBHOOK_ALLOW_PRIVATE")
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "60"))  # the first retry's wait
WEBHOOK_LOG_DAYS = int(os.environ.get("WEBHOOK_LOG_DAYS", "30"))  # days events and delivery rows are kept
WEBHOOKS_PER_TRADER = int(os.environ.get("WEBHOOKS_PER_TRADER", "10"))  # endpoints one trader may have
WEBHOOK_DELIVERIES_PER_MINUTE = int(os.environ.get("WEBHOOK_DELIVERIES_PER_MINUTE", "120"))  # per trader

if not re.fullmatch(wire.CURRENCY_CODE, LEADERBOARD_CURRENCY):
    raise ImproperlyConfigured(f"LEADERBOARD_CURRENCY: {wire.CURRENCY_MESSAGE}")
if DATABASE_REPLICA_URL and not REDIS_URL:
    raise ImproperlyConfigured("DATABASE_REPLICA_URL needs REDIS_URL: the traders' write positions live there.")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT must be plain or json.")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required unless DJANGO_DEBUG=1.")
    SECRET_KEY = "insecure-development-only-key-" + "x" * 40

# --- Applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_tasks",
    "django_tasks_db",
    *(["django_rq"] if REDIS_URL else []),
    "core",
    "tradejournal",
    "apikeys",
    "journal",
    "leaderboard",
    "dashboard",
    "analytics",
    "imports",
    "daynotes",
    "attachments",
    "demo",
    "webhooks",
]

MIDDLEWARE = [
    "core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.compression.CompressionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "core.middleware.ApiErrorMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "apikeys.middleware.RateLimitHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dashboard.middleware.TraderZoneMiddleware",
    "core.replicas.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tradejournal.urls"
WSGI_APPLICATION = "tradejournal.wsgi.application"
# API paths answer with and without a trailing slash themselves; never redirect.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.signup",
                "dashboard.context_processors.menu",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if SQLITE:
    # Several gunicorn workers share one SQLite file: WAL lets readers run beside a writer,
    # IMMEDIATE transactions take the write lock up front instead of failing half-way, and
    # the timeout makes a writer wait for the lock rather than error.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["ENGINE"] = "core.sqlite3"  # dates taken by SQLite itself where it can
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Django's backend with the client's deadline on every wait (DB_REQUEST_DEADLINE).
    DATABASES["default"]["ENGINE"] = "core.postgresql"
    # A slow statement or a held row lock costs a request seconds, not the worker's life: past
    # these the request gets a 503 (core/outage.py). Commands run without the statement limit
    # (manage.py), since migrations and imports may legitimately take longer.
    server_options = f"-c lock_timeout={DB_LOCK_TIMEOUT} -c statement_timeout={DB_STATEMENT_TIMEOUT}"
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    options["options"] = f"{options.get('options', '')} {server_options}".strip()
    # A peer that stops acknowledging (a dead host, a dropped route) is noticed by the kernel on
    # every connection, commands' and the import worker's included: keepalives probe a connection
    # that waits in silence, and unacknowledged bytes are given up on after tcp_user_timeout.
    options.setdefault("keepalives", 1)
    options.setdefault("keepalives_idle", 10)  # seconds
    options.setdefault("keepalives_interval", 5)  # seconds
    options.setdefault("keepalives_count", 3)
    options.setdefault("tcp_user_timeout", 25_000)  # ms

# --- Scale-out: the transaction pooler and the read replica (README, "The cluster") ----------
if DATABASE_POOLED:
    # PgBouncer's transaction pooling hands each transaction any server connection: startup
    # options (Debian's PgBouncer refuses `options`; the timeouts are the role's settings there,
    # ALTER ROLE ... SET), server-side cursors and prepared statements would not survive it.
    DATABASES["default"]["OPTIONS"].pop("options", None)
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=600, conn_health_checks=True)
    DATABASES["replica"]["ENGINE"] = DATABASES["default"]["ENGINE"]  # the same deadline on every wait
    DATABASES["replica"]["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], **DATABASES["replica"]["OPTIONS"]}
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) are a PostgreSQL feature; SQLite builds the same indexes without
# their non-key columns, which is all a development database needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Cache: shared by every worker process --------------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    # Not per-process memory: the rate limits and the leaderboard snapshot must be shared.
    # Culling past MAX_ENTRIES deletes a third of all rows, whoever's: another trader's busy reads
    # would delete a running import's heartbeat (its worker then taken for dead) and rate-limit
    # counters. Results expire in minutes, and expired rows are deleted first: this bound is only
    # for a flood.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tradejournal_cache",
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }

# --- Background work (imports): Django's task framework ---------------------------------------
# Without Redis the queue is a database table (`manage.py db_worker`); with it, RQ (`manage.py
# rqworker default`), so imports scale out on an existing queue.
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # RQ's client (django_rq) takes its options from the URL alone: the timeouts of every other Redis
    # client, so enqueueing an upload waits on a frozen Redis no longer than a request does (the
    # worker lengthens its own for its blocking waits).
    timeouts = f"socket_connect_timeout={REDIS_TIMEOUT}&socket_timeout={REDIS_TIMEOUT}"
    rq_url = f"{REDIS_URL}{'&' if '?' in REDIS_URL else '?'}{timeouts}"
    # An import of a year of fills takes seconds; RQ's default limit (3 minutes) would kill a big one.
    RQ_QUEUES = {"default": {"URL": rq_url, "DEFAULT_TIMEOUT": 3600}}
    RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}  # so a plain `rqworker` runs tasks
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# A running import holds its transaction open for its whole length, and SQLite has one writer: its
# progress can't go to a table there. It goes to the shared cache (Redis, or PostgreSQL's cache
# table through a connection of its own), else to files beside the SQLite database.
IMPORT_PROGRESS_CACHE = "default"
if not REDIS_URL and SQLITE:
    IMPORT_PROGRESS_CACHE = "import_progress"
    CACHES[IMPORT_PROGRESS_CACHE] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": f"{DATABASES['default']['NAME']}-import-progress",
    }

# --- Auth, sessions, security ---------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancer's health check comes over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself (whitenoise) -------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Never served as static or media files: only through the authenticated views (attachments/serving.py).
    "attachments": {"BACKEND": ATTACHMENT_STORAGE, "OPTIONS": ATTACHMENT_STORAGE_OPTIONS},
}
# Serve the apps' static files even before `collectstatic`, so `gunicorn tradejournal.wsgi`
# works on a fresh checkout; the Docker image collects (and compresses) them at build time.
WHITENOISE_USE_FINDERS = True

# --- Request size: the API answers 413 above this ---------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apikeys.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apikeys.permissions.HasRequiredScope"],
    "DEFAULT_THROTTLE_CLASSES": ["apikeys.throttling.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "tradejournal.schema.ApiAutoSchema",
    "DEFAULT_METADATA_CLASS": "core.metadata.AllowedMethods",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": False,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
}

# --- OpenAPI schema and its documentation pages (served from our own static files) ------------
SPECTACULAR_SETTINGS = {
    "TITLE": "TradeJournal API",
    "DESCRIPTION": (
        "Programmatic access to your trade journal data, stats, and leaderboard.\n\n"
        "Authenticate every request with `Authorization: Bearer <key>`; generate keys on the dashboard "
        "(`/dashboard/keys/`). Each operation names the scope its key needs."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tradejournal.schema.without_trailing_slashes",
        "tradejournal.schema.link_created_resources",
        "tradejournal.schema.list_ignored_properties",
        "webhooks.schema.document_events",
    ],
    "ENUM_NAME_OVERRIDES": {"SideEnum": "journal.models.Side", "ExecutionSideEnum": "imports.models.EXECUTION_SIDES"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl: null keeps Swagger UI from sending the schema to an outside validator.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "persistAuthorization": True, "displayRequestDuration": True},
}

# --- CORS: browser clients on other origins (bearer keys, so no cookies cross) ---------------
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = ("accept", "authorization", "content-type", "idempotency-key")
CORS_EXPOSE_HEADERS = ("Location", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "Idempotent-Replayed")
CORS_PREFLIGHT_MAX_AGE = 3600

# --- Logging: everything to stdout, tracebacks included -------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    # A line per request only in JSON, where it replaces gunicorn's access log (gunicorn.conf.py).
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "tradejournal.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}
