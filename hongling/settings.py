"""Hongling settings. Everything a deployment changes comes from environment variables;
each one is documented in README.md ("环境变量")."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("HONGLING_DATA_DIR", BASE_DIR / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
# written by `manage.py demo`: while it exists every page carries the 演示数据 mark (delete it with the demo data)
HONGLING_DEMO_FLAG = DATA_DIR / "demo-data"


def _secret_key():
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# proxies of ours in front of the app whose X-Forwarded-For is believed (common/client.py); 1 behind the nginx
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", 1 if BEHIND_HTTPS_PROXY else 0))
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 60 * 60 * 12))
# HTTPS: behind nginx (BEHIND_HTTPS_PROXY=1) every plain-HTTP request is redirected, and browsers are told to
# come back over HTTPS only (HSTS) for SECURE_HSTS_SECONDS; cookies go over HTTPS only.
if BEHIND_HTTPS_PROXY:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = False
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # nginx answers /healthz over plain HTTP on the loopback for monitoring
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images from our own files only; no inline
# scripts or event handlers (they live in static/js). Inline style attributes stay allowed (progress bars, chart
# sizes); nothing can frame the site or post a form elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "treebeard",
    "auditlog",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "csp",
    "common",
    "orgs",
    "places",
    "hazards",
    "violations",
    "vanguard",
    "frontline",
    "training",
    "care",
    "leadership",
    "stability",
    "scorecard",
    "selfcheck",
]

MIDDLEWARE = [
    "common.request_log.RequestLogMiddleware",
    # gzip of pages and JSON (BREACH weighed in its docstring); outermost but the log, so it sees the final body
    "common.middleware.CompressPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "common.middleware.RefuseNulCharactersMiddleware",
    "common.middleware.DomainErrorPagesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "orgs.middleware.AuditMiddleware",
    "orgs.middleware.ForcePasswordChangeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hongling.urls"
# benchmarks only (bench/loadgen.py): the site plus the bare baseline views it is compared with
if env_bool("HONGLING_BENCH_URLS", False):
    ROOT_URLCONF = "bench.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.navigation",
                "common.context_processors.demo_mark",
            ],
            "builtins": ["common.templatetags.hongling"],
        },
    },
]

WSGI_APPLICATION = "hongling.wsgi.application"

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(DATA_DIR / "hongling.sqlite3")),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "orgs.backends.EmployeeNumberBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (orgs/lockout.py): locked per person (both login names share it) and client address after
# LOGIN_FAILURE_LIMIT wrong passwords, per person from every address only after LOGIN_FAILURE_LIMIT_PERSON.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
LOGIN_FAILURE_LIMIT_PERSON = int(os.environ.get("LOGIN_FAILURE_LIMIT_PERSON", 30))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_USERNAME_CALLABLE = "orgs.lockout.person_key"
AXES_CLIENT_IP_CALLABLE = "common.client.client_ip"
AXES_HANDLER = "orgs.lockout.PersonLockoutHandler"
# models.W040: the statistics index has INCLUDE columns on PostgreSQL only.
# security.W005 / W021: HSTS covers the platform's own host name only; whether every subdomain of a mine's domain is
# HTTPS-only (and a preload-list entry) is the domain owner's decision: SECURE_HSTS_INCLUDE_SUBDOMAINS=1 when it is.
SILENCED_SYSTEM_CHECKS = ["models.W040", "security.W021"]
if not env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False):
    SILENCED_SYSTEM_CHECKS.append("security.W005")
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "static_vendor"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("HONGLING_MANIFEST_STATIC", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"

# Uploads (Excel imports, photos) are read in streaming chunks; anything larger is refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# every upload goes through common/uploads.py: a file is dropped while it streams in once past this size
FILE_UPLOAD_HANDLERS = [
    "common.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
HONGLING_IMPORT_MAX_BYTES = int(os.environ.get("HONGLING_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
HONGLING_IMPORT_MAX_ROWS = int(os.environ.get("HONGLING_IMPORT_MAX_ROWS", 50_000))
# the longest an uploaded sheet may take to read (request and task worker alike): then it is refused
HONGLING_IMPORT_MAX_SECONDS = float(os.environ.get("HONGLING_IMPORT_MAX_SECONDS", 20))

# 新入职 / 转岗 are derived from dates inside this window (days).
HONGLING_NEW_HIRE_DAYS = int(os.environ.get("HONGLING_NEW_HIRE_DAYS", 180))
HONGLING_TRANSFER_DAYS = int(os.environ.get("HONGLING_TRANSFER_DAYS", 180))
# public holidays (ISO dates): a legal period whose last day is one ends on the next working day (stability/clock.py)
HONGLING_HOLIDAYS = [d for d in os.environ.get("HONGLING_HOLIDAYS", "").replace(" ", "").split(",") if d]
# 每日一题: FSRS desired retention of ordinary and of high-risk knowledge points (瓦斯, 水, 火, 顶板, 煤尘)
HONGLING_LESSON_MAX_BYTES = int(os.environ.get("HONGLING_LESSON_MAX_BYTES", 200 * 1024 * 1024))
# the largest file any upload may be (the largest attachment kind); images: at most this many pixels
HONGLING_UPLOAD_MAX_BYTES = int(os.environ.get("HONGLING_UPLOAD_MAX_BYTES", HONGLING_LESSON_MAX_BYTES))
HONGLING_UPLOAD_MAX_PIXELS = int(os.environ.get("HONGLING_UPLOAD_MAX_PIXELS", 50_000_000))
HONGLING_RETENTION = float(os.environ.get("HONGLING_RETENTION", 0.9))
HONGLING_RETENTION_HIGH_RISK = float(os.environ.get("HONGLING_RETENTION_HIGH_RISK", 0.95))

# /healthz calls the task worker dead when it has finished nothing for this long (it is sent a heartbeat task)
HONGLING_WORKER_STALE_SECONDS = int(os.environ.get("HONGLING_WORKER_STALE_SECONDS", 300))
# files made in the background (ledger exports, reports) are kept this many days (manage.py prune_generated)
HONGLING_GENERATED_DAYS = int(os.environ.get("HONGLING_GENERATED_DAYS", 7))
# The home page's parts, kept per user, each until a table it read is written (the write generations are in the
# database: correct after every write, from any server; common/homecache.py); at most HONGLING_HOME_CACHE_SECONDS.
# Kept in each process's memory (HONGLING_HOME_CACHE_ENTRIES entries, about 13 KB and 6 entries a user), or, with
# HONGLING_CACHE_URL (redis://host:port/db, a database of its own), in Redis: shared by every gunicorn worker, kept
# when a worker is replaced, and filled before the day by ``manage.py warm_homes``. HONGLING_HOME_CACHE=0 computes
# them every time.
HONGLING_HOME_CACHE = env_bool("HONGLING_HOME_CACHE", True)
HONGLING_CACHE_URL = os.environ.get("HONGLING_CACHE_URL", "")
# (a day in Redis: a home warmed after midnight is still kept at the morning shift)
HONGLING_HOME_CACHE_SECONDS = int(os.environ.get("HONGLING_HOME_CACHE_SECONDS", 86400 if HONGLING_CACHE_URL else 3600))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "home": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": HONGLING_CACHE_URL, "KEY_PREFIX": "home"}
        if HONGLING_CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "hongling-home",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("HONGLING_HOME_CACHE_ENTRIES", 20000))},
        }
    ),
}
TASKS = {
    "default": {
        "BACKEND": os.environ.get("HONGLING_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

NINJA_PAGINATION_PER_PAGE = 50

# One line per event on stderr (journald keeps it): time, level, logger, the request id, the message; one line per
# request from common/request_log.py (user, method, path, status, duration). HONGLING_REQUEST_LOG=0 silences those.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "common.request_log.RequestIdFilter"}},
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "line"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step of every PDF at INFO
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "hongling.request": {"level": "INFO" if env_bool("HONGLING_REQUEST_LOG", True) else "WARNING"},
        # the request line says it already (status 4xx/5xx); Django's own "Not Found: /x" lines repeat it
        "django.request": {"level": "ERROR"},
    },
}
