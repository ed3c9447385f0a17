"""Audit-log actions that belong to no single app."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .exports import EXPORT_ACTION
from .files import DOWNLOAD_ACTION


@hooks.register("register_log_actions")
def register_core_log_actions(actions):
    actions.register_action(DOWNLOAD_ACTION, _("Private file downloaded"), _("Private file downloaded"))
    actions.register_action(EXPORT_ACTION, _("Data exported"), _("Data exported"))
