"""Settings shared by every environment. Values that differ per deployment come from
environment variables; `dev`, `test` and `production` only adjust what they must."""

import os
from datetime import timedelta
from pathlib import Path

import bootstrap_italia_template
import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PUSH_VAR_DIR", BASE_DIR / "var"))


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # PUSH
    "core",
    "registry",
    "cms",
    "calls",
    "calls.programmes",
    "calls.sales",
    "dashboards",
    "helpdesk",
    "helpdesk.circulars",
    # Wagtail
    "wagtail_modeladmin",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.contrib.sitemaps",
    "wagtail.api.v2",
    "wagtail.embeds",
    "wagtail.sites",
    # Wagtail's users app with PUSH's user editor (groups follow memberships, no escalation).
    "registry.users_app.UsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # API
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    # Django. The Django admin stays installed because wagtail-modeladmin relies on its
    # list filters; it is never routed (see config/urls.py).
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Sign-in lockout (registry/signin.py); last, as its documentation asks.
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the page cache, so that cached pages carry them too (core/csp.py).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.csp.PushCSPMiddleware",
    # Before sessions, locale and the rest: a cached page costs one cache read and nothing else.
    "cms.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out sessions older than PUSH_SESSION_MAX_HOURS (registry/accounts.py).
    "registry.accounts.SessionLifetimeMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: turns a sign-in refused by the lockout into a 429 (registry/signin.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    # The embedded default: an SQLite file under var/, created on first use.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'push.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "registry.User"
# django-axes first: it refuses locked-out accounts and addresses before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 2.1.1: at least 12 characters.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
# Pages restricted to signed-in readers (restricted dashboards) send them to the same sign-in.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
# A password-reset link is valid for hours (seconds); the set-password link sent when an
# accreditation is approved has its own token generator and validity (registry/signin.py).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PUSH_PASSWORD_RESET_HOURS", "3")) * 3600
PUSH_SET_PASSWORD_LINK_DAYS = int(os.environ.get("PUSH_SET_PASSWORD_LINK_DAYS", "7"))
WAGTAILADMIN_USER_LOGIN_FORM = "registry.signin.LoginForm"

