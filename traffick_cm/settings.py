"""Settings for traffick_cm, read from the environment (see .env.example).

Every variable has an embedded default so that a newcomer needs nothing but Python:
no DATABASE_URL means a local SQLite file, no CELERY_BROKER_URL means tasks run
in-process. Production means PostgreSQL and Redis, DEBUG off, and real keys: with
DEBUG off the app refuses to start on the development secret key, without an
encryption key or without SITE_URL. .env.example lists every variable read here
(tests/test_settings.py keeps the two in step).
"""

from __future__ import annotations

import base64
import binascii
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if os.environ.get("DJANGO_READ_DOT_ENV_FILE", "1") != "0" and (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_flag(name: str, default: bool) -> bool:
    """A boolean variable; anything but a recognised word stops start-up."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


DEBUG = env_flag("DEBUG", False)
DEMO = env_flag("DEMO", False)
# HTTPS: secure cookies, HSTS and the redirect to https. On by default with DEBUG off;
# the local demo on http://127.0.0.1 turns it off explicitly.
HTTPS = env_flag("HTTPS", not DEBUG)

DEV_SECRET_KEY = "django-insecure-traffick-cm-development-only"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
if not DEBUG and (not SECRET_KEY.strip() or SECRET_KEY == DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: with DEBUG off the app refuses the built-in development "
        "key. Set SECRET_KEY to a long random value (see .env.example)."
    )


def _parse_encryption_keys(raw: str) -> list[str]:
    """FIELD_ENCRYPTION_KEY: one or more Fernet keys, newest first, comma-separated."""
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    for key in keys:
        try:
            decoded = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) != 32:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEY must hold url-safe base64 keys of 32 bytes, "
                "comma-separated, newest first. Generate one with: python -c "
                '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
            )
    return keys


FIELD_ENCRYPTION_KEYS = _parse_encryption_keys(env.str("FIELD_ENCRYPTION_KEY", default=""))
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is not set: with DEBUG off the app refuses to store "
            "personal data without an encryption key (see .env.example)."
        )
    # Development only: a key derived from the development secret, never used with DEBUG off.
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(SECRET_KEY.encode().ljust(32, b"0")[:32]).decode()
    ]

# The key of the search and duplicate hashes; when empty, derived from the newest encryption
# key (then run rotate_encryption_keys after adding a key).
FIELD_HASH_KEY = env.str("FIELD_HASH_KEY", default="")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "csp",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The project's apps, in their layers (README, Architecture): each imports only those
    # listed before it. The core (codebooks, fields, storage, the labels template filter).
    "traffick_cm",
    "accounts",
    "partners",
    "programmes",
    "cases",
    "screening",
    "referrals",
    "trainings",
    "reports",
    "home",
    # The REST API and webhooks, beside the home pages: above every app it serves.
    "api",
    # The demo (`make run`, DEMO=1): its data and `seed_demo`, above every app. The
    # production image keeps only its app config (.dockerignore).
    "demo",
]
# The scale benchmark's tools (`seed_scale`, `benchmark`), for the Makefile's bench targets
# only: not part of the product, not in the production image.
if env_flag("BENCHMARK_TOOLS", False):
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses the pages (WhiteNoise above serves static files already compressed). Above
    # every middleware that reads or changes the response body, so it compresses last; its
    # random padding hides the length against BREACH (README, Security).
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.sessions.AbsoluteSessionLifetimeMiddleware",
    "accounts.two_factor.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.NoStoreForAuthenticatedMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "traffick_cm.urls"
WSGI_APPLICATION = "traffick_cm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accounts.context_processors.navigation",
            ],
        },
    },
]


def _database_from_env() -> dict:
    url = env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    scheme = url.split(":", 1)[0]
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgres:// or sqlite:/// URL; got scheme {scheme!r}."
        )
    config = env.db_url_config(url)
    if config["ENGINE"].endswith("postgresql"):
        config["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
        # Prepared statements: a query run a few times on a connection is parsed and planned
        # once (the case file's join took 3.6 ms to plan and 0.5 ms to run). They need
        # server-side parameters; behind PgBouncer in transaction mode before 1.21, set
        # DATABASE_PREPARE_THRESHOLD to 0 to turn them off.
        threshold = env_int("DATABASE_PREPARE_THRESHOLD", 5)
        if threshold > 0:
            config.setdefault("OPTIONS", {}).update(
                {"server_side_binding": True, "prepare_threshold": threshold}
            )
    else:
        # SQLite, the embedded default: `make run` writes from two processes (the web server
        # and beat, which runs the periodic tasks). A transaction takes the write lock when it
        # begins, so that it waits for the other process's instead of failing with "database
        # is locked" when it first writes, and waits up to 20 s rather than SQLite's 5.
        config.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    config["ATOMIC_REQUESTS"] = False
    return config


DATABASES = {"default": _database_from_env()}
# Reports and dashboards read from a replica when one is configured (DATABASE_REPLICA_URL).
REPORTS_DATABASE = "default"
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db_url_config(env.str("DATABASE_REPLICA_URL")),
        "TEST": {"MIRROR": "default"},
    }
    REPORTS_DATABASE = "replica"
DATABASE_ROUTERS = ["traffick_cm.routers.PrimaryRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the roles with the user (accounts/backends.py).
    "accounts.backends.ModelBackend",
]
# Brute force: 5 failures for a username from one address lock that pair for 30 minutes
# (django-axes); the right password is refused meanwhile; the answer is 429.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views_auth.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
if env_flag("BEHIND_PROXY", False):
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
PASSWORD_RESET_LIMIT_PER_HOUR = env_int("PASSWORD_RESET_LIMIT_PER_HOUR", 5)
# Two-factor sign-in for roles with case-level data or user management.
TWO_FACTOR_REQUIRED = env_flag("TWO_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "traffick_cm"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
TIME_ZONE = env.str("TIME_ZONE", default="Africa/Bangui")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# English as written in the region: day/month/year and a 24-hour clock (traffick_cm/formats/).
# Years are never numbers to format: "2 026" in French; templates print them unlocalized.
FORMAT_MODULE_PATH = ["traffick_cm.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
STORAGES = {
    # Private files (case documents, attachments, evidence, report files) live outside any
    # public URL, encrypted with the key ring of FIELD_ENCRYPTION_KEY, and are decrypted
    # only by the views that apply the access policy.
    "default": {"BACKEND": "traffick_cm.storage.EncryptedFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Django's renderer, with select boxes written in Python (traffick_cm/form_renderer.py).
FORM_RENDERER = "traffick_cm.form_renderer.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: with no broker, tasks run in-process so that a laptop needs no worker; `make run`
# then starts beat alone, and the periodic tasks run in beat's process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Separate queues so that report workers and notification workers scale independently.
CELERY_TASK_ROUTES = {
    "reports.tasks.*": {"queue": "reports"},
    "referrals.tasks.*": {"queue": "notifications"},
    "accounts.tasks.*": {"queue": "notifications"},
    "api.tasks.*": {"queue": "notifications"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="traffick_cm <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers and cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_flag("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_flag("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Idle timeout: 30 minutes without a request ends the session; absolute lifetime 12 hours.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# Database sessions that skip the write when the deadline would move by under a minute.
SESSION_ENGINE = "accounts.sessions"
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Template variable lookups log their context at DEBUG: never, whatever LOG_LEVEL.
        "django.template": {"level": "INFO"},
        "fontTools": {"level": "WARNING"},
        # Request bodies can carry personal data: log the failure, never the payload.
        "django.request": {"level": "ERROR", "propagate": True},
    },
}

# Thresholds and policies used across apps.
SMALL_CELL_THRESHOLD = env_int("SMALL_CELL_THRESHOLD", 5)


def _referral_deadlines() -> dict[str, int]:
    """REFERRAL_DEADLINES: hours to respond per urgency, e.g. emergency=24,high=72,normal=168."""
    raw = env.str("REFERRAL_DEADLINES", default="emergency=24,high=72,normal=168")
    hours = {}
    try:
        for part in raw.split(","):
            key, value = part.split("=")
            hours[key.strip()] = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"REFERRAL_DEADLINES must look like emergency=24,high=72,normal=168; got {raw!r}."
        ) from None
    if set(hours) != {"emergency", "high", "normal"} or min(hours.values()) <= 0:
        raise ImproperlyConfigured(
            "REFERRAL_DEADLINES needs positive hours for emergency, high and normal."
        )
    return hours


REFERRAL_DEADLINE_HOURS = _referral_deadlines()
# After a referral closes, its packet stays visible to the partner this many days, then
# only its metadata.
REFERRAL_PACKET_RETENTION_DAYS = env_int("REFERRAL_PACKET_RETENTION_DAYS", 30)


def _site_url() -> str:
    """SITE_URL: the address users open, the base of the links in emails sent by tasks (no
    request there). No default with DEBUG off: a wrong one sends everybody a dead link."""
    raw = env.str("SITE_URL", default="").strip()
    if not raw and DEBUG:
        return "http://127.0.0.1:8000"
    if not raw:
        raise ImproperlyConfigured(
            "SITE_URL is not set: with DEBUG off the links in emails need the address users "
            "open, e.g. https://cm.example.org (see .env.example)."
        )
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(
            f"SITE_URL must be an http:// or https:// address, e.g. https://cm.example.org; "
            f"got {raw!r}."
        )
    return raw


SITE_URL = _site_url()
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 10)
# A case file larger than this is imported in the background, its page showing progress
# (a few hundred CSV rows, a thousand or more in XLSX, are imported while the page waits).
CASE_IMPORT_BACKGROUND_BYTES = env_int("CASE_IMPORT_BACKGROUND_KB", 64) * 1024
# Name look-ups per user and hour (the duplicate check while registering, name searches of
# the case list): a budget, so that nobody can ask "is this person registered?" at will.
# Counted in the cache: set CACHE_URL to Redis when several processes serve the app.
NAME_LOOKUPS_PER_HOUR = {
    "duplicate_check": env_int("DUPLICATE_CHECKS_PER_HOUR", 30),
    "case_search": env_int("NAME_SEARCHES_PER_HOUR", 120),
}
# Private files are for the app's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# An upload of allowed size stays in memory until it is stored, encrypted: Django would
# otherwise spool any upload over 2.5 MB to a plaintext temporary file (left behind if the
# process dies). The margin covers the other fields of the form.
FILE_UPLOAD_MAX_MEMORY_SIZE = (MAX_UPLOAD_MB + 1) * 1024 * 1024

# A report run whose worker died is taken over after this many seconds.
REPORT_RUN_LEASE_SECONDS = env_int("REPORT_RUN_LEASE_SECONDS", 900)

# The REST API (/api/v1/): personal access tokens only (no session, so no CSRF), the one
# access policy, a budget per token, RFC 9457 problem details, cursor pages.
API_REQUESTS_PER_MINUTE = env_int("API_REQUESTS_PER_MINUTE", 120)
# Webhooks: how long a receiver has to answer, and after how many deliveries that failed in
# a row (each retried for 24 hours) a subscription is paused and its administrators told.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_PAUSE_AFTER_FAILURES = env_int("WEBHOOK_PAUSE_AFTER_FAILURES", 10)
# Deliveries to private, loopback or link-local addresses are refused (a subscription must not
# reach the servers' own network) unless this is on: for a receiver on a laptop or an internal
# network only.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_flag("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenRequired", "api.permissions.Policy"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "traffick_cm API",
    "DESCRIPTION": (
        "Case management for counter-trafficking work. Every call acts as the user whose "
        "personal access token it sends (Authorization: Bearer <token>), under the same "
        "access policy as the pages."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per vocabulary in the schema (several fields share one; two are "status").
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "traffick_cm.codebooks.CaseStatus",
        "ReferralStatusEnum": "referrals.models.ReferralStatus",
        "AudienceEnum": "trainings.vocabularies.Audience",
        "ConsentGiverEnum": "traffick_cm.codebooks.ConsentGiver",
        "ConsentMethodEnum": "traffick_cm.codebooks.ConsentMethod",
        "LanguageEnum": "traffick_cm.codebooks.Language",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses",
    ],
}

# Periodic tasks live in the database (django-celery-beat): administrators edit schedules
# in the admin without a deploy. `manage.py setup_schedules` creates the defaults.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
