"""Admin hooks of the helpdesk: the menu (the entities' people: their tickets; the Region's
helpdesk staff: the queue), the screens' URLs (helpdesk/admin/) and the labels of the
audit-log actions."""

from django.utils.translation import gettext_lazy as _

from core.admin_wiring import register_audit_actions, register_menu_item, register_urls

from . import policy, transitions
from .admin import downloads, views

register_menu_item(
    _("Helpdesk"),
    "helpdesk_tickets",
    name="helpdesk",
    icon="help",
    order=260,
    shown=lambda user: policy.can_see_tickets(user) and not policy.handles_tickets(user),
)
register_menu_item(
    _("Helpdesk queue"), "helpdesk_queue", name="helpdesk-queue", icon="help", order=261, shown=policy.handles_tickets
)

register_urls(
    [
        ("helpdesk/tickets/", views.ticket_list, "helpdesk_tickets"),
        ("helpdesk/tickets/new/", views.ticket_new, "helpdesk_ticket_new"),
        ("helpdesk/tickets/faq/", views.faq_proposals, "helpdesk_faq_proposals"),
        ("helpdesk/tickets/queue/", views.queue_view, "helpdesk_queue"),
        ("helpdesk/tickets/export.<str:file_format>", downloads.tickets_export, "helpdesk_export"),
        ("helpdesk/tickets/<int:pk>/", views.ticket_view, "helpdesk_ticket"),
        ("helpdesk/tickets/<int:pk>/write/<str:action>/", views.ticket_write, "helpdesk_ticket_write"),
        ("helpdesk/tickets/<int:pk>/note/", views.ticket_note, "helpdesk_ticket_note"),
        ("helpdesk/tickets/<int:pk>/assign/", views.ticket_assign, "helpdesk_ticket_assign"),
        (
            "helpdesk/tickets/<int:pk>/attachment/<int:attachment_pk>/",
            downloads.attachment_download,
            "helpdesk_attachment",
        ),
    ]
)

register_audit_actions(transitions.AUDIT_ACTIONS)
