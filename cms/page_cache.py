"""Cache of the public pages for anonymous readers.

The rush before a call's deadline is all reading: every page is rendered once and then served
from the cache without touching the database. The cache is shared by every process (Redis or
the database cache: production refuses to start otherwise), and so is the version below. Any
publication, unpublication, move or deletion of a page, and any change to a call (its state,
its deadline, its riparto), replaces a version token that is part of every key, so stale pages
are never served, by any process. A page whose content changes with time (a call
guideline before its opening or deadline) tells the cache, with `cache_seconds` on its
response, not to keep it past that moment.

Only anonymous GET/HEAD requests for public pages are cached: no session cookie, no admin, no
API, no forms."""

import secrets

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

VERSION_KEY = "push:pages:version"
DEFAULT_SECONDS = 10 * 60
SKIPPED_PREFIXES = (
    "/admin/",
    "/api/",
    "/documents/",
    "/static/",
    "/media/",
    "/i18n/",
    "/accreditamento/",
    "/en/accreditamento/",
)
CACHED_HEADERS = ("Content-Type", "Content-Language", "Vary")


def version() -> str:
    """The current version, read from the shared cache on every request: never kept in the
    process, so that a publication seen by one worker is seen by all of them at once.

    A random token rather than a counter: if the cache loses the key (restart, eviction), a
    counter would start again at 1 and bring back pages cached under 1 before withdrawals; a
    new token matches no page ever cached."""
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
        value = cache.get(VERSION_KEY)
    return value


def versioned(name: str, build, timeout: int = DEFAULT_SECONDS):
    """What public pages show besides the page itself (the site, menus, listings, a page's
    view restrictions), computed once per version and kept in the shared cache: a
    publication, unpublication, move, a change to a call, to the footer links, to a Site or
    to a view restriction gives a new version, and every process builds it afresh."""
    from django.utils.translation import get_language

    key = f"push:part:{version()}:{get_language()}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=timeout)
    return value


def invalidate(**kwargs) -> None:
    """Make every cached page stale (called on publication and on changes to calls)."""
    cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)


def create_cache_table(*, using="default", **kwargs) -> None:
    """With the database cache (`PUSH_CACHE=database`), `migrate` creates its table, so that a
    deployment cannot forget the separate `createcachetable` step. Idempotent; nothing to do
    with Redis or the memory cache."""
    from django.core.management import call_command

    if any(conf["BACKEND"].endswith("DatabaseCache") for conf in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)


def _key(request) -> str:
    return (
        f"push:page:{version()}:{getattr(request, 'LANGUAGE_CODE', '')}:{request.get_host()}:{request.get_full_path()}"
    )


def _cacheable_request(request) -> bool:
    return (
        getattr(settings, "PUSH_PAGE_CACHE", True)
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(SKIPPED_PREFIXES)
    )


def _attach_site(request) -> None:
    """The Wagtail Site of a public request (with its root page, as served) from the shared
    cache: with the page cache off too, a public page does not look up its Site and root
    page in the database on every request."""
    from wagtail.models import Site

    def build():
        site = Site.find_for_request(request)
        if site is not None:
            site.root_page.localized.specific  # noqa: B018 - kept with the site
        return site or ""

    site = versioned(f"site:{request.get_host()}", build)
    if site:
        request._wagtail_site = site


class PublicPageCacheMiddleware:
    """Placed right after WhiteNoise: a hit skips sessions, locale, URL resolution and views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            if request.method in ("GET", "HEAD") and not request.path.startswith(SKIPPED_PREFIXES):
                _attach_site(request)
            return self.get_response(request)
        key = _key(request)
        hit = cache.get(key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            response["X-Push-Cache"] = "hit"
            return response
        _attach_site(request)
        response = self.get_response(request)
        seconds = getattr(response, "cache_seconds", DEFAULT_SECONDS)
        if (
            response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not response.cookies
            and seconds > 0
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            headers = {name: response[name] for name in CACHED_HEADERS if name in response}
            cache.set(key, (response.content, headers), timeout=seconds)
            response["X-Push-Cache"] = "miss"
        return response
