"""Production refuses to start with a cache that lives in one process: with several workers the
page cache's version, the throttles and the lockouts would each be counted per worker."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.cache import cache
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
PRINT_CACHE = (
    "import django; from django.conf import settings; django.setup(); "
    "from django.core.cache import caches; "
    "print(settings.CACHES['default']['BACKEND'], type(caches['default']).__name__)"
)


def start(**env):
    """Load the production settings in a fresh interpreter with exactly these variables."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "PUSH_CACHE", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    base.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="a-production-like-secret-key-for-this-test-only",
        PUSH_PSEUDONYM_KEY="pseudonym-key",
        PUSH_FILE_KEY=os.environ.get("PUSH_FILE_KEY", "cHVzaC10ZXN0LWZpbGUta2V5LTMyLWJ5dGVzLWxvbmc9"),
    )
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", PRINT_CACHE], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_the_per_process_memory_cache():
    result = start()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Production needs a cache shared by every server process" in result.stderr


def test_production_refuses_an_unknown_cache_choice():
    result = start(PUSH_CACHE="memory")
    assert result.returncode != 0
    assert "Production needs a cache shared by every server process" in result.stderr


def test_production_starts_with_redis():
    result = start(REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "RedisCache"]


def test_production_starts_with_the_database_cache():
    result = start(PUSH_CACHE="database")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.db.DatabaseCache", "DatabaseCache"]


def test_migrate_creates_the_database_cache_table(db, settings):
    """`migrate` alone is enough: no separate createcachetable step to forget."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "push_cache"}}
    assert "push_cache" not in connection.introspection.table_names()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert "push_cache" in connection.introspection.table_names()
    cache.set("shared", "yes", 60)
    assert cache.get("shared") == "yes"
