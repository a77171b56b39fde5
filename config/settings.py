"""The one settings module. Every value that differs between the embedded default,
the test run and production comes from the environment (docs/deployment.md, "Configuration")."""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless asked for: `make run` and the test session turn it on.
DEBUG = env.bool("DEBUG", default=False)
# The development key only works with DEBUG on; production must set SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key" if DEBUG else None)
# Rotating the key: the new one in SECRET_KEY, the old ones here (comma-separated) until the
# sessions and emailed links signed with them have expired (docs/security.md).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cms",
    "core",
    "marketplace.challenges",
    "marketplace.organisations",
    "marketplace.proposals",
    "marketplace.review",
    "marketplace.awards",
    "marketplace.finance",
    "marketplace.publicdata",
    "marketplace.workspace",
    "demo",
    "devtools",
    "search.apps.SearchConfig",
    "payments",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "csp",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: what it stores is the response as every other middleware left it.
    "core.page_cache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.csp.SitePolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.input_guard.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.views.DomainErrorMessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "marketplace.organisations.mfa.StaffMFAMiddleware",
    "core.request_context.ClientIPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.sites.KeptSiteMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.site_settings",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Embedded default: a SQLite file beside the code. Tests and production set DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a request reuses its worker's connection instead of opening one (a
# few ms per request on PostgreSQL); checked before reuse so a restarted database is survived.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Least privilege (docs/security.md): DATABASE_URL is the application's role, which owns nothing
# and may only SELECT/INSERT on the audit trail and the ledger; `manage.py migrate` connects as
# this owner role instead when it is set (same database), then grants the application's role
# what it may do (core/db_roles.py). Empty: migrate uses DATABASE_URL (development, tests).
DATABASE_OWNER_URL = env("DATABASE_OWNER_URL", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
# A page an editor made private for signed-in readers sends others to the site's own sign-in,
# not to Wagtail's plainer form of its own.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
LOGIN_REDIRECT_URL = "/workspace/"
LOGOUT_REDIRECT_URL = "/"

# Accounts (django-allauth): sign up with a name, an email address and a password, and verify the
# address before acting; sign in by email (or the username the account was given). People never
# choose a username, so sign-up cannot tell anyone which names exist. Its emails leave through
# core.messaging like every other.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "marketplace.organisations.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "marketplace.organisations.forms.SignUpDetailsForm"
ACCOUNT_FORMS = {"login": "marketplace.organisations.account_forms.LoginForm"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Pasar Tantangan Daerah] "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Sign-up and password reset answer the same whether or not an address has an account (the
# owner of an address already signed up is told by email instead).
ACCOUNT_PREVENT_ENUMERATION = True
# A second factor for staff (marketplace/organisations/mfa.py): an authenticator app (TOTP) with
# recovery codes. Required of officials, agency heads, finance officers, reviewers and superusers unless
# STAFF_MFA_REQUIRED is off, which only `make run`'s demo does (`check --deploy` warns).
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=True)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Pasar Tantangan Daerah"
# The admin signs in through the site's sign-in only: its /admin/login/ forwards there
# (config/admin_signin.py), and its own password reset is off.
WAGTAIL_PASSWORD_RESET_ENABLED = False

