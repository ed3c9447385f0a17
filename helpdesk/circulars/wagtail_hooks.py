"""Admin hooks of the circulars: menus (the Region's list; an entity's inbox with its unread
count, one COUNT), URLs (helpdesk/circulars/admin/) and audit-log actions."""

from django.utils.translation import gettext_lazy as _

from core.admin_wiring import register_audit_actions, register_menu_item, register_urls

from . import policy, selectors, services
from .admin import views

register_menu_item(
    _("Circulars"), "circulars_index", name="circulars", icon="mail", order=240, shown=policy.is_regional_reader
)
register_menu_item(
    _("Circulars received"),
    "circulars_inbox",
    name="circulars-inbox",
    icon="mail",
    order=241,
    shown=lambda user: bool(policy.reader_entity_ids(user)),
    count=selectors.unread_count,
    counted_label=_("Circulars received (%(count)d new)"),
)

register_urls(
    [
        ("circulars/", views.index, "circulars_index"),
        ("circulars/new/", views.compose, "circulars_compose"),
        ("circulars/<int:pk>/send/", views.confirm, "circulars_confirm"),
        ("circulars/<int:pk>/status/", views.status, "circulars_status"),
        ("circulars/<int:pk>/status.<str:file_format>", views.export, "circulars_export"),
        ("circulars/<int:pk>/remind/", views.remind, "circulars_remind"),
        ("circulars/<int:pk>/attachment/<int:attachment_pk>/", views.attachment_download, "circulars_attachment"),
        (
            "circulars/<int:pk>/reply-attachment/<int:attachment_pk>/",
            views.reply_attachment_download,
            "circulars_reply_attachment",
        ),
        ("circulars/inbox/", views.inbox, "circulars_inbox"),
        ("circulars/<int:pk>/", views.open_circular, "circulars_open"),
    ]
)

register_audit_actions(services.AUDIT_ACTIONS)
