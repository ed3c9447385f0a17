"""A ticket's files and the export of the tickets a person may read.

Every file goes through core.files.private_download (the audit entry on the ticket's
history); the ticket is found through the access rule first (views.ticket_for) and the file
only among the messages its reader may read (no file of an internal note reaches the entity)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.exports import spreadsheet_response
from core.files import private_download

from .. import policy, selectors
from .views import ticket_for

EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_HEADERS = [
    gettext_lazy("Reference"),
    gettext_lazy("Entity"),
    gettext_lazy("Topic"),
    gettext_lazy("Subject"),
    gettext_lazy("State"),
    gettext_lazy("Opened at"),
    gettext_lazy("First answered at"),
    gettext_lazy("Resolved at"),
]


def attachment_download(request, pk, attachment_pk):
    ticket = ticket_for(request, pk)
    attachment = selectors.attachment_for(request.user, ticket, attachment_pk)
    if attachment is None:
        raise Http404
    return private_download(
        attachment.file,
        attachment.original_name,
        attachment.content_type,
        request=request,
        instance=ticket,
        kind="ticket_attachment",
        sha256=attachment.sha256,
    )


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def tickets_export(request, file_format):
    """The tickets the person may read (the Region: all; an entity's people: their own)."""
    if file_format not in EXPORT_FORMATS:
        raise Http404
    if not policy.can_see_tickets(request.user):
        raise PermissionDenied
    tickets = selectors.tickets_visible_to(request.user).order_by("pk")
    rows = (
        [
            ticket.reference,
            ticket.entity.display_name,
            ticket.get_topic_display(),
            ticket.subject,
            ticket.get_state_display(),
            _local(ticket.created_at),
            _local(ticket.first_response_at),
            _local(ticket.resolved_at),
        ]
        for ticket in tickets.iterator()
    )
    return spreadsheet_response(
        request,
        EXPORT_HEADERS,
        rows,
        filename=f"segnalazioni-{timezone.localdate():%Y%m%d}",
        file_format=file_format,
        source="helpdesk.tickets",
    )