# Sessions end after PUSH_SESSION_IDLE_MINUTES without activity and PUSH_SESSION_MAX_HOURS
# after sign-in (registry.accounts.SessionLifetimeMiddleware); the store keeps none longer.
PUSH_SESSION_IDLE_MINUTES = int(os.environ.get("PUSH_SESSION_IDLE_MINUTES", "30"))
PUSH_SESSION_MAX_HOURS = int(os.environ.get("PUSH_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = PUSH_SESSION_MAX_HOURS * 3600

# Sign-in lockout (django-axes, state in the database so that every server process shares
# it): an account after AXES_FAILURE_LIMIT failures, a client address after
# PUSH_SIGNIN_ADDRESS_FAILURE_LIMIT, each for PUSH_SIGNIN_COOLOFF_MINUTES after the last
# failure (registry/signin.py).
AXES_HANDLER = "registry.signin.SignInAttemptHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("PUSH_SIGNIN_ACCOUNT_FAILURE_LIMIT", "10"))
PUSH_SIGNIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("PUSH_SIGNIN_ADDRESS_FAILURE_LIMIT", "50"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("PUSH_SIGNIN_COOLOFF_MINUTES", "15")))
# The lock-out ends after the cool-off even if an attacker keeps trying: otherwise anyone
# could keep someone else's account closed for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "core.client.client_address"
AXES_USERNAME_CALLABLE = "registry.signin.signin_username"
AXES_LOCKOUT_CALLABLE = "registry.signin.lockout_response"
# One row per failure (and per success in AccessLog): the sign-in audit trail, including
# names that are no account. Attempts never store the password.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "password", "email"]
# No banner on every start-up; lock-outs are still logged as warnings.
AXES_VERBOSE = False
# Password-reset requests per hour: per client address (answered 429) and per target
# e-mail address (nothing more is sent, the page stays the same).
PUSH_PASSWORD_RESET_PER_ADDRESS = int(os.environ.get("PUSH_PASSWORD_RESET_PER_ADDRESS", "10"))
PUSH_PASSWORD_RESET_PER_EMAIL = int(os.environ.get("PUSH_PASSWORD_RESET_PER_EMAIL", "3"))
# Accreditation requests per hour from one client address (registry/views.py).
PUSH_ACCREDITATION_REQUESTS_PER_HOUR = int(os.environ.get("PUSH_ACCREDITATION_REQUESTS_PER_HOUR", "20"))
# The client address behind our reverse proxies (core/client.py): the request header the
# proxy appends the peer's address to (as in request.META, e.g. HTTP_X_FORWARDED_FOR; empty
# = no proxy, REMOTE_ADDR), and how many proxies of ours are in front of the application.
PUSH_TRUSTED_PROXY_HEADER = os.environ.get("PUSH_TRUSTED_PROXY_HEADER", "")
PUSH_TRUSTED_PROXY_COUNT = int(os.environ.get("PUSH_TRUSTED_PROXY_COUNT", "1"))

# Internationalisation: Italian first, English available.
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = [("it", _("Italian"))]

# Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap Italia, installed from PyPI (design-django-theme), never from a CDN.
    ("bootstrap-italia", Path(bootstrap_italia_template.__file__).parent / "static"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Files that are personal or confidential (designation acts, attachments) live outside
# MEDIA_ROOT: they have no public URL and are served only by views that apply the
# access rule (registry.access).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "core.files.PrivateFileSystemStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Object storage, S3-compatible, shared by every app server and worker (docs/DEPLOYMENT.md):
# set PUSH_S3_BUCKET and install django-storages[s3] (requirements-s3.txt; not needed
# otherwise). Public media and private documents under two prefixes of one private bucket,
# reached only through signed URLs (no ACL); private files are still served only by PUSH's
# views, which never ask a private storage for a URL.
if os.environ.get("PUSH_S3_BUCKET"):
    _s3 = {
        "bucket_name": os.environ["PUSH_S3_BUCKET"],
        "endpoint_url": os.environ.get("PUSH_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("PUSH_S3_REGION") or None,
        "access_key": os.environ.get("PUSH_S3_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("PUSH_S3_SECRET_ACCESS_KEY") or None,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "media"}}
    STORAGES["private"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "private"}}
# Largest PDF accepted for a designation act or an attachment.
PUSH_MAX_PDF_BYTES = int(os.environ.get("PUSH_MAX_PDF_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# E-mail
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PUSH Regione Puglia <noreply-push@regione.puglia.it>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The cache holds state that every server process must agree on (the page cache's version,
# throttles, sign-in lockouts): Redis (`REDIS_URL`) or the database (`PUSH_CACHE=database`,
# its table created by `migrate`). The per-process memory cache is for one process only:
# development and tests; production refuses it (production.py).
SHARED_CACHE_BACKENDS = (
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.db.DatabaseCache",
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "push",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": os.environ.get("PUSH_CACHE_KEY_PREFIX", "push"),
    }
elif os.environ.get("PUSH_CACHE") == "database":
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "push_cache",
    }

# Content-Security-Policy (django-csp, core/csp.py). The public site: our own files only, no
# inline script or style. Bootstrap Italia's CSS draws icons with data: URIs and embeds
# Video.js's icon font as one.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Under /admin/ only: Wagtail's inline scripts and style attributes, blob: images (uploads
# previewed before saving) and same-origin frames (the page preview).
PUSH_ADMIN_CSP_REPLACE = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "frame-src": ["'self'"],
    "frame-ancestors": ["'self'"],
}

# Wagtail
WAGTAIL_SITE_NAME = "PUSH – Politiche abitative Regione Puglia"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
# No Gravatar: officers' e-mail hashes are not sent to a third party, and the admin's
# Content-Security-Policy loads images from our own origin only.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Wagtail's database backend; on PostgreSQL with the Italian dictionary (stemming: "alloggi"
# finds "alloggio"), on SQLite with Italian stems matched as prefixes (cms/search_backend.py).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search_backend", "SEARCH_CONFIG": "italian"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "xlsx", "ods", "zip", "p7m"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = PUSH_MAX_PDF_BYTES
WAGTAIL_I18N_ENABLED = False

# API
REST_FRAMEWORK = {
    # Token first, so that an anonymous call gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.LimitOffsetPagination",
    "DEFAULT_FILTER_BACKENDS": [
        # django-filter, refusing values beyond the database's range (400, not 500).
        "core.api.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.problem_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    # Writes take JSON only, bounded (PUSH_MAX_JSON_BYTES) before it is read; the one file
    # upload (a submission's applicant list) declares multipart itself. The schema then
    # advertises no form bodies that could never work.
    "DEFAULT_PARSER_CLASSES": ["core.api.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Counted in the shared cache, per client address (core.client) or per user.
    "DEFAULT_THROTTLE_CLASSES": ["core.api.AnonymousThrottle", "core.api.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("PUSH_API_ANON_RATE", "120/minute"),
        "user": os.environ.get("PUSH_API_USER_RATE", "1200/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PUSH API",
    "DESCRIPTION": (
        "API of PUSH, the housing-policy information system of Regione Puglia: "
        "entities, property register, calls and open data."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["core.api.only_api_v1"],
    # Every operation documents its errors as problem+json (core.api.document_problems).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.document_problems"],
    # A PATCH body is documented as the view validates it: its required fields stay required.
    "COMPONENT_SPLIT_PATCH": False,
    # Two choice sets are both called "kind": name each enum for what it is.
    "ENUM_NAME_OVERRIDES": {
        "EntityKindEnum": "registry.models.EntityKind",
        "ProtocolKindEnum": "calls.models.ProtocolKind",
        "OccupancyStatusEnum": "registry.models.OccupancyStatus",
        "EnergyClassEnum": "registry.models.EnergyClass",
        # The readiness answer's database, cache and worker checks share one set of states.
        "ReadinessStateEnum": ["ok", "failing"],
    },
}

# Background work (file imports). Production queues tasks in the database and runs
# `manage.py db_worker`; development and tests run them immediately.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Readiness (/api/v1/health/ready) fails when a task has been due this long without a worker
# taking it: the worker is down or cannot keep up.
PUSH_HEALTH_WORKER_MAX_WAIT_SECONDS = int(os.environ.get("PUSH_HEALTH_WORKER_MAX_WAIT_SECONDS", "600"))
# Notification e-mails (core/notifications): tries before a delivery is marked failed (then
# shown to the Region), and the backoff between tries (doubled each time, capped).
PUSH_NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("PUSH_NOTIFICATION_MAX_ATTEMPTS", "6"))
PUSH_NOTIFICATION_BACKOFF_SECONDS = int(os.environ.get("PUSH_NOTIFICATION_BACKOFF_SECONDS", "300"))
PUSH_NOTIFICATION_BACKOFF_MAX_SECONDS = int(os.environ.get("PUSH_NOTIFICATION_BACKOFF_MAX_SECONDS", "21600"))
# Register exports of more rows than this are written in the background, with a status
# page and a download link (registry/stock.py); smaller ones are answered immediately.
PUSH_EXPORT_BACKGROUND_ROWS = int(os.environ.get("PUSH_EXPORT_BACKGROUND_ROWS", "20000"))
# An intervention of a programme not updated for this many days is reported as stale
# (calls/programmes), unless its programme sets its own number of days.
PUSH_PROGRAMMES_STALE_DAYS = int(os.environ.get("PUSH_PROGRAMMES_STALE_DAYS", "90"))
# Search address of a Nominatim-compatible geocoder that places a building from its address
# (registry/geo/geocoder.py); empty: off, coordinates are typed.
PUSH_GEOCODER_URL = os.environ.get("PUSH_GEOCODER_URL", "")
# Values above these ask the officer to confirm before the unit form saves them (core/forms.py).
PUSH_UNUSUAL_MONTHLY_RENT = os.environ.get("PUSH_UNUSUAL_MONTHLY_RENT", "2000")
PUSH_UNUSUAL_AREA_M2 = os.environ.get("PUSH_UNUSUAL_AREA_M2", "500")
# Largest spreadsheet accepted by the upload screens and the API.
PUSH_MAX_IMPORT_BYTES = int(os.environ.get("PUSH_MAX_IMPORT_BYTES", 16 * 1024 * 1024))
# Uploads up to the largest accepted file stay in memory: Django would otherwise spool them
# to a temporary file, and an applicant list carries codici fiscali in clear until it is
# sealed (calls/sealed.py). Larger bodies are refused before they are kept.
FILE_UPLOAD_MAX_MEMORY_SIZE = max(PUSH_MAX_IMPORT_BYTES, PUSH_MAX_PDF_BYTES)
# Limits of every spreadsheet read (units, applicant lists), checked before a workbook is
# expanded and again while it is read (core/tabular/limits.py). A real 100,000-row sheet unpacks
# to about 170 MB and compresses about 10 times; Excel holds at most 32,767 characters a cell.
PUSH_MAX_UNPACKED_BYTES = int(os.environ.get("PUSH_MAX_UNPACKED_BYTES", 200 * 1024 * 1024))
PUSH_MAX_COMPRESSION_RATIO = int(os.environ.get("PUSH_MAX_COMPRESSION_RATIO", 100))
PUSH_MAX_SHEETS = int(os.environ.get("PUSH_MAX_SHEETS", 20))
PUSH_MAX_ROWS = int(os.environ.get("PUSH_MAX_ROWS", 250_000))
PUSH_MAX_COLUMNS = int(os.environ.get("PUSH_MAX_COLUMNS", 100))
PUSH_MAX_CELL_CHARS = int(os.environ.get("PUSH_MAX_CELL_CHARS", 32_767))
PUSH_MAX_CSV_LINE_CHARS = int(os.environ.get("PUSH_MAX_CSV_LINE_CHARS", 65_536))
# Largest JSON body an API endpoint reads (the bulk upsert of 20,000 units is about 15 MB).
PUSH_MAX_JSON_BYTES = int(os.environ.get("PUSH_MAX_JSON_BYTES", 16 * 1024 * 1024))
# Largest page of an API list (?limit=).
PUSH_API_MAX_PAGE_SIZE = int(os.environ.get("PUSH_API_MAX_PAGE_SIZE", 500))
# The Region's unit lists on PostgreSQL count their rows exactly up to this many; a larger
# list shows the planner's estimate, "about N" (registry.stock.selectors.list_count).
PUSH_EXACT_COUNT_LIMIT = int(os.environ.get("PUSH_EXACT_COUNT_LIMIT", 50_000))
# Counts below this are not published in open data (dashboards/suppression.py).
PUSH_SMALL_COUNT_THRESHOLD = int(os.environ.get("PUSH_SMALL_COUNT_THRESHOLD", 5))

# Cache of the public pages for anonymous readers (cms/page_cache.py). In production with
# several workers set REDIS_URL, so that a publication refreshes every worker at once.
PUSH_PAGE_CACHE = env_bool("PUSH_PAGE_CACHE", True)

# Keyed hash for pseudonymised personal codes. The key lives outside the database.
PUSH_PSEUDONYM_KEY = os.environ.get("PUSH_PSEUDONYM_KEY", "")
# Key(s) encrypting the applicant lists at rest (calls/sealed.py), comma-separated for
# rotation (the first encrypts). Required in production; never stored in the database.
PUSH_FILE_KEY = os.environ.get("PUSH_FILE_KEY", "")
# Applicant lists larger than this are checked and written in the background (with
# progress on the submission's page); smaller ones at once, within the request.
PUSH_APPLICANTS_INLINE_BYTES = int(os.environ.get("PUSH_APPLICANTS_INLINE_BYTES", 256 * 1024))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # One line per background task is noise at INFO.
    "loggers": {"django_tasks": {"level": "WARNING"}},
}
