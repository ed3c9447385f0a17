"""Counting requests in a window, in the shared cache.

The Django cache is Redis or the database cache in production (several server processes
share it); a per-process counter would let each worker grant the full allowance. One
function, used by every throttle that is not a sign-in (django-axes counts those).
"""

import hashlib

from django.core.cache import cache


def _key(scope: str, subject: str) -> str:
    # Hashed: subjects can be e-mail addresses, which do not belong in cache key listings.
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"push-throttle:{scope}:{digest}"


def allow(scope: str, subject: str | None, *, limit: int, window: int) -> bool:
    """Count one more request by ``subject`` in ``scope`` and say whether it is within
    ``limit`` requests per ``window`` seconds. The window starts with the first request."""
    key = _key(scope, subject or "unknown")
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        # Expired between add() and incr(): this request opens a new window.
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit
