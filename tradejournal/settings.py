"""Settings for TradeJournal, read once from the environment with safe production defaults."""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.5"))  # seconds, to connect and per command
LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30/hour")  # failed sign-ins per address, and per username
SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "5/hour")  # accounts created per address
# The leaderboard adds money in one currency only: the trades of accounts in this one.
LEADERBOARD_CURRENCY = os.environ.get("LEADERBOARD_CURRENCY", "").strip().upper() or "USD"
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))  # an uploaded file, 413 above
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "250000"))  # rows of one file, which fails above
# Seconds without a heartbeat after which a processing import's worker is taken for dead.
IMPORT_HEARTBEAT_TIMEOUT = int(os.environ.get("IMPORT_HEARTBEAT_TIMEOUT", "30"))

if not re.fullmatch(r"[A-Z]{3}", LEADERBOARD_CURRENCY):
    raise ImproperlyConfigured("LEADERBOARD_CURRENCY must be a three-letter ISO 4217 code, e.g. USD.")
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
    "tradejournal",
    "apikeys",
    "journal",
    "leaderboard",
    "dashboard",
    "analytics",
    "imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "tradejournal.middleware.ApiErrorMiddleware",
    "tradejournal.middleware.DatabaseUnavailableMiddleware",
    "apikeys.middleware.RateLimitHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.signup",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share one SQLite file: WAL lets readers run beside a writer,
    # IMMEDIATE transactions take the write lock up front instead of failing half-way, and
    # the timeout makes a writer wait for the lock rather than error.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # A stalled server or a held row lock costs a request seconds, not the worker's life: past
    # these the request gets a 503 (tradejournal/outage.py). Commands run without the statement
    # limit (manage.py), since migrations and imports may legitimately take longer.
    server_options = f"-c lock_timeout={DB_LOCK_TIMEOUT} -c statement_timeout={DB_STATEMENT_TIMEOUT}"
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    options["options"] = f"{options.get('options', '')} {server_options}".strip()
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
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tradejournal_cache"}}

# --- Background work (imports): Django's task framework ---------------------------------------
# Without Redis the queue is a database table (`manage.py db_worker`); with it, RQ (`manage.py
# rqworker default`), so imports scale out on an existing queue.
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # An import of a year of fills takes seconds; RQ's default limit (3 minutes) would kill a big one.
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}  # so a plain `rqworker` runs tasks
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# A running import holds its transaction open for its whole length, and SQLite has one writer: its
# progress can't go to a table there. It goes to the shared cache (Redis, or PostgreSQL's cache
# table through a connection of its own), else to files beside the SQLite database.
IMPORT_PROGRESS_CACHE = "default"
if not REDIS_URL and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
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
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
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
    "DEFAULT_RENDERER_CLASSES": ["tradejournal.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["tradejournal.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "tradejournal.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "tradejournal.schema.ApiAutoSchema",
    "DEFAULT_METADATA_CLASS": "tradejournal.metadata.AllowedMethods",
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
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
