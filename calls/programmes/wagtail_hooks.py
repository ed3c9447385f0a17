"""Admin hooks of the intervention programmes: the menu group, the screens' URLs
(calls/programmes/admin/) and the labels of the audit-log actions."""

from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import modeladmin_register

from core.admin_wiring import register_audit_actions, register_menu_item, register_urls

from . import policy, transitions
from .admin import modeladmins, views

modeladmin_register(modeladmins.ProgrammesGroup)

register_menu_item(
    _("Programmes' progress"),
    "programmes_progress",
    name="programmes-progress",
    icon="table",
    order=231,
    shown=policy.monitors_programmes,
)
register_urls(
    [
        ("programmes/progress/", views.progress_overview, "programmes_progress"),
        ("programmes/progress.<str:file_format>", views.progress_export, "programmes_progress_export"),
        ("programmes/programme/<int:pk>/progress/", views.programme_progress, "programmes_programme_progress"),
        (
            "programmes/programme/<int:pk>/progress.<str:file_format>",
            views.programme_progress_export,
            "programmes_programme_progress_export",
        ),
        (
            "programmes/intervention/<int:pk>/move/<str:action>/",
            views.intervention_move,
            "programmes_intervention_move",
        ),
        ("programmes/update/", views.update_upload, "programmes_update_upload"),
        ("programmes/update/file.<str:file_format>", views.update_file, "programmes_update_file"),
    ]
)
register_audit_actions(transitions.AUDIT_ACTIONS)
