"""Settings for the investment-promotion CRM, read from the environment.

Environment variables:
    DJANGO_SECRET_KEY     required unless DJANGO_DEBUG=1
    DJANGO_DEBUG          "1" for development (default "0")
    DJANGO_ALLOWED_HOSTS  comma-separated host names (default: localhost names)
    DJANGO_HTTPS          "0" on an intranet served over plain HTTP (default "1"):
                          turns off the HTTPS-only cookies, redirect and HSTS
    DJANGO_BEHIND_PROXY   "1" behind a reverse proxy (nginx) on this machine: trust its
                          X-Forwarded-Proto and X-Forwarded-For headers (default "0")
    DJANGO_CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://zs.example.gov.cn
    DJANGO_LOG_FORMAT     "json" (one JSON object per line on stderr) or "text"
                          (default: json unless DJANGO_DEBUG=1)
    DJANGO_LOG_LEVEL      default INFO
    DJANGO_LOGIN_FAILURE_LIMIT    wrong passwords before a username is locked from one
                                  address (default 5)
    DJANGO_LOGIN_COOLOFF_MINUTES  how long that lock lasts (default 30)
    DJANGO_SESSION_IDLE_MINUTES   automatic logout after this much inactivity (default 30)
    DJANGO_SESSION_MAX_HOURS      automatic logout this long after login (default 8)
    DATABASE_URL          e.g. postgres://user:pass@host/db (default: SQLite file)
    CRM_IMPORT_MAX_ROWS   largest lead workbook accepted, in rows
    CRM_IMPORT_MAX_BYTES  largest uploaded workbook, in bytes

One module, a little over 300 lines, on purpose: settings are read top to
bottom, grouped Django / third-party / local as in cookiecutter-django, and
most of the length is this list and the comments saying why each value is
what it is; a settings package would change DJANGO_SETTINGS_MODULE for
every deployment and test run.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key


def env_bool(name: str, default: bool) -> bool:
    """Return the environment variable `name` read as a yes/no flag."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent.parent

# --- Django core -------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Development only: a key per process, never a key committed to the repository.
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "django_filters",
    "import_export",
    "simple_history",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
]
LOCAL_APPS = [
    "crm",
    "leads",
    "chambers",
    "audit",
    "aftercare",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "crm.session_limits.SessionLifetimeMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
ASGI_APPLICATION = "crm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project shell's templates, then each staff-page package's own
        # (a package is not an app, so APP_DIRS does not look there).
        "DIRS": [
            BASE_DIR / "crm" / "templates",
            BASE_DIR / "leads" / "pages" / "templates",
            BASE_DIR / "leads" / "reports" / "templates",
            BASE_DIR / "leads" / "excel" / "templates",
            BASE_DIR / "aftercare" / "pages" / "templates",
        ],
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

# --- Database ----------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write
    # lock when a transaction starts, so two writers queue (up to `timeout`
    # seconds) instead of failing midway with "database is locked". Memory-mapped
    # reads halve the full-table sums behind the board and dashboard
    # (docs/benchmarks.md, staff pages).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA mmap_size=268435456;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: our queries are index reads and aggregates of a few hundred
    # milliseconds at most, and PostgreSQL priced the report's backlog page over its
    # JIT thresholds at 1,000,000 leads: 0.5 s of compiling for a 0.45 s query. With
    # it off the report's JSON went 2.9-3.2 -> 2.6-2.7 s there, the pages unchanged
    # (docs/benchmarks.md). Options the deployment's URL gives are kept.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ----------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks the lockout first, then Django checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Automatic logout (等保 2.0): idle time through the session's age, renewed by activity
# (at most once a minute), and the absolute lifetime since login; both enforced by
# crm.session_limits.SessionLifetimeMiddleware.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_IDLE_MINUTES", "30")) * 60
CRM_SESSION_MAX_AGE = int(float(os.environ.get("DJANGO_SESSION_MAX_HOURS", "8")) * 3600)

# --- Internationalisation ----------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files: everything ships with the app, no CDN ----------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "crm" / "static"]
# The app serves its own CSS, JS and fonts (WhiteNoise) with DEBUG off too, so an
# intranet needs no CDN and no separate static server: run `collectstatic` on deploy.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ----------------------------------------------------------------

HTTPS = env_bool("DJANGO_HTTPS", True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG and HTTPS:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind nginx on the same machine (docs/deploy.md): the proxy says whether the
# client used HTTPS and who the client is. Never trust these headers when clients
# can reach the app server directly: they could forge them.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

# --- Third-party -------------------------------------------------------------

# Login failure handling (登录失败处理): lock a username from one address after N wrong
# passwords. The pair, not the address alone: a bureau behind one NAT address is not
# locked out as a whole, and nobody can lock a colleague out from elsewhere.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "crm.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "crm.lockout.client_ip"

# Content-Security-Policy: everything from this server, no inline script, no CDN.
# Styles: 'self' only as well; htmx's own indicator <style> is switched off by the
# htmx-config meta tag in base.html and its two rules live in base.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
# The admin keeps an upload between preview and confirm in the database, not on disk.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "leads.excel.storage.DatabaseTmpStorage"

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Background jobs (large imports). The database backend needs no extra server:
# it works on SQLite and on PostgreSQL; run `python manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("CRM_TASKS_BACKEND", "django_tasks_db.backend.DatabaseBackend"),
    }
}

# --- This project ------------------------------------------------------------

CRM_IMPORT_MAX_ROWS = int(os.environ.get("CRM_IMPORT_MAX_ROWS", "200000"))
CRM_IMPORT_MAX_BYTES = int(os.environ.get("CRM_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))

# Logs go to stderr (journald, docker, a collector), JSON lines unless developing;
# stdout stays for what commands print (monthly_report --format json).
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "crm.jsonlog.JSONFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Demo data commands `make run` (manage.py bootstrap) runs into an empty database, in order.
CRM_DEMO_COMMANDS = ["seed_demo", "seed_aftercare_demo"]
