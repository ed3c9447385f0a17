"""Admin hooks of the circulars: menus (the Region's list; an entity's inbox with its unread
count), URLs (helpdesk/circulars/admin/) and audit-log actions."""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent

from . import policy, selectors, services
from .admin import views


class RegionCircularsMenuItem(MenuItem):
    def is_shown(self, request):
        return policy.is_regional_reader(request.user)


class InboxMenuItem(MenuItem):
    """'Circulars received (2)': shown to the people of an ARCA or a Comune, with one COUNT."""

    def is_shown(self, request):
        return bool(policy.reader_entity_ids(request.user))

    def render_component(self, request):
        count = selectors.unread_count(request.user)
        label = _("Circulars received (%(count)d new)") % {"count": count} if count else _("Circulars received")
        return LinkMenuItemComponent(self.name, label, self.url, icon_name=self.icon_name, attrs=self.attrs)


@hooks.register("register_admin_menu_item")
def register_region_menu():
    return RegionCircularsMenuItem(
        gettext_lazy("Circulars"), reverse_lazy("circulars_index"), name="circulars", icon_name="mail", order=240
    )


@hooks.register("register_admin_menu_item")
def register_inbox_menu():
    return InboxMenuItem(
        gettext_lazy("Circulars received"),
        reverse_lazy("circulars_inbox"),
        name="circulars-inbox",
        icon_name="mail",
        order=241,
    )


@hooks.register("register_admin_urls")
def register_circulars_urls():
    return [
        path("circulars/", views.index, name="circulars_index"),
        path("circulars/new/", views.compose, name="circulars_compose"),
        path("circulars/<int:pk>/send/", views.confirm, name="circulars_confirm"),
        path("circulars/<int:pk>/status/", views.status, name="circulars_status"),
        path("circulars/<int:pk>/status.<str:file_format>", views.export, name="circulars_export"),
        path("circulars/<int:pk>/remind/", views.remind, name="circulars_remind"),
        path(
            "circulars/<int:pk>/attachment/<int:attachment_pk>/",
            views.attachment_download,
            name="circulars_attachment",
        ),
        path(
            "circulars/<int:pk>/reply-attachment/<int:attachment_pk>/",
            views.reply_attachment_download,
            name="circulars_reply_attachment",
        ),
        path("circulars/inbox/", views.inbox, name="circulars_inbox"),
        path("circulars/<int:pk>/", views.open_circular, name="circulars_open"),
    ]


@hooks.register("register_log_actions")
def register_circulars_log_actions(actions):
    for action, label in services.AUDIT_ACTIONS.items():
        actions.register_action(action, label, label)
