"""Settings of the Santa Anita Public Spaces Platform, read from the environment only.

With nothing set the platform runs embedded: SQLite in ``data/``, a local-memory cache,
Celery tasks run eagerly and email is written to ``data/outbox/``. ``DATABASE_URL`` and
``REDIS_URL`` switch to PostgreSQL and Redis; ``DJANGO_ENV=production`` turns on the
production profile, which refuses to start without its required variables.
"""

from __future__ import annotations

import os
import re
import warnings
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from santaanita.env import (
    env_bool,
    env_int,
    env_list,
    env_required,
    env_str,
    local_secret_key,
    media_storage_config,
)

# Before any app module loads: their admins and forms subscript Django classes
# (``admin.ModelAdmin[Team]``) for mypy, which Django's own classes do not allow at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR") or BASE_DIR / "data")

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise environ.ImproperlyConfigured("DJANGO_ENV must be development or production.")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise environ.ImproperlyConfigured("ALLOWED_HOSTS is required in production.")
    DEBUG = False
else:
    SECRET_KEY = env_str("SECRET_KEY") or local_secret_key(DATA_DIR)
    # `HOST=0.0.0.0 make run` is how a desk laptop shares the platform on the office network;
    # the other machines reach it by an address this one cannot know in advance.
    _listen = env_str("HOST", "127.0.0.1")
    ALLOWED_HOSTS = env_list(
        "ALLOWED_HOSTS",
        ["*"]
        if _listen in ("0.0.0.0", "::")  # noqa: S104 - matching, not binding
        else sorted({"127.0.0.1", "localhost", "[::1]", "testserver", _listen}),
    )
    # Off unless asked for (`DEBUG=1 make run`): the debug page shows settings, paths and
    # code to whoever triggers an error, and `make run` may be serving the office network.
    DEBUG = env_bool("DEBUG", False)

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Proxies in front of the platform (load balancer, nginx); client IPs for rate limits and
# the admin lockout are read behind exactly this many of them, never from a spoofable header.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    # SimpleAdminConfig: django-leaflet's admin module imports GeoDjango, which needs
    # system GDAL; santaanita.urls discovers every other app's admin module itself.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "santaanita.staticfiles.PlatformStaticFilesConfig",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "axes",
    "csp",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "platform_app",
    "mapping",
    "festival",
    "interventions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "santaanita.language.SpanishFirstLocaleMiddleware",
    # Answers anonymous visitors from a kept public page before URL resolution, auth and
    # the rest of the stack (santaanita/page_cache.py); needs the language chosen above.
    "santaanita.page_cache.KeptPageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes requires: it turns a lockout raised by authenticate() into a page.
    "axes.middleware.AxesMiddleware",
]

# Static files are served by the app servers themselves: in production the collected,
# compressed, cache-busted names; in the embedded mode straight from the apps' folders (no
# collectstatic step), re-read on every request only while debugging.
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
# Signed-in pages are gzipped by the app in every mode, with Django's random padding against
# BREACH; the anonymous ones too where nothing in front of the app compresses (the embedded
# mode). In production nginx compresses the anonymous ones (deploy/nginx), so the app
# servers spend no CPU on the busiest pages. Outermost but for the security headers, so it
# sees the final body; see the module.
COMPRESS_RESPONSES = env_bool("COMPRESS_RESPONSES", not PRODUCTION)
MIDDLEWARE.insert(1, "santaanita.compression.CompressionMiddleware")
# How long a worker trusts the page-family versions it read before asking the cache again:
# the staleness bound of the kept public pages (santaanita/page_cache.py).
PAGE_CACHE_VERSION_SECONDS = env_int("PAGE_CACHE_VERSION_MS", 250) / 1000
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
# collectstatic stores a gzip and a Brotli copy of each file; the vendored scripts' source maps
# (16 MB of the 32 collected) are opened only by a developer's browser tools, so they stay
# uncompressed and collectstatic takes half the time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

