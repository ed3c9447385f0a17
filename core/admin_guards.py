"""Wagtail admin screens that must be reserved to the Region.

Wagtail's site-history report lists the audit log of every object of a model to anyone
holding any permission on that model. Officers of an ARCA or a Comune hold view
permissions on registry models, so the report would show them other entities' log lines
(names, accreditation decisions). These routes are placed before Wagtail's own and give
the same views only to regional users; everyone else gets 403.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import path
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.audit_logging import LogEntriesView


def regional_only(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        from registry import access

        if not access.is_regional(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return require_admin_access(guarded)


def regional_only_admin_urls():
    return [
        path("admin/reports/site-history/", regional_only(LogEntriesView.as_view())),
        path("admin/reports/site-history/results/", regional_only(LogEntriesView.as_view(results_only=True))),
    ]
