"""Local development: debug on, e-mails to the console, a fixed fallback secret."""

import os

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-use-in-production"
PUSH_PSEUDONYM_KEY = os.environ.get("PUSH_PSEUDONYM_KEY") or "dev-only-pseudonym-key"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],0.0.0.0")  # noqa: F405
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "core.mail.ConciseConsoleBackend")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Demo logins are printed only where this is true.
PUSH_PRINT_DEMO_PASSWORDS = True
# Serve static files straight from the apps and packages, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Quiet console: one line per page saved by the demo loader and font-subsetting details of
# every receipt PDF are noise when starting the server.
LOGGING["loggers"].update(  # noqa: F405
    {"wagtail": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}, "fpdf": {"level": "WARNING"}}
)
