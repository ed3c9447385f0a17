"""Writing tickets: each use case atomic, asking helpdesk/policy.py once, audited with Wagtail
log entries on the ticket, and notifying after the write (helpdesk/notifications.py, through
core.notifications.notify, which writes in the same transaction).

- open_ticket: an entity's person opens a ticket with its first message and files;
- write: a message that moves the ticket (helpdesk/transitions.TRANSITIONS: the entity's
  reply, the Region's reply, request for information, resolution, a reopening);
- add_note: the Region's internal note (no state change, no notification to the entity);
- assign: the Region gives the ticket to one of its helpdesk staff.

Files are checked by content and size (helpdesk/attachments.py) before anything is written,
so a refused file leaves nothing behind."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from . import notifications, policy, transitions
from .attachments import MAX_FILES_PER_MESSAGE, validate_attachment
from .models import Message, MessageKind, Ticket, TicketAttachment, Topic


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write the message.")]}, code="required")
    if len(body) > Message._meta.get_field("body").max_length:
        raise ValidationError({"body": [_("The message is too long.")]}, code="max_length")
    return body


def _checked_files(files) -> list:
    files = [file for file in (files or ()) if file]
    if len(files) > MAX_FILES_PER_MESSAGE:
        raise ValidationError(
            {"files": [_("At most %(count)d files per message.") % {"count": MAX_FILES_PER_MESSAGE}]}, code="too_many"
        )
    checked = []
    for uploaded in files:
        try:
            checked.append((uploaded, validate_attachment(uploaded)))
        except ValidationError as error:
            raise ValidationError(
                {"files": [f"{uploaded.name}: {message}" for message in error.messages]}, code=error.code
            )
    return checked


def _store_files(message: Message, checked) -> list:
    stored = []
    for uploaded, verdict in checked:
        attachment = TicketAttachment(
            message=message,
            original_name=(uploaded.name or "file")[-200:],
            content_type=verdict.content_type,
            sha256=verdict.sha256,
            size=uploaded.size,
        )
        attachment.file.save(f"file{attachment.extension}", uploaded, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def check_related(*, entity, call=None, submission=None, import_job=None) -> None:
    """A ticket names at most one related object, and only one its entity may point at: a
    published call, a submission of the entity itself, an import of the entity itself."""
    from calls.selectors import published_calls

    given = [obj for obj in (call, submission, import_job) if obj is not None]
    if len(given) > 1:
        raise ValidationError(_("Choose at most one related object."), code="related")
    entity_id = getattr(entity, "pk", entity)
    if call is not None and not published_calls().filter(pk=call.pk).exists():
        raise ValidationError({"call": [_("No such call.")]}, code="related")
    if submission is not None and submission.comune_id != entity_id:
        raise ValidationError({"submission": [_("The submission is not of this entity.")]}, code="related")
    if import_job is not None and import_job.owner_id != entity_id:
        raise ValidationError({"import_job": [_("The import is not of this entity.")]}, code="related")


def open_ticket(
    *, entity, topic: str, subject: str, body: str, by, files=(), call=None, submission=None, import_job=None
) -> Ticket:
    """Open a ticket for `entity` with its first message (and files). Only a person acting
    for the entity may (PermissionDenied otherwise); the related object, if any, must be the
    entity's (ValidationError). Atomic; audited; the Region's staff are notified."""
    if not policy.can_open_ticket(by, entity):
        raise PermissionDenied(_("You may not open a ticket for this entity."))
    if topic not in Topic.values:
        raise ValidationError({"topic": [_("Choose the topic.")]}, code="invalid_choice")
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": [_("Write the subject.")]}, code="required")
    if len(subject) > Ticket._meta.get_field("subject").max_length:
        raise ValidationError({"subject": [_("The subject is too long.")]}, code="max_length")
    body = _check_body(body)
    check_related(entity=entity, call=call, submission=submission, import_job=import_job)
    checked = _checked_files(files)
    now = timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.create(
            entity=entity,
            author=by,
            topic=topic,
            subject=subject,
            call=call,
            submission=submission,
            import_job=import_job,
            created_at=now,
            updated_at=now,
        )
        message = Message.objects.create(ticket=ticket, author=by, kind=MessageKind.MESSAGE, body=body, created_at=now)
        stored = _store_files(message, checked)
        log(
            instance=ticket,
            action="push.ticket.open",
            user=by,
            data={"topic": topic, "files": [attachment.sha256 for attachment in stored]},
        )
        notifications.ticket_opened(ticket, by=by)
    return ticket


def write(*, ticket: Ticket, action: str, body: str, by, files=()) -> Message:
    """Write a message that moves the ticket by `action` of helpdesk/transitions.TRANSITIONS
    (which checks the side and the state). Atomic with the move; audited by it; the other
    side is notified."""
    if action not in transitions.TRANSITIONS:
        raise ValidationError(_("Unknown action."), code="action")
    transition = transitions.TRANSITIONS[action]
    if not policy.can_take(by, ticket, transition):
        raise PermissionDenied(_("You may not do this to this ticket."))
    body = _check_body(body)
    checked = _checked_files(files)
    with transaction.atomic():
        moved = transitions.move_ticket(ticket, action, by, data={"files": len(checked)})
        message = Message.objects.create(
            ticket=moved, author=by, kind=transition.message_kind, body=body, created_at=moved.updated_at
        )
        _store_files(message, checked)
        notifications.after_transition(moved, action, by=by)
    ticket.refresh_from_db()
    return message


def add_note(*, ticket: Ticket, body: str, by) -> Message:
    """An internal note of the Region: read by the Region's staff only; no state change, no
    notification, no files."""
    if not policy.handles_tickets(by):
        raise PermissionDenied(_("Only the Region's helpdesk staff write internal notes."))
    body = _check_body(body)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        message = Message.objects.create(ticket=locked, author=by, kind=MessageKind.NOTE, body=body)
        log(instance=locked, action="push.ticket.note", user=by, data={"message": message.pk})
    return message


def assign(*, ticket: Ticket, assignee, by) -> Ticket:
    """Give the ticket to one of the Region's helpdesk staff (or to nobody: None)."""
    if not policy.handles_tickets(by):
        raise PermissionDenied(_("Only the Region's helpdesk staff assign tickets."))
    if assignee is not None and not (assignee.is_active and policy.handles_tickets(assignee)):
        raise ValidationError({"assignee": [_("Tickets are assigned to the Region's helpdesk staff only.")]})
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        old = locked.assignee_id
        locked.assignee = assignee
        locked.save(update_fields=["assignee"])
        log(
            instance=locked,
            action="push.ticket.assign",
            user=by,
            data={"from": old, "to": getattr(assignee, "pk", None)},
        )
    ticket.refresh_from_db()
    return ticket