# Bahasa Indonesia first, English second (served under /en/).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
# Stored times are UTC; each region shows its own zone (WIB, WITA, WIT).
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Public uploads are served by the site unless a web server in front serves MEDIA_ROOT.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
# Documents only members and officials may read (organisation verification); outside
# MEDIA_ROOT so no web server serves them, read only through permission-checked views.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
# Proposal attachments: size limit per file, and the virus-scan hook called on each upload
# (a dotted path to ``fn(upload) -> (clean, reason)``; the default accepts everything).
PROPOSAL_ATTACHMENT_MAX_BYTES = env.int("PROPOSAL_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
PROPOSAL_ATTACHMENT_SCANNER = env(
    "PROPOSAL_ATTACHMENT_SCANNER", default="marketplace.proposals.attachments.accept_everything"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Cache: local memory by default, Redis when configured. While Redis is unreachable the cache
# answers from each process's memory (core/cache.py), so sign-in and its rate limits keep working.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The site's chrome ({% cache ... using="chrome" %} in base.html): markup made of addresses and
# words only, the same for every reader who is not signed in, kept in each process's memory until
# the process ends (a new release). Off under DEBUG, where templates change under the developer's
# hands.
CACHES["chrome"] = {
    "BACKEND": "django.core.cache.backends.dummy.DummyCache"
    if env.bool("CHROME_CACHE_OFF", default=DEBUG)
    else "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "chrome",
    "TIMEOUT": None,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

# Anonymous pages from the cache (core/page_cache.py), forgotten on any public write and after
# PAGE_CACHE_SECONDS at most. Off under DEBUG, where templates change under the developer's hands.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0 if DEBUG else 60)
# Parts of public pages kept until the next public write (``page_cache.remembered``).
DATA_CACHE_SECONDS = env.int("DATA_CACHE_SECONDS", default=0 if DEBUG else 300)
# Part of every stored page's key: set it per deployment (e.g. the commit) to start afresh.
PAGE_CACHE_RELEASE = env("PAGE_CACHE_RELEASE", default="")

# Celery: without a broker, tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Three queues, so that one kind of work never waits behind another: "webhooks" (the provider's
# news: a payment counted, a transfer confirmed) is never held up by "payouts" (gateway calls that
# send money, retried with backoff, each up to the client timeout), nor either of them by
# "default" (emails, search indexing, reports, digests). A worker started without -Q consumes
# all three (the embedded default, the test suite); production runs a worker dedicated to
# webhooks (docker-compose.yml, docs/deployment.md "Celery queues"). Every route must name one of
# these queues: a queue no worker listens on would keep its tasks for ever
# (tests/test_celery_queues.py).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue("default"), Queue("webhooks"), Queue("payouts")]
CELERY_TASK_ROUTES = {
    "payments.tasks.process_webhook_event": {"queue": "webhooks"},
    "payments.tasks.process_pending_webhook_events": {"queue": "webhooks"},
    "payments.tasks.send_disbursement": {"queue": "payouts"},
    "payments.tasks.resend_stuck_disbursements": {"queue": "payouts"},
    # Looks transfers up at Stripe one by one (lost webhooks): a gateway caller, kept off "webhooks".
    "payments.tasks.confirm_sent_disbursements": {"queue": "payouts"},
    "payments.tasks.resend_pending_refunds": {"queue": "payouts"},
}
# Task modules not found by autodiscovery (not named tasks.py).
CELERY_IMPORTS = ["payments.tasks_reports", "search.tasks_alerts"]
# Recovery sweeps: each is idempotent, so running them often is harmless.
CELERY_BEAT_SCHEDULE = {
    "resend-stuck-disbursements": {"task": "payments.tasks.resend_stuck_disbursements", "schedule": 300.0},
    "confirm-sent-disbursements": {"task": "payments.tasks.confirm_sent_disbursements", "schedule": 600.0},
    "process-pending-webhook-events": {
        "task": "payments.tasks.process_pending_webhook_events",
        "schedule": 60.0,
    },
    "reconcile-with-gateway": {"task": "payments.tasks_reports.reconcile_with_gateway", "schedule": 3600.0},
    "resend-pending-refunds": {"task": "payments.tasks.resend_pending_refunds", "schedule": 300.0},
    # Saved-search alerts: the sweep catches challenges whose alert task was lost; digests go out
    # once a day at 07:30 WIB.
    "sweep-saved-searches": {"task": "search.tasks_alerts.sweep_saved_searches", "schedule": 3600.0},
    "send-saved-search-digests": {
        "task": "search.tasks_alerts.send_daily_digests",
        "schedule": crontab(hour=0, minute=30),
    },
    # Notifications: the reminders (draft closing, review due, milestone due, pledge not
    # received; each sent once) at 07:00 WIB, then each user's daily digest at 08:00 WIB, after
    # the saved-search digest (07:30) so a saved-search alert set to "daily digest" joins it.
    "send-reminders": {
        "task": "marketplace.workspace.tasks.send_reminders",
        "schedule": crontab(hour=0, minute=0),
    },
    "send-notification-digests": {
        "task": "core.tasks.send_notification_digests",
        "schedule": crontab(hour=1, minute=0),
    },
    "search-consistency-check": {"task": "search.tasks.check_consistency", "schedule": 3600.0},
    # The audit and ledger chain heads, published daily on /transparency/ (00:05 WIB).
    "snapshot-chain-heads": {
        "task": "core.tasks.snapshot_chain_heads",
        "schedule": crontab(hour=17, minute=5),
    },
    # The OCDS bulk files (/api/v1/ocds/bulk/releases.json and records.json), daily at 00:30 WIB.
    "write-ocds-bulk": {
        "task": "marketplace.publicdata.tasks.write_ocds_bulk",
        "schedule": crontab(hour=17, minute=30),
    },
}

# Search: Elasticsearch when configured, otherwise the database answers.
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", default="")
SEARCH_INDEX_PREFIX = env("SEARCH_INDEX_PREFIX", default="marketplace")
SEARCH_LIVE_INDEXING = env.bool("SEARCH_LIVE_INDEXING", default=True)
# How a live write waits to become searchable: "wait_for" the next refresh (production) or
# "true" to refresh at once (the test session: no second of waiting per write).
SEARCH_INDEX_REFRESH = env("SEARCH_INDEX_REFRESH", default="wait_for")
# The database engine counts results exactly up to this many and says "10.000+" beyond (as
# Elasticsearch's track_total_hits); beyond it, its facet counts are estimates (docs/search.md).
SEARCH_COUNT_LIMIT = env.int("SEARCH_COUNT_LIMIT", default=10_000)

# Payments: the manual bank-transfer rail always; Stripe when a key is set.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Leave empty for api.stripe.com; set to reach another Stripe-compatible endpoint.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
# How long the Stripe client waits for an answer (the library's default is 80 s).
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=80.0)
# A webhook event whose processing fails this many times is marked failed and shown to finance
# officers (/workspace/finance/webhooks/) instead of being retried every minute forever.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=10)
DEFAULT_CURRENCY = "IDR"
# Plausibility ceiling for any single amount typed in or posted (whole rupiah; default Rp 1
# triliun, above any regional challenge budget). Far below bigint, so no write overflows.
MONEY_MAX_RUPIAH = env.int("MONEY_MAX_RUPIAH", default=1_000_000_000_000)

# Email: printed to the console unless an SMTP server is configured (EMAIL_URL).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Pasar Tantangan Daerah <noreply@localhost>")

# A challenge is "closing soon" when it is open and closes within this many days.
CHALLENGE_CLOSING_SOON_DAYS = env.int("CHALLENGE_CLOSING_SOON_DAYS", default=7)

# Demo data
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-pass-2026")

WAGTAIL_SITE_NAME = "Pasar Tantangan Daerah"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")

# Open data (/open-data/, OCDS under /api/v1/ocds/). OCDS_PREFIX is a placeholder: register your
# own prefix with the Open Contracting Partnership (https://standard.open-contracting.org/) and set
# it here; each challenge's ocid is the prefix, the region's slug and the challenge's id.
OCDS_PREFIX = env("OCDS_PREFIX", default="ocds-xxxxxx-")
OCDS_PUBLISHER_NAME = env("OCDS_PUBLISHER_NAME", default=WAGTAIL_SITE_NAME)
OCDS_PUBLICATION_POLICY_URL = env("OCDS_PUBLICATION_POLICY_URL", default="")
OCDS_PAGE_SIZE = env.int("OCDS_PAGE_SIZE", default=50)
# Where the daily bulk files are written (served at /api/v1/ocds/bulk/<file>).
OCDS_BULK_ROOT = env.path("OCDS_BULK_ROOT", default=str(Path(str(MEDIA_ROOT)) / "ocds"))
# The licence of every dataset (OCDS packages, the API, the transparency tables' downloads).
OPEN_DATA_LICENSE = env("OPEN_DATA_LICENSE", default="https://creativecommons.org/licenses/by/4.0/")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# No Gravatar: staff avatars would reveal a hash of their email address to a third party (and the
# admin's content security policy allows images from this site only).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]

# Request sizes, consistent with the largest upload the product accepts (one file of
# PROPOSAL_ATTACHMENT_MAX_BYTES; organisation documents and payment proofs are as large or
# smaller). A body above REQUEST_BODY_MAX_BYTES is refused (413) before anything reads it
# (core.input_guard); nginx refuses the same size in front (deploy/nginx.conf: 11m).
REQUEST_BODY_MAX_BYTES = env.int(
    "REQUEST_BODY_MAX_BYTES", default=PROPOSAL_ATTACHMENT_MAX_BYTES + 1024 * 1024
)
# Form fields other than files, read into memory: 2.5 MiB (Django's default, written down).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Files above this go to a temporary file on disk rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Wagtail's page editor posts one field per StreamField block property: a long page has thousands.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=10_000)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = PROPOSAL_ATTACHMENT_MAX_BYTES
# Office documents are checked like every upload of one (core.archives).
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.forms.DocumentForm"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pasar Tantangan Daerah API",
    "DESCRIPTION": "Read-only open data: challenges, funded projects, organisations and the public ledger.",
    "VERSION": "1.0.0",
    "PREPROCESSING_HOOKS": ["marketplace.publicdata.api_schema.public_api_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "marketplace.publicdata.api_schema.document_errors",
    ],
    # /api/v1/docs/ (Swagger UI) from the project's own static files (drf-spectacular-sidecar).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from validator.swagger.io: the page loads nothing from elsewhere.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # The API is read-only and open: no sign-in schemes to offer, and the schema's own address
    # is not an operation of the API.
    "AUTHENTICATION_WHITELIST": [],
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        name: {"level": "WARNING"} for name in ("elastic_transport", "django_tasks", "wagtail", "celery")
    },
}

# Proxies in front whose X-Forwarded-For is trusted for the client's address (audit trail and
# allauth's rate limits): 1 behind the compose stack's nginx, 0 when clients connect directly.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Content Security Policy (django-csp, core.csp): only this site's own files, Stripe's card form
# where a sponsor pays, no inline script or style unless it carries the request's nonce
# (``nonce="{{ request.csp_nonce }}"``), no plugins, no framing.
STRIPE_JS_ORIGIN = "https://js.stripe.com"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", STRIPE_JS_ORIGIN, NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:", "https://*.stripe.com"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", "https://api.stripe.com"],
        "frame-src": [STRIPE_JS_ORIGIN, "https://hooks.stripe.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# Wagtail's admin (staff only) still needs inline styles and scripts: its own, looser policy.
CSP_ADMIN_PREFIX = "/admin/"
CSP_ADMIN_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}

# /healthz answers the containers' own plain-HTTP healthchecks, even with SECURE_SSL_REDIRECT.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

if not DEBUG:
    # Production: HTTPS only. Each can be turned off for a plain-HTTP trial deployment.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# The ledger's balance index carries `amount` as an INCLUDE column on PostgreSQL; SQLite (the
# embedded default) builds it without, which is fine there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