ROOT_URLCONF = "santaanita.urls"
WSGI_APPLICATION = "santaanita.wsgi.application"
ASGI_APPLICATION = "santaanita.asgi.application"

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
                "platform_app.navigation.navigation",
            ],
            "libraries": {"once": "santaanita.once"},
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two writers
                # queue behind the busy timeout instead of failing mid-transaction with
                # "database is locked" when one upgrades its read lock.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Tests use a file too, not the shared-cache in-memory database, whose table
            # locks fail at once instead of waiting: concurrency tests' threads then queue
            # on the busy timeout as in production. One file per test process.
            "TEST": {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")},
            # Opening a connection runs the PRAGMAs above (~2 ms, more than a whole cached
            # map request); keep it open across requests as with PostgreSQL.
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 60),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, Celery -----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis that does not answer is a cache miss, not a 500: see the module.
            "BACKEND": "santaanita.redis_cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "santaanita",
            # Bounded, so a Redis host that drops packets fails a request's cache call in
            # seconds rather than hanging it until the proxy's timeout.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in the database only. A cached copy (cached_db) would survive a write the
# cache missed while Redis was down: a sign-out during an outage would come back signed in,
# from the stale copy, once Redis answered again. One primary-key read per signed-in
# request is the price, and signing in needs no Redis at all.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The in-memory transport ignores the host; naming one spares kombu's warning about it.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# Without a broker the embedded mode runs every task in the calling process.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# acks_late + reject_on_worker_lost re-deliver a task whose worker died; this is safe only
# because every delivery is claimed under a unique key before it is sent (see
# platform_app.models.Delivery), so a re-delivered task never sends twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
# Publishing happens inside web requests (after the commit of what they saved): with the
# broker down it must give up within about a second and let santaanita.queueing log it,
# leaving the delivery pending for the next scan, instead of holding the request.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "America/Lima"
CELERY_BEAT_SCHEDULE = {
    "scan-due-deliveries": {
        "task": "platform_app.tasks.scan_due_deliveries",
        "schedule": 60.0,
    },
}
# Functions (dotted paths, keyword argument ``now``) that schedule the reminders due by
# then; platform_app.services.ledger.reminders_scan calls each before sending what is due.
REMINDER_SCANS: list[str] = [
    "platform_app.services.meetings.platform_schedule_due",
    "interventions.services.guides.maintenance_schedule_due",
    # Imports of organizations: failed ones reported, queued ones run in the embedded mode.
    "platform_app.services.registry_imports.registry_imports_scan",
    "mapping.reports_services.reports_schedule_followups",
]
# --- Problem reports (mapping) ---
# Days after "fixed" when the reporter is asked whether it really was.
REPORT_FOLLOWUP_DAYS = env_int("REPORT_FOLLOWUP_DAYS", 3)
# Reports and "me too"s per client address, per device and per contact (allauth's rate-limit
# syntax and shared-cache counters; addresses behind TRUSTED_PROXY_COUNT proxies).
REPORT_RATE_LIMITS = {
    "report_ip": env_str("REPORT_RATE_LIMIT_IP", "20/1h/ip"),
    "report_device": env_str("REPORT_RATE_LIMIT_DEVICE", "6/1h/key"),
    "report_contact": env_str("REPORT_RATE_LIMIT_CONTACT", "10/1d/key"),
}
# Functions (dotted paths, keyword argument ``district``) listing the places a face-to-face
# meeting can be held at; see platform_app.places.
MEETING_PLACE_SOURCES: list[str] = ["mapping.places.public_spaces"]
# Where an organization's turf (the spaces it uses or cares for) is kept; "" hides the field.
ORGANIZATION_TURF = "mapping.places.caretaking"
# Functions (dotted paths, keyword argument ``space``) returning HTML shown on a public
# space's page beside its condition score, from apps mapping may not import.
SPACE_PAGE_PANELS: list[str] = ["interventions.perception.panels.space_cohesion"]
# Meeting files and agreement evidence: largest upload accepted.
PLATFORM_FILE_MAX_BYTES = env_int("PLATFORM_FILE_MAX_BYTES", 10_000_000)
# Absolute address of the site for links in emails sent by scans (no request at hand).
# Defaults: the first allowed host over HTTPS in production, else where `make run` listens.
SITE_URL = (
    env_str("SITE_URL")
    or (
        f"https://{ALLOWED_HOSTS[0]}"
        if PRODUCTION
        else f"http://{env_str('HOST', '127.0.0.1')}:{env_str('PORT', '8000')}"
    )
).rstrip("/")
# How long a claimed delivery may stay "sending" before the scan assumes its worker died.
DELIVERY_LEASE_SECONDS = env_int("DELIVERY_LEASE_SECONDS", 600)

