"""Settings, all read from the environment so one image serves dev, CI and production."""

import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from llm_server.apps_registry import RESOURCE_APPS

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Values copied from templates and examples: a deployment that kept one signs sessions with a
# public key, so they are refused rather than used.
PLACEHOLDER_SECRET_KEYS = frozenset(
    {"change-me-to-a-long-random-string", "change-me", "changeme", "secret", "secret-key", "your-secret-key"}
)
PLACEHOLDER_SECRET_PREFIXES = ("change-me", "changeme", "django-insecure", "replace-me", "your-secret")
MIN_SECRET_KEY_LENGTH = 32
GENERATE_SECRET_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_key_problem(value: str) -> str | None:
    """Why a configured SECRET_KEY cannot be used, or None when it can."""
    lowered = value.strip().lower()
    if lowered in PLACEHOLDER_SECRET_KEYS or lowered.startswith(PLACEHOLDER_SECRET_PREFIXES):
        return "is a placeholder from an example"
    if len(value.strip()) < MIN_SECRET_KEY_LENGTH:
        return f"is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    return None


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated at first start and kept in
    SECRET_KEY_FILE (default var/secret_key, the container's volume).

    A fixed fallback would make every unconfigured install share a signing key.
    """
    configured = os.environ.get("SECRET_KEY", "")
    if configured.strip():
        problem = secret_key_problem(configured)
        if problem:
            raise ImproperlyConfigured(
                f"SECRET_KEY {problem}. Set a random value of at least {MIN_SECRET_KEY_LENGTH} characters "
                f"(for example the output of: {GENERATE_SECRET_HINT}), or leave SECRET_KEY unset to have "
                "one generated and kept in SECRET_KEY_FILE (default var/secret_key)."
            )
        return configured.strip()
    key_file = Path(os.environ.get("SECRET_KEY_FILE") or BASE_DIR / "var" / "secret_key")
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    key_file.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and linked into place: of processes starting together, exactly one key wins.
    draft = key_file.with_name(f".{key_file.name}.{os.getpid()}")
    draft.write_text(secrets.token_urlsafe(50))
    draft.chmod(0o600)
    try:
        os.link(draft, key_file)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public base URL; when unset, the request's own scheme and host are used.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

# Cookies are only marked secure when the deployment says it is behind HTTPS.
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "llm_server.accounts",
    *RESOURCE_APPS,
]

MIDDLEWARE = [
    # First: health checks answer whatever ALLOWED_HOSTS says.
    "llm_server.health.HealthCheckMiddleware",
    # Its process_view runs before CSRF's, which may read a form body.
    "llm_server.request_body.RequestBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "llm_server.urls"
WSGI_APPLICATION = "llm_server.wsgi.application"
# Routes accept both `/x` and `/x/`; never redirect (a redirect would drop a POST body).
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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # Kept: the ping before reusing a connection costs ~0.1 ms a request (measured), while
        # without it every worker would answer one 500 after a PostgreSQL restart or failover.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Seconds API keys and project lookups (with the caller's membership) stay cached (llm_server/
# auth_cache.py). Writes invalidate them at once; this bounds a missed one. 0 disables the cache.
AUTH_CACHE_SECONDS = int(os.environ.get("AUTH_CACHE_SECONDS", "60"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
            "KEY_PREFIX": "llm_server",
        }
    }
else:
    # Without Redis the cache lives in files beside the database, so every worker of one machine sees
    # the same cached answers and throttle counts (a per-process cache would not).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR") or str(BASE_DIR / "var" / "cache"),
        }
    }
# Rendered prompt and skill payloads, keyed by the exact version state they were built from (never
# invalidated, so a per-worker copy is safe): Redis when configured, else each worker's memory.
PAYLOAD_CACHE_ENTRIES = int(os.environ.get("PAYLOAD_CACHE_ENTRIES", "1000"))
CACHES["payloads"] = (
    {**CACHES["default"], "KEY_PREFIX": "llm_server_payloads"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "payloads",
        "OPTIONS": {"MAX_ENTRIES": PAYLOAD_CACHE_ENTRIES, "CULL_FREQUENCY": 4},
    }
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without collectstatic (dev, tests) serve straight from the apps' static folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Prompt payloads may be 1 MB of compact JSON, which grows when escaped; leave headroom.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(32 * 1024 * 1024)))

# Personal spend reads the AI events of one project (default: the lowest project id), for these
# `ai_product` values.
_internal_team = os.environ.get("LLM_ANALYTICS_INTERNAL_TEAM_ID", "").strip()
if _internal_team and not re.fullmatch(r"[0-9]+", _internal_team):
    raise ImproperlyConfigured(
        f"LLM_ANALYTICS_INTERNAL_TEAM_ID must be a project id (got {_internal_team!r})."
    )
LLM_ANALYTICS_INTERNAL_TEAM_ID = int(_internal_team) if _internal_team else None
SPEND_PRODUCTS = env_list("SPEND_PRODUCTS", "posthog_code")

# Throttling: off unless enabled, per personal API key.
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", False)
RATE_LIMIT_BURST = os.environ.get("RATE_LIMIT_BURST", "480/minute")
RATE_LIMIT_SUSTAINED = os.environ.get("RATE_LIMIT_SUSTAINED", "4800/hour")
# Tighter limits of two endpoints: spend (every caller, keyed per key or user) and text_repr.
RATE_LIMIT_SPEND_BURST = os.environ.get("RATE_LIMIT_SPEND_BURST", "10/minute")
RATE_LIMIT_SPEND_SUSTAINED = os.environ.get("RATE_LIMIT_SPEND_SUSTAINED", "60/hour")
RATE_LIMIT_SPEND_DAILY = os.environ.get("RATE_LIMIT_SPEND_DAILY", "200/day")
RATE_LIMIT_TEXT_REPR_BURST = os.environ.get("RATE_LIMIT_TEXT_REPR_BURST", "120/minute")
RATE_LIMIT_TEXT_REPR_SUSTAINED = os.environ.get("RATE_LIMIT_TEXT_REPR_SUSTAINED", "600/hour")
# The LLM-backed endpoints: translate counts personal-API-key requests, log explanation every caller.
RATE_LIMIT_TRANSLATE_BURST = os.environ.get("RATE_LIMIT_TRANSLATE_BURST", "30/minute")
RATE_LIMIT_TRANSLATE_SUSTAINED = os.environ.get("RATE_LIMIT_TRANSLATE_SUSTAINED", "200/hour")
RATE_LIMIT_TRANSLATE_DAILY = os.environ.get("RATE_LIMIT_TRANSLATE_DAILY", "500/day")
RATE_LIMIT_LOG_EXPLAIN_BURST = os.environ.get("RATE_LIMIT_LOG_EXPLAIN_BURST", "50/minute")
RATE_LIMIT_LOG_EXPLAIN_SUSTAINED = os.environ.get("RATE_LIMIT_LOG_EXPLAIN_SUSTAINED", "200/hour")
RATE_LIMIT_LOG_EXPLAIN_DAILY = os.environ.get("RATE_LIMIT_LOG_EXPLAIN_DAILY", "500/day")
for _name, _rate in (
    ("RATE_LIMIT_BURST", RATE_LIMIT_BURST),
    ("RATE_LIMIT_SUSTAINED", RATE_LIMIT_SUSTAINED),
    ("RATE_LIMIT_SPEND_BURST", RATE_LIMIT_SPEND_BURST),
    ("RATE_LIMIT_SPEND_SUSTAINED", RATE_LIMIT_SPEND_SUSTAINED),
    ("RATE_LIMIT_SPEND_DAILY", RATE_LIMIT_SPEND_DAILY),
    ("RATE_LIMIT_TEXT_REPR_BURST", RATE_LIMIT_TEXT_REPR_BURST),
    ("RATE_LIMIT_TEXT_REPR_SUSTAINED", RATE_LIMIT_TEXT_REPR_SUSTAINED),
    ("RATE_LIMIT_TRANSLATE_BURST", RATE_LIMIT_TRANSLATE_BURST),
    ("RATE_LIMIT_TRANSLATE_SUSTAINED", RATE_LIMIT_TRANSLATE_SUSTAINED),
    ("RATE_LIMIT_TRANSLATE_DAILY", RATE_LIMIT_TRANSLATE_DAILY),
    ("RATE_LIMIT_LOG_EXPLAIN_BURST", RATE_LIMIT_LOG_EXPLAIN_BURST),
    ("RATE_LIMIT_LOG_EXPLAIN_SUSTAINED", RATE_LIMIT_LOG_EXPLAIN_SUSTAINED),
    ("RATE_LIMIT_LOG_EXPLAIN_DAILY", RATE_LIMIT_LOG_EXPLAIN_DAILY),
):
    # Fail at startup, not on every request, when a rate is mistyped.
    if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", _rate.strip()):
        raise ImproperlyConfigured(f"{_name} must look like '480/minute' (got {_rate!r}).")


def env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive number of seconds (got {raw!r}).")
    return value


# The LLM-backed endpoints (translate, log explanation) call any OpenAI-compatible chat completions
# API. They are configured when a base URL or a key is set; a base URL alone suits a local server
# that takes no key, a key alone means OpenAI itself.
LLM_API_BASE_URL = os.environ.get("LLM_API_BASE_URL", "").strip()
LLM_API_KEY = os.environ.get("LLM_API_KEY", "").strip()
LLM_MODEL = os.environ.get("LLM_MODEL", "").strip() or "gpt-4.1-mini"
# Each bounds a whole call to the model, retries included.
LLM_TRANSLATE_TIMEOUT_SECONDS = env_seconds("LLM_TRANSLATE_TIMEOUT_SECONDS", 30.0)
LLM_EXPLAIN_TIMEOUT_SECONDS = env_seconds("LLM_EXPLAIN_TIMEOUT_SECONDS", 60.0)
# Retries after a connection failure, a 429 or a 5xx, while the timeout leaves time for them.
LLM_MAX_RETRIES = int(os.environ.get("LLM_MAX_RETRIES", "2"))
# How long an explanation of one log is served again without asking the model.
LOG_EXPLANATION_CACHE_SECONDS = int(os.environ.get("LOG_EXPLANATION_CACHE_SECONDS", "3600"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "llm_server.authentication.PersonalAPIKeyAuthentication",
        "llm_server.authentication.ApiSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "llm_server.throttling.BurstRateThrottle",
        "llm_server.throttling.SustainedRateThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "llm_server.pagination.LimitOffsetPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "llm_server.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "llm_server.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "llm_server.schema.ScopedAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

EXCEPTIONS_HOG = {
    "EXCEPTION_REPORTING": "llm_server.errors.report_exception",
    # Unhandled errors get the envelope even with DEBUG on, so clients never see an HTML page.
    "ENABLE_IN_DEBUG": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "LLM server API",
    "DESCRIPTION": (
        "Self-hostable LLM-ops API compatible with PostHog's LLM-analytics API. "
        "Authenticate with a personal API key: `Authorization: Bearer phx_...`."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # PATCH bodies are documented partial (an empty PATCH succeeds), as `Patched...` components; a
    # serializer with `schema_partial_on_patch = False` (the publish bodies, whose PATCH really
    # requires its fields) is documented as declared (llm_server/schema.py).
    "COMPONENT_SPLIT_PATCH": True,
    # Request bodies are documented as JSON only: form and multipart bodies cannot carry the
    # JSON-typed fields faithfully (the server still parses them).
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "SCHEMA_PATH_PREFIX": r"/api/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "llm_server.schema.list_projects_paths_first",
    ],
}

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Client errors (4xx) are expected traffic, not warnings worth a log line each.
        "django.request": {"level": "ERROR"},
    },
}
