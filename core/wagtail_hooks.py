"""Audit-log actions that belong to no single app."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .exports import EXPORT_ACTION
from .files import DOWNLOAD_ACTION
from .notifications import admin_views as notification_views


@hooks.register("register_log_actions")
def register_core_log_actions(actions):
    actions.register_action(DOWNLOAD_ACTION, _("Private file downloaded"), _("Private file downloaded"))
    actions.register_action(EXPORT_ACTION, _("Data exported"), _("Data exported"))
    actions.register_action(
        notification_views.RESEND_ACTION, _("Notification e-mail re-sent"), _("Notification e-mail re-sent")
    )


@hooks.register("register_admin_urls")
def register_notification_urls():
    return notification_views.admin_urls()


@hooks.register("register_admin_menu_item")
def register_notifications_menu_item():
    return notification_views.notifications_menu_item()