# --- Retention of personal data (Law 29733) ---------------------------------------------
# Days the delivery ledger keeps the texts of the messages it sent (and the embedded mode
# its copies in data/outbox/); a daily job blanks older ones. See docs/operations.md.
DELIVERY_BODY_RETENTION_DAYS = env_int("DELIVERY_BODY_RETENTION_DAYS", 90)
CELERY_BEAT_SCHEDULE["purge-delivery-texts"] = {
    "task": "platform_app.tasks.purge_delivery_texts",
    "schedule": 24 * 60 * 60.0,
}

# --- Email -----------------------------------------------------------------------------
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH") or DATA_DIR / "outbox")
EMAIL_URL = env_str("EMAIL_URL") or ("smtp://localhost:25" if PRODUCTION else None)
if EMAIL_URL:
    email_config = environ.Env.email_url_config(EMAIL_URL)
    # django-environ sets EMAIL_FILE_PATH to the URL's path, empty for smtp:// and the
    # others: the outbox (where text messages are written without SMS_URL or WHATSAPP_URL)
    # would become the server's working directory, the application's code.
    if not email_config.get("EMAIL_FILE_PATH"):
        email_config.pop("EMAIL_FILE_PATH", None)
    globals().update(email_config)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Plataforma Santa Anita <no-reply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Text messages (SMS, WhatsApp) -------------------------------------------------------
# See santaanita/gateways.py and docs/messaging.md. The default writes readable files under
# the email outbox; an https:// Twilio URL sends for real.
SMS_URL = env_str("SMS_URL", "file://")
WHATSAPP_URL = env_str("WHATSAPP_URL", "file://")
# Approved WhatsApp templates by name: "meeting_reminder=HX...,registration=HX...".
WHATSAPP_TEMPLATES = dict(
    item.split("=", 1) for item in env_list("WHATSAPP_TEMPLATES", []) if "=" in item
)
# Estimated price of one SMS segment and of one WhatsApp message, in soles, for the monthly
# count on the coordinators' page (the provider's invoice is the real figure).
SMS_COST_PER_SEGMENT = env_str("SMS_COST_PER_SEGMENT", "0.20")
WHATSAPP_COST_PER_MESSAGE = env_str("WHATSAPP_COST_PER_MESSAGE", "0.15")
# Notifications per number per rolling day (codes excluded, limited on their own): beyond
# it a message waits, so a fault or an abuse cannot flood one phone nor the bill.
MESSAGES_PER_NUMBER_PER_DAY = env_int("MESSAGES_PER_NUMBER_PER_DAY", 10)
# The provider's delivery receipts; their signature covers this exact URL.
MESSAGING_CALLBACK_URL = env_str("MESSAGING_CALLBACK_URL", f"{SITE_URL}/messaging/twilio/status/")

