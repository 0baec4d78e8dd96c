"""Commissioner settings, read from the environment (12-factor).

With nothing set the app runs embedded: SQLite under var/, Celery on a filesystem broker, local
memory cache, debug on. Production sets DJANGO_DEBUG=0 and must then provide a secret key and
allowed hosts; DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COMMISSIONER_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def env_json_map(name: str) -> dict[str, str]:
    """A JSON object of strings ({"kirkby-moor": "..."}); refused at start if it is anything else."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        # The value is a secret: never repeat it in the message.
        raise ImproperlyConfigured(f"{name} must be a JSON object of strings, by council slug")
    return value


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-development-only-key-never-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
else:
    # A production process that starts with a guessable key or an open Host header is worse
    # than one that does not start at all.
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters when DJANGO_DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "councils.apps.CommissionerAdminConfig",  # django.contrib.admin on the project's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_fsm",
    "crispy_forms",
    "crispy_forms_gds",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_celery_beat",
    "councils",
    "commissioning",
    "providers",
    "monitoring",
    # Demo data and the scale-data generator: management commands only, no models.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before anything reads the person's pages (including the page cache, which runs in the views):
    # a timed-out session ends here, a changed role rotates the session key, then two-factor sign-in.
    "councils.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "councils.middleware.TwoFactorMiddleware",
    "councils.middleware.PrivatePagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "councils.middleware.CurrentCouncilMiddleware",
    # Runs before any view hook reads the body (CSRF's does): an oversized request is refused unread.
    "councils.middleware.RequestSizeLimitMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "councils.context_processors.council_branding",
                "councils.context_processors.notifications",
            ],
            "builtins": [
                "councils.templatetags.commissioner",
                "commissioning.templatetags.commissioning",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'commissioner.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; a worker and the web process share the file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

# Streaming read replicas (councils/replicas.py; README, "Running at scale"): comma-separated URLs,
# as DATABASE_URL. Only the pages declared in councils.replicas.READ_ONLY_PAGES read from them.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS")
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = dj_database_url.parse(
        _url,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        # A replica that does not answer soon is marked down and the primary answers instead.
        _replica.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", int(os.environ.get("DATABASE_REPLICA_CONNECT_TIMEOUT", "2"))
        )
    # Tests never create a replica: it is the test database under another name.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["councils.replicas.ReplicaRouter"]
    # Before the middleware that looks up the council, so a read-only page reads it from a replica too.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("councils.middleware.SessionTimeoutMiddleware"), "councils.replicas.ReplicaMiddleware"
    )
