"""Settings shared by every environment. Every value that differs between machines comes from the
environment (django-environ); local, test and production only change defaults and strictness."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --- Core -------------------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_tables2",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served as our own static files (no CDN: strict CSP)
    "crm",
    "boards",
    "campaigns",
    "boards.reporting",
    "crm.api",
    "crm.outbox",  # task calls kept while the broker is unreachable (crm.queueing)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Personal data: every view needs a login unless it is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crm.middleware.SessionTimeoutMiddleware",
    "crm.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
FORM_RENDERER = "crm.forms_renderer.GovukFormRenderer"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.context_processors.navigation",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the zero-install default for `make run`: WAL and a busy timeout let the web
    # process, the worker and beat share one file without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "crm.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
# ModelBackend, but the user comes with their roles and permissions in one query (crm/auth_backends.py).
AUTHENTICATION_BACKENDS = ["crm.auth_backends.RoleBackend"]
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sessions and sign-in ------------------------------------------------------------------------
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=60 * 60 * 12)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
# Sessions read from Redis, saved to the database too (crm/sessions.py): no session query on a page. Only with
# Redis: a per-process cache would let one process keep a session another has signed out.
SESSION_ENGINE = "crm.sessions" if env("REDIS_URL", default="") else "django.contrib.sessions.backends.db"
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=50)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=15 * 60)
USE_X_FORWARDED_FOR = env.bool("USE_X_FORWARDED_FOR", default=False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Cache (sign-in throttling, rate limits): Redis when there is one, so every process agrees -----
CACHES = {
    "default": (
        {
            "BACKEND": "crm.cache.ResilientRedisCache",
            "LOCATION": env("REDIS_URL"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if env("REDIS_URL", default="")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- UK English, UK dates, Europe/London --------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
# build/static is written by `npm run build` from the govuk-frontend package; it is never committed.
STATICFILES_DIRS = [BASE_DIR / "build" / "static", BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))

# --- Security headers (the CSP uses nonces, never 'unsafe-inline') ------------------------------
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Email (Django 6.1 mailers) -----------------------------------------------------------------
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def mailer_from_env(default_backend: str = SMTP_BACKEND) -> dict:
    """The default mailer from EMAIL_* variables; each backend takes only its own options."""
    backend = env("EMAIL_BACKEND", default=default_backend)
    options: dict = {}
    if backend == SMTP_BACKEND:
        options = {
            "host": env("EMAIL_HOST", default="127.0.0.1"),
            "port": env.int("EMAIL_PORT", default=25),
            "username": env("EMAIL_HOST_USER", default=""),
            "password": env("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env.bool("EMAIL_USE_TLS", default=False),
            "timeout": env.int("EMAIL_TIMEOUT", default=30),
        }
    elif backend == "django.core.mail.backends.filebased.EmailBackend":
        options = {"file_path": env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))}
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": mailer_from_env()}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Common Ground <noreply@common-ground.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Without Redis, kombu's filesystem transport gives a real worker and beat with no server at all.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Broadcast (control) messages too, or kombu writes them to ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A send batch may outlive the default hour; a redelivered task is harmless (the ledger
        # makes every task idempotent) but wasteful, so give long tasks room.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # Publishing must fail fast while Redis is down, so a page can say "this will run later"
        # (crm.queueing) instead of hanging: kombu otherwise retries the connection without end.
        "socket_connect_timeout": 2,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.5,
        "interval_max": 0.5,
    }
# Also for a publish that finds the connection gone: one quick retry, then crm.queueing keeps the call.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# Publishing subscribes to the result in Redis first; without these it retries 20 times a second apart.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
}
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or f"file://{VAR_DIR / 'celery-results'}")
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 25
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE: dict = {
    # Finds users whose digest time (Europe/London) has passed today and queues one digest each; the
    # digest ledger makes a second run, or a second beat, harmless.
    "reminder-digests": {"task": "boards.reporting.tasks.dispatch_digests", "schedule": crontab(minute="*/15")},
    # Re-queue deliveries stuck after a worker died and begin scheduled sends that are due (docs/SENDING.md).
    "campaigns-reconcile-sends": {"task": "campaigns.tasks.reconcile_sends", "schedule": 60.0},
    # Publish the tasks that pages and workers queued while the broker was unreachable (crm.outbox).
    "outbox-flush": {"task": "crm.outbox.tasks.flush_outbox", "schedule": 60.0},
    # Monday morning: build last week's report (the task does nothing if that week is already built).
    "weekly-report": {
        "task": "boards.reporting.tasks.build_scheduled_weekly_report",
        "schedule": crontab(
            minute=env.int("WEEKLY_REPORT_MINUTE", default=0),
            hour=env.int("WEEKLY_REPORT_HOUR", default=6),
            day_of_week=env("WEEKLY_REPORT_DAY_OF_WEEK", default="mon"),
        ),
    },
}
# The digest time for users who have not chosen one (HH:MM, Europe/London).
REMINDER_DEFAULT_DIGEST_TIME = env("REMINDER_DEFAULT_DIGEST_TIME", default="07:30")
# A digest claimed by a worker that then died is sent again after this many minutes.
REMINDER_STALE_CLAIM_MINUTES = env.int("REMINDER_STALE_CLAIM_MINUTES", default=30)
# At most this many items per section of a digest, so a long-neglected list stays readable.
REMINDER_MAX_ITEMS_PER_SECTION = env.int("REMINDER_MAX_ITEMS_PER_SECTION", default=50)
# Email the weekly report to subscribers as soon as the scheduled build finishes.
WEEKLY_REPORT_EMAIL = env.bool("WEEKLY_REPORT_EMAIL", default=True)

# Campaign sending (docs/SENDING.md): default and highest messages per second, deliveries per batch
# (one SMTP connection each), attempts for a temporary (4xx) failure, first retry delay in seconds, and
# how long a claimed delivery may stay "sending" before the reconciler treats its worker as dead.
CAMPAIGN_SEND_RATE = env.int("CAMPAIGN_SEND_RATE", default=10)
CAMPAIGN_SEND_RATE_MAX = env.int("CAMPAIGN_SEND_RATE_MAX", default=100)
CAMPAIGN_BATCH_SIZE = env.int("CAMPAIGN_BATCH_SIZE", default=200)
CAMPAIGN_MAX_ATTEMPTS = env.int("CAMPAIGN_MAX_ATTEMPTS", default=5)
CAMPAIGN_RETRY_BACKOFF = env.int("CAMPAIGN_RETRY_BACKOFF", default=60)
CAMPAIGN_CLAIM_TIMEOUT = env.int("CAMPAIGN_CLAIM_TIMEOUT", default=600)
# Seconds a sending send may go without any claim before the reconciler queues it again.
CAMPAIGN_STALL_AFTER = env.int("CAMPAIGN_STALL_AFTER", default=60)

# Imports: largest upload, most rows, and the size above which an import runs on a worker.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
IMPORT_INLINE_MAX_ROWS = env.int("IMPORT_INLINE_MAX_ROWS", default=500)

# --- Tables -----------------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "django_tables2/govuk.html"
DJANGO_TABLES2_PAGE_RANGE = 8

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}


def ensure_local_dirs() -> None:
    """Create the var/ folders that the embedded broker, file result backend and file mailer use.
    Only local and test settings call this; production keeps its state in PostgreSQL and Redis."""
    for sub in ("broker/queue", "broker/processed", "celery-results", "mail", "media", "staticfiles"):
        (VAR_DIR / sub).mkdir(parents=True, exist_ok=True)


# --- Integration API (crm.api): /api/v1/, schema at /api/schema/, docs at /api/docs/ --------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crm.api.authentication.ApiTokenAuthentication",
        # The browser (docs' "Try it out", the browsable API) uses the session, with CSRF checked.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["crm.api.permissions.RolePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["crm.api.throttling.ApiTokenRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "crm.api.pagination.ApiCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "crm.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "crm.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per token (or per signed-in user, or per address for strangers).
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="1200/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Common Ground API",
    "DESCRIPTION": (
        "Keep contacts in sync, log engagements from other systems, and pull campaign and weekly figures. "
        "Authenticate with a personal API token (Authorization: Bearer <token>) made on your account page. "
        "A token can do what its owner's role allows. Lists use cursor pagination: follow `next`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": False, "displayOperationId": False},
    # Several models have a "kind" or a "status"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "AreaKindEnum": "crm.models.LocalArea.Kind",
        "OrganisationKindEnum": "crm.models.Organisation.Kind",
        "BoardKindEnum": "boards.models.Board.Kind",
        "EngagementKindEnum": "boards.models.Engagement.Kind",
        "ResponseKindEnum": "campaigns.models.ResponseKind",
        "StageEnum": "boards.models.Stage",
        "MeetingStatusEnum": "boards.models.Meeting.Status",
        "FollowUpStatusEnum": "boards.models.Commitment.Status",
        "CampaignStatusEnum": "campaigns.models.Campaign.Status",
        "SendStatusEnum": "campaigns.models.Send.Status",
        "DeliveryStatusEnum": "campaigns.models.Delivery.Status",
    },
}
