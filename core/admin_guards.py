"""Wagtail admin screens that must be narrowed beyond what Wagtail itself checks.

These routes are placed before Wagtail's own (config/urls.py) and wrap the same views.
The machinery is generic; who may see what is each app's business:

- Apps add their own guarded copies of admin routes through the
  ``register_guarded_admin_urls`` hook (a function returning URL patterns, as
  ``register_admin_urls`` does, with the full "admin/..." route). The registry narrows the
  site history to the Region there (registry.admin.guards).
- Choosers (pages, documents, images, embeds, workflow tasks, snippets) and tag
  autocompletion: they list titles of unpublished and private pages and of documents in
  private collections, and their "chosen" steps answer for any id, to anyone who may enter
  the admin. They exist for people who edit content; everyone else (the Comuni's and ARCA's
  officers) gets 403.
- Reports (site history, aging pages, locked pages, workflows…) can be downloaded as CSV
  or XLSX: each download is written to the audit log like every other export.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import URLResolver, path, re_path
from django.urls.resolvers import RoutePattern
from wagtail import hooks
from wagtail.admin.auth import require_admin_access

ADMIN_PREFIX = "admin/"
GUARDED_ADMIN_URLS_HOOK = "register_guarded_admin_urls"


def admin_view_for(may_use):
    """A decorator that lets into an admin view only the signed-in people for whom
    ``may_use(user)`` holds (403 for the others; anonymous requests go to sign-in)."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not may_use(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return require_admin_access(guarded)

    return decorate


def may_use_choosers(user) -> bool:
    """Whether a person edits content and so may browse pages, documents and images in
    the choosers: superusers and whoever holds a permission on pages, documents or images."""
    from wagtail.admin.auth import user_has_any_page_permission
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.permissions import policy_registry

    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user_has_any_page_permission(user):
        return True
    return any(
        policy_registry.get_by_type(model).user_has_any_permission(user, {"add", "change", "choose"})
        for model in (get_document_model(), get_image_model())
    )


def content_editors_only(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        # Anonymous requests go on to Wagtail's own sign-in redirect.
        if request.user.is_authenticated and not may_use_choosers(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


def is_chooser_route(route: str) -> bool:
    """Choosers, and the tag autocompletion of the editing forms (it lists the tags of every
    document and image, those of private collections included)."""
    parts = [part for part in route.split("/") if part]
    return any(
        part in ("chooser", "choose", "task_chooser", "tag-autocomplete") or part.startswith("choose-")
        for part in parts
    )


def _admin_patterns(patterns, prefix=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _admin_patterns(pattern.url_patterns, (*prefix, pattern.pattern))
        else:
            yield (*prefix, pattern.pattern), pattern.callback


def audited_export(view):
    """Write a report's CSV/XLSX download to the audit log (core.exports.log_export)."""

    @wraps(view)
    def audited(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        file_format = request.GET.get("export")
        if file_format and request.user.is_authenticated and response.status_code == 200:
            from .exports import log_export

            filters = {key: values for key, values in request.GET.lists() if key != "export"}
            log_export(request, source=request.path, file_format=file_format, rows=None, filters=filters)
        return response

    return audited


def _guarded_copy(parts, view):
    route = "".join(str(part) for part in parts)
    if all(isinstance(part, RoutePattern) for part in parts):
        return path(ADMIN_PREFIX + route, view)
    regex = "".join(part.regex.pattern.lstrip("^") for part in parts)
    return re_path("^" + ADMIN_PREFIX + regex, view)


def report_admin_urls(already_guarded=frozenset()):
    """An audited copy of every report route of the Wagtail admin, apart from those an app
    already guards (``already_guarded``: full routes, "admin/reports/...")."""
    from wagtail.admin import urls as wagtailadmin_urls

    return [
        _guarded_copy(parts, audited_export(callback))
        for parts, callback in _admin_patterns(wagtailadmin_urls.urlpatterns)
        if "".join(str(part) for part in parts).startswith("reports/")
        and ADMIN_PREFIX + "".join(str(part) for part in parts) not in already_guarded
    ]


def chooser_admin_urls():
    """A guarded copy of every chooser route of the Wagtail admin, found by walking its
    URL patterns so that choosers added later (a snippet, a new viewset) are covered too."""
    from wagtail.admin import urls as wagtailadmin_urls

    return [
        _guarded_copy(parts, content_editors_only(callback))
        for parts, callback in _admin_patterns(wagtailadmin_urls.urlpatterns)
        if is_chooser_route("".join(str(part) for part in parts))
    ]


def app_guarded_admin_urls():
    """The guarded admin routes the apps register (hook ``register_guarded_admin_urls``)."""
    return [pattern for hook in hooks.get_hooks(GUARDED_ADMIN_URLS_HOOK) for pattern in hook()]


def guarded_admin_urls():
    """Routes to place before Wagtail's admin URLs in config/urls.py."""
    from_apps = app_guarded_admin_urls()
    return [
        *from_apps,
        *report_admin_urls(already_guarded={str(pattern.pattern) for pattern in from_apps}),
        *chooser_admin_urls(),
    ]
