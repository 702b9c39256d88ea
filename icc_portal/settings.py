"""Settings for the ICC Portal: one module, driven by environment variables.

Local development needs nothing set: ``DEBUG=1`` is implied by ``make run``,
SQLite lives in the project folder. Production sets ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``DATABASE_URL`` and the HTTPS switches; nothing exists
only in production.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def envbool(name: str, default: bool = False) -> bool:
    """A yes/no variable; unset or empty means the default.

    Any other spelling stops start-up: ``SECURE_SSL_REDIRECT=ture`` must not quietly
    read as off (and take the secure cookies with it).
    """
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: use one of "
        f"{', '.join(TRUE_WORDS)} (on) or {', '.join(FALSE_WORDS)} (off), or leave it unset."
    )


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole-number variable of at least ``minimum``; unset or empty means the default."""
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r} is not a whole number of {minimum} or more, "
            "or leave it unset."
        )
    return number


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-key-only-used-with-debug"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin: a programme's words per language (translation.py)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "cities",
    "solutions",
    "kpis",
    "kpis.exchange",
    "roadmaps",
    "notices",
    "changelog",
    "opendata",
    "datafiles",
    "icc_portal.api",
]

MIDDLEWARE = [
    # First, so every response (static files and redirects too) carries X-Request-ID.
    "icc_portal.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "changelog.middleware.RequestVersionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "notices.language.ProfileLanguageMiddleware",  # after the user is known (at login)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "icc_portal.api.throttles.RateLimitHeaders",
]

ROOT_URLCONF = "icc_portal.urls"
WSGI_APPLICATION = "icc_portal.wsgi.application"

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
                "icc_portal.context.portal",
            ],
            # Template tags that live beside the code they serve, not in a templatetags/.
            "libraries": {"entry_tags": "kpis.reporting.entry_tags"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 0),
        # A kept connection is checked before reuse, so a restarted server costs no error.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# SQLite (the embedded default) under concurrent writers: every transaction takes the