# How long after a person's change their browser reads only from the primary (a replica-served page
# is also kept in the page cache no longer than this), and how long an unreachable replica is left alone.
COMMISSIONER_REPLICA_PIN_SECONDS = int(os.environ.get("COMMISSIONER_REPLICA_PIN_SECONDS", "10"))
COMMISSIONER_REPLICA_RETRY_SECONDS = int(os.environ.get("COMMISSIONER_REPLICA_RETRY_SECONDS", "30"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "councils.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, reading the signed-in person with a kept statement.
    "councils.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Sessions end after a time without a request (idle) and, however busy, a time after signing in
# (absolute); shorter for council staff (councils.sessions). The cookie lasts as long as the longest.
SESSION_STAFF_IDLE_SECONDS = int(os.environ.get("COMMISSIONER_STAFF_IDLE_MINUTES", "30")) * 60
SESSION_STAFF_ABSOLUTE_SECONDS = int(os.environ.get("COMMISSIONER_STAFF_ABSOLUTE_HOURS", "12")) * 60 * 60
SESSION_IDLE_SECONDS = int(os.environ.get("COMMISSIONER_IDLE_MINUTES", "120")) * 60
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("COMMISSIONER_ABSOLUTE_HOURS", "24")) * 60 * 60
SESSION_COOKIE_AGE = max(SESSION_STAFF_ABSOLUTE_SECONDS, SESSION_ABSOLUTE_SECONDS)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
# Two separate locks: on the account (however its email is spelt, from anywhere) and on the address
# (whichever accounts it tries).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "councils.sessions.axes_username"
AXES_CLIENT_IP_CALLABLE = "councils.sessions.client_address"
# Behind the TLS proxy, the visitor's address is the last in X-Forwarded-For, which the proxy appends
# to (nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`); otherwise every
# visitor would share the proxy's address, and one lock.
COMMISSIONER_TRUST_X_FORWARDED_FOR = not DEBUG and env_bool("DJANGO_BEHIND_TLS_PROXY", False)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("COMMISSIONER_MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files go through Django's storage API: local files under MEDIA_ROOT (the embedded
# default), or an S3-compatible bucket (django-storages) when COMMISSIONER_S3_BUCKET is set; keys come
# from the standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the machine's role), as boto3 reads them.
COMMISSIONER_S3_BUCKET = os.environ.get("COMMISSIONER_S3_BUCKET", "")
if COMMISSIONER_S3_BUCKET:
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": COMMISSIONER_S3_BUCKET,
            # MinIO, Ceph, or a cloud's S3-compatible endpoint; unset, Amazon S3.
            "endpoint_url": os.environ.get("COMMISSIONER_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("COMMISSIONER_S3_REGION") or None,
            "location": os.environ.get("COMMISSIONER_S3_PREFIX", ""),
            # Tender documents and evidence are private: no public-read objects, and every download
            # goes through the app's permission check (the views stream the file), never a bucket URL.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    # Every uploaded document (councils.uploads.PrivateFileField) is private: under its own prefix.
    _PRIVATE_STORAGE = {
        "BACKEND": "councils.s3_storage.PrivateS3Storage",
        "OPTIONS": {
            **_DEFAULT_STORAGE["OPTIONS"],
            "location": "/".join(p for p in (os.environ.get("COMMISSIONER_S3_PREFIX", ""), "private") if p),
        },
    }
else:
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    # MEDIA_ROOT/private, never given a URL.
    _PRIVATE_STORAGE = {"BACKEND": "councils.uploads.PrivateStorage"}
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "private": _PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# councils.widgets.LeanSelect is a <select> like any other to the GOV.UK template pack.
CRISPY_CLASS_CONVERTERS = {"leanselect": "govuk-select"}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "commissioner@localhost")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Django's Redis backend, with one client per connection pool (councils/cache.py).
    CACHES = {"default": {"BACKEND": "councils.cache.Cache", "LOCATION": REDIS_URL}}
    # Sessions are read on every request: from Redis, with the database behind it.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Files, not memory: the embedded set-up runs the web server and a Celery worker as separate
    # processes, and a reminder the worker sends must change the generations the web pages read.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport under var/celery so
# that `celery worker -B` still runs scheduled work with no server installed.
CELERY_QUEUE_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = f"file://{CELERY_QUEUE_DIR / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Strict policy: no inline script or style anywhere; GOV.UK Frontend is served from our origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

COMMISSIONER_SERVICE_NAME = "Commissioner"
# The site-wide accessibility statement and privacy notice (pages outside any council): who runs the
# service, where to write, and when the statement was prepared and last reviewed (ISO dates).
COMMISSIONER_OPERATOR_NAME = os.environ.get("COMMISSIONER_OPERATOR_NAME", "the council that runs this service")
COMMISSIONER_CONTACT_EMAIL = os.environ.get("COMMISSIONER_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)
COMMISSIONER_LEGAL_PREPARED_ON = os.environ.get("COMMISSIONER_LEGAL_PREPARED_ON", "2026-12-06")
COMMISSIONER_LEGAL_REVIEWED_ON = os.environ.get("COMMISSIONER_LEGAL_REVIEWED_ON", "2026-12-06")

# Uploads (councils/uploads.py; README, "Uploads and virus scanning"). A file over the limit is
# refused as it arrives: nothing past the limit is written to disk, and a request body larger than
# COMMISSIONER_MAX_REQUEST_MB is refused before it is read.
COMMISSIONER_MAX_UPLOAD_MB = int(os.environ.get("COMMISSIONER_MAX_UPLOAD_MB", "20"))
COMMISSIONER_MAX_REQUEST_MB = int(os.environ.get("COMMISSIONER_MAX_REQUEST_MB", str(COMMISSIONER_MAX_UPLOAD_MB + 10)))
FILE_UPLOAD_HANDLERS = [
    "councils.upload_handlers.NotingMemoryFileUploadHandler",
    "councils.upload_handlers.CappedTemporaryFileUploadHandler",
]
# Uploads wait here (not in storage) while they are checked; the system's temporary directory by default.
FILE_UPLOAD_TEMP_DIR = os.environ.get("COMMISSIONER_UPLOAD_TEMP_DIR") or None
# Every upload form has one file field.
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# Word, Excel and OpenDocument files are zip archives: limits on what they may unpack to.
COMMISSIONER_UPLOAD_MAX_UNPACKED_MB = int(os.environ.get("COMMISSIONER_UPLOAD_MAX_UNPACKED_MB", "100"))
COMMISSIONER_UPLOAD_MAX_RATIO = int(os.environ.get("COMMISSIONER_UPLOAD_MAX_RATIO", "100"))
COMMISSIONER_UPLOAD_MAX_ENTRIES = int(os.environ.get("COMMISSIONER_UPLOAD_MAX_ENTRIES", "10000"))
COMMISSIONER_UPLOAD_MAX_DEPTH = int(os.environ.get("COMMISSIONER_UPLOAD_MAX_DEPTH", "2"))
# ClamAV's clamd socket (a path, or tcp://host:port); unset, nothing is scanned. Set, an upload is
# stored only once clamd says it is clean, and refused ("try again later") if clamd does not answer.
COMMISSIONER_CLAMAV_SOCKET = os.environ.get("COMMISSIONER_CLAMAV_SOCKET", "")
COMMISSIONER_CLAMAV_TIMEOUT = float(os.environ.get("COMMISSIONER_CLAMAV_TIMEOUT", "30"))
# The name authenticator apps show next to the six-digit code.
OTP_TOTP_ISSUER = COMMISSIONER_SERVICE_NAME
# How long a rendered page may be served again to the same person while nothing it shows has
# changed (councils/page_cache.py); 0 turns page caching off.
COMMISSIONER_PAGE_CACHE_SECONDS = int(os.environ.get("COMMISSIONER_PAGE_CACHE_SECONDS", "120"))
# Kept statements (councils/compiled.py) are prepared on PostgreSQL's side, once per connection;
# off behind a pooler that hands each transaction a different server connection (PgBouncer's).
COMMISSIONER_PREPARED_STATEMENTS = env_bool("COMMISSIONER_PREPARED_STATEMENTS", True)
# Lists longer than this are exported by a background task rather than while the person waits.
EXPORT_SYNC_LIMIT = int(os.environ.get("COMMISSIONER_EXPORT_SYNC_LIMIT", "2000"))
# The nightly retention run (councils/retention.py) anonymises and empties records for real only
# when this is on; off, the scheduled task does nothing (`manage.py apply_retention` still works).
COMMISSIONER_RETENTION_ENABLED = env_bool("COMMISSIONER_RETENTION_ENABLED", False)

# Open data identifiers (see README, "Open data and transparency"). Register real prefixes before
# publishing: the OCDS prefix with the Open Contracting Partnership, the 360Giving prefix with 360Giving.
OCDS_PREFIX = os.environ.get("COMMISSIONER_OCDS_PREFIX", "ocds-commissioner")
THREESIXTYGIVING_PREFIX = os.environ.get("COMMISSIONER_360GIVING_PREFIX", "360G-commissioner")
# Each council's org-id.guide identifier, by council slug: "kirkby-moor=GB-LAE-KIR,wyvern=GB-LAE-WYV".
COUNCIL_ORG_IDS = dict(item.split("=", 1) for item in env_list("COMMISSIONER_COUNCIL_ORG_IDS") if "=" in item)

# Sending notices to Find a Tender through the Central Digital Platform's eSender API
# (monitoring/notices/sender.py). Each council's CDP API key, by council slug, as a JSON object:
# {"kirkby-moor": "..."}. Keys live only here (never in the database, never logged); a council without
# one publishes its notices on Find a Tender by hand and records the identifier.
COMMISSIONER_CDP_API_KEYS = env_json_map("COMMISSIONER_CDP_API_KEYS")
COMMISSIONER_CDP_BASE_URL = os.environ.get("COMMISSIONER_CDP_BASE_URL", "https://www.find-tender.service.gov.uk")
COMMISSIONER_CDP_TIMEOUT = float(os.environ.get("COMMISSIONER_CDP_TIMEOUT", "20"))
# What is sent: a dotted path to a function(notice) -> bytes. The default is unverified (see the module).
COMMISSIONER_CDP_PAYLOAD_BUILDER = os.environ.get(
    "COMMISSIONER_CDP_PAYLOAD_BUILDER", "monitoring.notices.sender.unverified_reception_xml"
)
