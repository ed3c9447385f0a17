"""Admin hooks of the helpdesk: the menu, the screens' URLs (helpdesk/admin/) and the labels
of the audit-log actions."""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import policy, transitions
from .admin import downloads, views


class OurTicketsMenuItem(MenuItem):
    """'Helpdesk' for the entities' people: their own entity's tickets."""

    def is_shown(self, request):
        return policy.can_see_tickets(request.user) and not policy.handles_tickets(request.user)


class QueueMenuItem(MenuItem):
    """'Helpdesk queue' for the Region's helpdesk staff."""

    def is_shown(self, request):
        return policy.handles_tickets(request.user)


@hooks.register("register_admin_menu_item")
def register_tickets_menu_item():
    return OurTicketsMenuItem(
        _("Helpdesk"), reverse_lazy("helpdesk_tickets"), name="helpdesk", icon_name="help", order=260
    )


@hooks.register("register_admin_menu_item")
def register_queue_menu_item():
    return QueueMenuItem(
        _("Helpdesk queue"), reverse_lazy("helpdesk_queue"), name="helpdesk-queue", icon_name="help", order=261
    )


@hooks.register("register_admin_urls")
def register_helpdesk_urls():
    return [
        path("helpdesk/tickets/", views.ticket_list, name="helpdesk_tickets"),
        path("helpdesk/tickets/new/", views.ticket_new, name="helpdesk_ticket_new"),
        path("helpdesk/tickets/faq/", views.faq_proposals, name="helpdesk_faq_proposals"),
        path("helpdesk/tickets/queue/", views.queue_view, name="helpdesk_queue"),
        path("helpdesk/tickets/export.<str:file_format>", downloads.tickets_export, name="helpdesk_export"),
        path("helpdesk/tickets/<int:pk>/", views.ticket_view, name="helpdesk_ticket"),
        path("helpdesk/tickets/<int:pk>/write/<str:action>/", views.ticket_write, name="helpdesk_ticket_write"),
        path("helpdesk/tickets/<int:pk>/note/", views.ticket_note, name="helpdesk_ticket_note"),
        path("helpdesk/tickets/<int:pk>/assign/", views.ticket_assign, name="helpdesk_ticket_assign"),
        path(
            "helpdesk/tickets/<int:pk>/attachment/<int:attachment_pk>/",
            downloads.attachment_download,
            name="helpdesk_attachment",
        ),
    ]


@hooks.register("register_log_actions")
def register_helpdesk_log_actions(actions):
    for action, label in transitions.AUDIT_ACTIONS.items():
        actions.register_action(action, label, label)
