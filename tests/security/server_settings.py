"""Production settings for the servers that tests/security/test_two_processes.py starts.

Everything is production's (DEBUG off, the shared cache it insists on, the page cache on),
except what a loopback test over plain HTTP cannot have: static files are found in place
rather than through collectstatic's manifest, and the cookies are not marked Secure (a
browser, and the test's HTTP client, would not send them back over http://)."""

from config.settings.production import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
