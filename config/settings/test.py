"""Test settings: fast hashing, in-memory e-mail, temporary file roots."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key"
PUSH_PSEUDONYM_KEY = "test-pseudonym-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

_tmp = Path(tempfile.mkdtemp(prefix="push-test-"))
MEDIA_ROOT = _tmp / "media"
STATIC_ROOT = _tmp / "static"
STATIC_ROOT.mkdir()
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PRIVATE_MEDIA_ROOT = _tmp / "private"
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "private": {"BACKEND": "core.files.PrivateFileSystemStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "push-test"}}
PUSH_PRINT_DEMO_PASSWORDS = False
if "DATABASE_URL" not in os.environ:
    # A file, not :memory:, so that `pytest --reuse-db` keeps the migrated schema between
    # runs (migrating Wagtail from scratch takes ~15 s); new migrations are still applied.
    DATABASES = {  # noqa: F405
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "push.sqlite3"),  # noqa: F405
            "TEST": {"NAME": os.environ.get("PUSH_TEST_DB", str(VAR_DIR / "test-push.sqlite3"))},  # noqa: F405
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
