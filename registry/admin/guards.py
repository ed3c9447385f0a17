"""Admin routes the registry narrows beyond Wagtail's checks (placed before Wagtail's own by
core.admin_guards, through the ``register_guarded_admin_urls`` hook).

Site history: Wagtail's report lists the audit log of every object of a model to anyone
holding any permission on that model. Officers of an ARCA or a Comune hold view permissions
on registry models, so the report would show them other entities' log lines (names,
accreditation decisions): only the Region reads it (registry.policy.can_read_site_history);
everyone else gets 403. Its downloads are audited like every report's."""

from django.urls import path
from wagtail.admin.views.reports.audit_logging import LogEntriesView

from core.admin_guards import admin_view_for, audited_export
from registry import policy

regional_only = admin_view_for(policy.can_read_site_history)


def site_history_urls():
    return [
        path("admin/reports/site-history/", regional_only(audited_export(LogEntriesView.as_view()))),
        path(
            "admin/reports/site-history/results/",
            regional_only(audited_export(LogEntriesView.as_view(results_only=True))),
        ),
    ]
