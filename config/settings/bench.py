"""Benchmarks: production-like (DEBUG off, no query log), imports run immediately."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or "bench-only-key"
PUSH_PSEUDONYM_KEY = os.environ.get("PUSH_PSEUDONYM_KEY") or "bench-only-pseudonym-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# bench/site.py's bare view (bench/urls.py): only these settings read the variable, so no
# other settings can route to it.
if os.environ.get("PUSH_BENCH_BARE_VIEW") == "1":
    ROOT_URLCONF = "bench.urls"
