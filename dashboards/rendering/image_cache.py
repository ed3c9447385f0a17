"""Dashboard images rendered once and then served from the shared cache.

The cache is Django's default cache: Redis or the database cache in production (required by
config/settings/production.py, so every server process sees the same entries), local memory in
tests. The key is a hash of (chart, parameters sorted by name, data version, format): a change
to the data an indicator reads changes its data version and so the key, so a stale image is
never served; it is simply never asked for again and expires.
"""

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

KEY_PREFIX = "dashboards:image:"
# Entries cannot go stale (the version is in the key): the timeout only frees space.
DEFAULT_TIMEOUT = 7 * 24 * 60 * 60


def image_cache_key(*, chart_key: str, params: dict, version: str, fmt: str) -> str:
    """The cache key of one image: the same for the same inputs in every process."""
    identity = json.dumps(
        {"chart": str(chart_key), "params": params or {}, "version": str(version), "fmt": fmt},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return KEY_PREFIX + hashlib.sha256(identity.encode()).hexdigest()


def cached_render(*, chart_key: str, params: dict, version: str, fmt: str, produce: Callable[[], bytes]) -> bytes:
    """The image for (chart, params, version, fmt) from the shared cache, calling `produce`
    (which renders it) only when the cache does not hold it yet."""
    key = image_cache_key(chart_key=chart_key, params=params, version=version, fmt=fmt)
    image = cache.get(key)
    if image is None:
        image = produce()
        cache.set(key, image, getattr(settings, "DASHBOARD_IMAGE_CACHE_SECONDS", DEFAULT_TIMEOUT))
    return image
