"""Admin hooks of the intervention programmes: the menu group, the screens' URLs
(calls/programmes/admin/) and the labels of the audit-log actions."""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail_modeladmin.options import modeladmin_register

from . import policy, transitions
from .admin import modeladmins, views

modeladmin_register(modeladmins.ProgrammesGroup)


class ProgressMenuItem(MenuItem):
    def is_shown(self, request):
        return policy.monitors_programmes(request.user)


@hooks.register("register_admin_menu_item")
def register_progress_menu_item():
    return ProgressMenuItem(
        _("Programmes' progress"),
        reverse_lazy("programmes_progress"),
        name="programmes-progress",
        icon_name="table",
        order=231,
    )


@hooks.register("register_admin_urls")
def register_programmes_urls():
    return [
        path("programmes/progress/", views.progress_overview, name="programmes_progress"),
        path("programmes/progress.<str:file_format>", views.progress_export, name="programmes_progress_export"),
        path("programmes/programme/<int:pk>/progress/", views.programme_progress, name="programmes_programme_progress"),
        path(
            "programmes/programme/<int:pk>/progress.<str:file_format>",
            views.programme_progress_export,
            name="programmes_programme_progress_export",
        ),
        path(
            "programmes/intervention/<int:pk>/move/<str:action>/",
            views.intervention_move,
            name="programmes_intervention_move",
        ),
        path("programmes/update/", views.update_upload, name="programmes_update_upload"),
        path("programmes/update/file.<str:file_format>", views.update_file, name="programmes_update_file"),
    ]


@hooks.register("register_log_actions")
def register_programmes_log_actions(actions):
    for action, label in transitions.AUDIT_ACTIONS.items():
        actions.register_action(action, label, label)
