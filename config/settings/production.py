"""Production: every secret must come from the environment; refuse to start otherwise."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if not PUSH_PSEUDONYM_KEY:  # noqa: F405
    raise ImproperlyConfigured("PUSH_PSEUDONYM_KEY must be set in production.")
# Several server processes (and the scheduled-publishing and task workers) must agree on the
# page cache's version, on throttles and on sign-in lockouts: a per-process cache would let
# each of them serve withdrawn pages and count attempts on its own.
if CACHES["default"]["BACKEND"] not in SHARED_CACHE_BACKENDS:  # noqa: F405
    raise ImproperlyConfigured(
        "Production needs a cache shared by every server process: set REDIS_URL "
        "(redis://host:6379/0) or PUSH_CACHE=database (then run `manage.py migrate`, "
        "which creates the cache table)."
    )
if not PUSH_FILE_KEY:  # noqa: F405
    raise ImproperlyConfigured("PUSH_FILE_KEY must be set in production (it encrypts the applicant lists).")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the same reverse proxy, the client's address is the hop it appends to
# X-Forwarded-For (core/client.py); without it every client would share the proxy's address
# in the sign-in lockout and the throttles. Set PUSH_TRUSTED_PROXY_COUNT for a chain of proxies.
PUSH_TRUSTED_PROXY_HEADER = os.environ.get("PUSH_TRUSTED_PROXY_HEADER", "HTTP_X_FORWARDED_FOR")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
# The orchestrator's probes call the server directly over HTTP, not through the proxy.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health(/ready)?$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
PUSH_PRINT_DEMO_PASSWORDS = False
# HSTS preload is a commitment for the whole regione.puglia.it domain, taken by the
# Region's network office, not by one application.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)  # noqa: F405
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