# --- Accounts --------------------------------------------------------------------------
AUTH_USER_MODEL = "platform_app.User"
AUTHENTICATION_BACKENDS = [
    # First, so that every authenticate() call (admin, allauth, API) counts toward the lockout.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
# One-time codes go by SMS only to mobiles of these regions (ISO codes): SMS pumping fraud
# sends codes to foreign and premium numbers at the platform's expense.
PHONE_CODE_REGIONS = env_list("PHONE_CODE_REGIONS", ["PE"])
# Limits on the codes sent by SMS (platform_app/codes/services.py, docs/registry.md).
PHONE_CODES_PER_NUMBER_HOUR = env_int("PHONE_CODES_PER_NUMBER_HOUR", 5)
PHONE_CODES_PER_NUMBER_DAY = env_int("PHONE_CODES_PER_NUMBER_DAY", 10)
PHONE_CODES_PER_IP_HOUR = env_int("PHONE_CODES_PER_IP_HOUR", 20)
PHONE_CODES_PER_DAY = env_int("PHONE_CODES_PER_DAY", 2000)
PHONE_CODE_MINUTES = env_int("PHONE_CODE_MINUTES", 10)
PHONE_CODE_ATTEMPTS = env_int("PHONE_CODE_ATTEMPTS", 5)
# Residents and representatives may have a mobile and no email: they sign up and sign in
# with the mobile and a code sent by SMS (platform_app/accounts.py); email and password work
# as before. Each person gives at least one of the two (accounts.SignupForm).
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["phone", "email", "password1", "password2"]
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = PHONE_CODE_MINUTES * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = PHONE_CODE_ATTEMPTS
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = PHONE_CODE_MINUTES * 60
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = PHONE_CODE_ATTEMPTS
# Digits only: typed on a phone's number pad, read aloud at the desk.
ACCOUNT_LOGIN_BY_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_FORMS = {
    "login": "platform_app.accounts.LoginForm",
    "signup": "platform_app.accounts.SignupForm",
}
# The email is unique only when present (a conditional constraint on User), which Django's
# check cannot see; allauth's backend looks accounts up by email or phone, never by a bare
# username, so a missing email is never ambiguous.
# allauth warns when no login method is required at sign-up: SignupForm requires one of
# the two instead.
SILENCED_SYSTEM_CHECKS = ["auth.W004", "account.W001"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Mandatory for every account that has an email (platform_app.accounts.EmailVerificationStage):
# allauth's "mandatory" would require an email of the people who have only a mobile.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Santa Anita] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "platform_app.accounts.AccountAdapter"
# allauth's rate limits are on by default and count in the shared cache.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# django-axes: five wrong passwords for the same account from the same address lock that
# pair for 15 minutes. Locking on the pair (not the account alone) means a stranger cannot
# lock a clerk out of the desk, and the cool-off means no lock is permanent.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "platform_app.accounts.axes_username"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "es-pe"
LANGUAGES = [("es-pe", _("Spanish (Peru)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["santaanita.formats"]
TIME_ZONE = "America/Lima"
USE_I18N = True
USE_TZ = True
# Off: with it on, every integer a template prints is grouped, ids included, so the id 1017
# became "1,017" in element ids, form values and data attributes. Amounts and measures that
# people read are grouped explicitly (the money filter, floatformat's "g").
USE_THOUSAND_SEPARATOR = False

# --- Static and media ------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
if not PRODUCTION:
    # Nothing is collected in the embedded mode; WhiteNoise would say so on every start.
    warnings.filterwarnings("ignore", message=f"No directory at: {re.escape(str(STATIC_ROOT))}")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
# --- Stored files (santaanita/files.py) -----------------------------------------------
# One default storage holding two prefixes: public/ (served as it is: nginx's /media/public/
# in production, the app's own view in the embedded mode) and private/ (only through views
# that check permission). MEDIA_STORAGE_URL=s3://bucket?endpoint_url=…&region=… or the usual
# AWS_* variables put both on an S3-compatible store shared by every machine.
MEDIA_STORAGE_URL = env_str("MEDIA_STORAGE_URL")
MEDIA_X_ACCEL_REDIRECT = env_bool("MEDIA_X_ACCEL_REDIRECT", False)
# How long a presigned URL to a private file on the object store stays valid.
MEDIA_PRESIGNED_SECONDS = env_int("MEDIA_PRESIGNED_SECONDS", 300)
DEFAULT_FILE_STORAGE_CONFIG = media_storage_config(
    MEDIA_STORAGE_URL,
    bucket=env_str("AWS_STORAGE_BUCKET_NAME"),
    endpoint_url=env_str("AWS_S3_ENDPOINT_URL"),
    region=env_str("AWS_S3_REGION_NAME"),
    access_key=env_str("AWS_ACCESS_KEY_ID"),
    secret_key=env_str("AWS_SECRET_ACCESS_KEY"),
)
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_CONFIG,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Backups (manage.py backup, see docs/backups.md): where the archives go, and how many of
# the newest to keep (0 keeps them all).
BACKUP_DIR = Path(env_str("BACKUP_DIR") or DATA_DIR / "backups")
BACKUP_KEEP = env_int("BACKUP_KEEP", 0)
# Uploads are checked and images re-encoded by santaanita.files; these bound the request.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 8 * 1024 * 1024)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
# Stored photos are resized to this many pixels on their long side (a 12 MP phone photo
# becomes about 0.5 MB); the surveyors' phones already send them at this size.
IMAGE_MAX_SIDE = env_int("IMAGE_MAX_SIDE", 2048)

# --- Security --------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

MAP_TILES_URL = env_str("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ORIGIN = "https://" + MAP_TILES_URL.split("/")[2]
# No inline script anywhere: every script is a static file; htmx reads its CSRF token from
# hx-headers and its config from a <meta>, and Leaflet maps boot from data attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", MAP_TILES_ORIGIN],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Map -------------------------------------------------------------------------------
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (-12.043, -76.965),
    "DEFAULT_ZOOM": 13,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 19,
    "RESET_VIEW": False,
    "NO_GLOBALS": True,
    "TILES": [
        (
            "OpenStreetMap",
            MAP_TILES_URL,
            {"attribution": "&copy; OpenStreetMap contributors", "maxZoom": 19},
        )
    ],
    "ATTRIBUTION_PREFIX": "Leaflet | Límites: INEI 2023 (CC BY 4.0)",
}
DEFAULT_DISTRICT_UBIGEO = env_str("DEFAULT_DISTRICT_UBIGEO", "150137")

# --- API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an API client without credentials is told 401 with the scheme to use
    # (WWW-Authenticate: Token); the pages' own scripts still authenticate by session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # Every list is paginated, ?page_size= up to santaanita.pagination.MAX_PAGE_SIZE.
    "DEFAULT_PAGINATION_CLASS": "santaanita.pagination.ContractPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "santaanita.api_contract.exception_handler",
    "DEFAULT_FILTER_BACKENDS": [
        "santaanita.filtering.ContractFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "santaanita.api_contract.ContractAutoSchema",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Santa Anita Public Spaces Platform API",
    "DESCRIPTION": "Districts, sectors and the platform's resources. Public endpoints never "
    "expose personal data.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # The map's data is a plain Django view; its operation is written in by its app.
        "mapping.api.document_space_map",
    ],
    "ENUM_NAME_OVERRIDES": {
        # collaborative platform: several models have a "status"
        "AgreementStatusEnum": "platform_app.models.meetings.Agreement.Status",
        "MeetingStatusEnum": "platform_app.models.meetings.Meeting.Status",
        "MemberStatusEnum": "platform_app.models.meetings.Member.Status",
        "MeetingKindEnum": "platform_app.models.meetings.Meeting.Kind",
        "SurveyStatusEnum": "mapping.models.Survey.Status",
        # A vote and a public poll are both open or closed: one enum serves the two.
        "OpenClosedStatusEnum": "platform_app.decisions.models.Vote.Status",
        "VoteKindEnum": "platform_app.decisions.models.Vote.Kind",
    },
}

# --- Logging ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # A worker logs each task it runs; in the embedded mode (tasks run eagerly inside
        # the web server and the reminder loop) those lines would bury everything else.
        "celery.app.trace": {"level": "INFO" if REDIS_URL else "WARNING"},
    },
}