# write lock when it begins (BEGIN IMMEDIATE), so a save that read first is never refused
# the lock half-way ("database is locked", a 500); a second writer waits up to the busy
# timeout instead. WAL lets pages be read while a figure is being saved; synchronous=NORMAL
# is WAL's usual pairing (an application crash loses nothing). Options given in
# DATABASE_URL's query string win. PostgreSQL is left as it is.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,  # seconds
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL, LOGIN_REDIRECT_URL, LOGOUT_REDIRECT_URL = "login", "home", "home"
# A form sent without a valid CSRF token gets a page that says what to do (icc_portal/errors.py).
CSRF_FAILURE_VIEW = "icc_portal.errors.csrf_failure"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("it", _("Italian")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One format per kind of date in each language (icc_portal/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["icc_portal.formats"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# STATIC_MANIFEST: serve collected files under content-hashed names (cached for ever,
# compressed), which needs `collectstatic` first. On unless DEBUG; the tests switch it off.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Source maps are fetched only by a browser's developer tools; compressing them (the
# largest static files by far) was most of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# Files a browser asks for at the site's root (/favicon.ico), served as they are.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

CACHES = {
    "default": {
        "BACKEND": os.environ.get("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": os.environ.get("CACHE_LOCATION", "icc-portal"),
    }
}

# The cache holds what every worker must agree on: API throttles (DRF counts requests in
# the default cache) and the API's cached counts. One process (``make run``) can keep it
# in its own memory (the default above); more than one worker process or server must
# share one, so that a limit of 60 a minute is not 60 per process: CACHE_URL (REDIS_URL is
# an alias; CACHE_URL wins), e.g. redis://127.0.0.1:6379/0, replaces the default. The
# older CACHE_BACKEND/CACHE_LOCATION (a dotted path) apply when no URL is set. Sessions
# are kept in the database either way, and read from the cache only when every worker
# reads the same one (SESSION_ENGINE below). A Redis that does not answer makes the portal
# slower, not down: icc_portal.cache answers as an empty cache until it is back.
CACHE_SCHEMES = {
    "redis": "icc_portal.cache.ForgivingRedisCache",
    "rediss": "icc_portal.cache.ForgivingRedisCache",
    "unix": "icc_portal.cache.ForgivingRedisCache",
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
}


def cache_from_url(variable: str, url: str) -> dict:
    """A ``CACHES`` entry from ``redis://[:password@]host:port/db`` (also ``rediss://``,
    ``unix://``), ``locmem://[name]`` or ``dummy://``; anything else stops start-up."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in CACHE_SCHEMES:
        accepted = [f"{name}://" for name in CACHE_SCHEMES]
        raise ImproperlyConfigured(
            f"{variable} must start with {', '.join(accepted[:-1])} or {accepted[-1]} "
            f"({f'not {scheme}://' if scheme else 'it has no scheme'})."
        )
    backend = CACHE_SCHEMES[scheme]
    if scheme == "locmem":
        return {"BACKEND": backend, "LOCATION": url.split("://", 1)[1] or "icc-portal"}
    if scheme == "dummy":
        return {"BACKEND": backend}
    # A Redis that stops answering fails a request after seconds, not at the worker timeout.
    return {
        "BACKEND": backend,
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
    }


CACHE_URL_VARIABLE = next(
    (name for name in ("CACHE_URL", "REDIS_URL") if os.environ.get(name, "").strip()), None
)
if CACHE_URL_VARIABLE:
    CACHES["default"] = cache_from_url(CACHE_URL_VARIABLE, os.environ[CACHE_URL_VARIABLE].strip())
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "icc-portal")


def session_engine(cache_backend: str, workers: str) -> str:
    """``cached_db`` (read from the cache, kept in the database too: a Redis outage signs
    no one out) when every worker reads the same cache: a shared one, or one process's own
    memory when it is the only one (``WEB_CONCURRENCY=1``: the tests, ``make run``). Else
    ``db``: a log-out would reach only the memory of the worker that served it."""
    local = cache_backend.rsplit(".", 1)[-1] in {"LocMemCache", "DummyCache"}
    one_process = cache_backend.endswith("LocMemCache") and workers.strip().lstrip("0") == "1"
    return f"django.contrib.sessions.backends.{'db' if local and not one_process else 'cached_db'}"


SESSION_ENGINE = session_engine(CACHES["default"]["BACKEND"], os.environ.get("WEB_CONCURRENCY", ""))
# Seconds a page or API answer kept by data version may stay unread (never stale: its key
# holds the version; kpis/dashboards/versioned.py).
VERSIONED_CACHE_TIMEOUT = int(os.environ.get("VERSIONED_CACHE_TIMEOUT", "3600"))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
# Seconds before a mail server that does not answer is given up on: the review actions send
# their notices in the request after commit, and a refused notice waits for send_notices.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ICC Portal <noreply@localhost>")
# The portal's address as people reach it, for the links in e-mail notices and reminders.
PORTAL_URL = os.environ.get("PORTAL_URL", "").strip() or "http://127.0.0.1:8000"

# HTTPS: switched on by variables behind a TLS-terminating proxy.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", SECURE_SSL_REDIRECT)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD")
if envbool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Logs: one line per event on standard output, each with the id of the request it belongs
# to (icc_portal/request_log.py); one line per request with its status, time and user.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "").strip().upper() or "INFO"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
if LOG_LEVEL not in LOG_LEVELS:
    raise ImproperlyConfigured(
        f"LOG_LEVEL={os.environ['LOG_LEVEL']!r} is not a log level: use one of "
        f"{', '.join(LOG_LEVELS)}, or leave it unset (INFO)."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "icc_portal.request_log.RequestIdFilter"}},
    "formatters": {
        "one_line": {
            "()": "icc_portal.request_log.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%SZ",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "one_line",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own loggers write through the same handler (not its debug-only console);
    # runserver's request lines only for errors, as ours already says every request.
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}
_user_rate = os.environ.get("API_THROTTLE_USER", "1200/minute")  # read's default, as before
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "icc_portal.api.authentication.TokenAuthentication",  # counts wrong tokens: see below
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["icc_portal.api.permissions.ApiAccess"],
    "DEFAULT_FILTER_BACKENDS": [
        "icc_portal.api.filters.SingleValuedQuery",
        "icc_portal.api.filters.FilterBackend",
        "icc_portal.api.filters.OrderingFilter",
    ],
    # JSON nested deeper than 32 levels is a 400 before it is parsed; a form or multipart body
    # with a piece it cannot read is a 400, not an empty body (icc_portal/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "icc_portal.api.parsers.JSONParser",
        "icc_portal.api.parsers.FormParser",
        "icc_portal.api.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "icc_portal.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "icc_portal.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "icc_portal.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["icc_portal.api.throttles.ScopedRateThrottle"],  # rates, or off:
    "DEFAULT_THROTTLE_RATES": {
        scope: None if rate.strip().lower() in {"off", "none", "0"} else rate.strip()
        for scope, rate in (
            ("anon", os.environ.get("API_THROTTLE_ANON", "60/minute")),
            ("read", os.environ.get("API_THROTTLE_READ", _user_rate)),
            ("write", os.environ.get("API_THROTTLE_WRITE", "300/minute")),
            ("sync", os.environ.get("API_THROTTLE_SYNC", "600/minute")),
        )
    },
}
from icc_portal.schema_settings import SPECTACULAR_SETTINGS  # noqa: E402, F401

# Anonymous API readers see approved figures of published consortia; set to 0 to refuse them.
API_ALLOW_ANONYMOUS = envbool("API_ALLOW_ANONYMOUS", True)

# Partner sync (changelog/): change-log rows older than this many days are dropped by
# `manage.py prune_changes`; a feed cursor from before them is refused ("do a full pull").
CHANGES_RETENTION_DAYS = envint("CHANGES_RETENTION_DAYS", 90, minimum=1)

# Shared password of the demo accounts that `load_demo` creates in debug mode only.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "icc-demo-2026")


# --- Security: login lockout, wrong API tokens, Content-Security-Policy, Permissions-Policy ---
# Behind reverse proxies that append to X-Forwarded-For, say how many: the client address
# is then read from there (icc_portal.security.client_ip), else from the connection.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT  # the API's own throttles agree

# django-axes: after LOGIN_FAILURE_LIMIT wrong passwords for one user name from one address,
# that pair is refused for LOGIN_COOLOFF_MINUTES (each new try restarts the pause), on the
# site's login and the admin's. Counted in the database, so every worker sees the same.
# Password spraying (one password over many user names): after LOGIN_ADDRESS_FAILURE_LIMIT wrong
# passwords from one address over all user names (each name counting at most LOGIN_FAILURE_LIMIT),
# the whole address is refused as long (icc_portal.login_lockout); 0 switches that off.
# Admins unlock in the admin (Login lockouts › Access attempts) or with axes_reset_username.
INSTALLED_APPS += ["icc_portal.library_words.AxesWithNameConfig", "csp"]  # axes, named
# The two header middlewares sit just inside SecurityMiddleware, so that every response
# gets the headers, also one that a middleware further in answers (a bad Host: 400).
_security_index = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE[_security_index:_security_index] = [
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last: turns a lockout into the login page
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before anything
    "icc_portal.signed_in.KeptUserBackend",  # Django's ModelBackend, its users kept by version
]
AXES_HANDLER = "icc_portal.login_lockout.LoginLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", 20) or None
_login_cooloff_minutes = envint("LOGIN_COOLOFF_MINUTES", 15)
if _login_cooloff_minutes < 1 or AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be 1 or more.")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_login_cooloff_minutes)
AXES_RESET_ON_SUCCESS = True  # a right password clears the count of earlier slips
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "icc_portal.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "icc_portal.security.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful logins need no record of their own
AXES_SENSITIVE_PARAMETERS: list[str] = []  # log lines name the user and address locked out
# Failures and lockouts are warnings; axes' step-by-step notes (info) stay out of the log.
LOGGING.setdefault("loggers", {})["axes"] = {"level": "WARNING"}

# Wrong API tokens: after this many from one address, its tokens get 429 for the period
# (icc_portal.api.authentication); "<n>/<second|minute|hour|day>", or "off".
_failed_token_rate = os.environ.get("API_THROTTLE_FAILED_TOKEN", "20/hour").strip().lower()
if _failed_token_rate in {"off", "none", "0"}:
    API_THROTTLE_FAILED_TOKEN = None
elif re.fullmatch(r"[1-9][0-9]*/(s|m|h|d)[a-z]*", _failed_token_rate):
    API_THROTTLE_FAILED_TOKEN = _failed_token_rate
else:
    raise ImproperlyConfigured("API_THROTTLE_FAILED_TOKEN must read like 20/hour, or off.")

# Content-Security-Policy (django-csp): nothing but this site's own files runs or styles a
# page; no inline script, no inline style (chart data travels in json_script blocks, the
# API docs load their start-up script from /api/docs/?script). The browsable API alone
# keeps inline styles (DRF's templates use them): icc_portal.api.renderers.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
    "rest_framework.renderers.JSONRenderer",
    "icc_portal.api.renderers.BrowsableAPIRenderer",
]
# Permissions-Policy (django-permissions-policy): no page may ask for these.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: [] for feature in ("camera", "microphone", "geolocation", "payment", "usb")
}

# --- Documents made in the background (kpis/exchange/background.py) ---
# The deliverable and maturity tables (Word, PDF, Excel) of a consortium of more than
# BACKGROUND_DOCUMENT_CELLS member cities x KPIs are made by a task of django-tasks'
# database backend: the download URL says the document is being prepared until a worker
# (manage.py db_worker, started by deploy/serve beside gunicorn) has made it. A task
# claimed by a worker that stopped with it is enqueued again after DOCUMENT_TASK_TIMEOUT
# seconds. TASKS_IMMEDIATE=1 runs tasks within the request instead, with no worker: the
# default when DEBUG is on (make run).
INSTALLED_APPS += ["django_tasks", "icc_portal.library_words.TasksWithNameConfig"]  # named
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if envbool("TASKS_IMMEDIATE", DEBUG)
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}
BACKGROUND_DOCUMENT_CELLS = envint("BACKGROUND_DOCUMENT_CELLS", 4000)
DOCUMENT_TASK_TIMEOUT = envint("DOCUMENT_TASK_TIMEOUT", 900, minimum=1)
