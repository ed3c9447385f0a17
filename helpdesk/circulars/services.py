"""Use cases of the circulars: the Region composes, sends and reminds; an entity reads
(the acknowledgement) and replies.

Every service is keyword-only and atomic, asks policy.py once whether the person may act,
and writes the audit log (Wagtail log entries, shown in the circular's history).
A sent circular never changes."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail.log_actions import log

from calls.models import ProtocolKind
from calls.services import register_protocol
from core.files import validate_pdf
from core.notifications import message, notify, notify_each
from registry.models import EntityKind, Membership, Role

from . import audience, policy, selectors
from .models import (
    Acknowledgement,
    Audience,
    Circular,
    CircularAttachment,
    CircularState,
    Recipient,
    Reminder,
    ReminderKind,
    Reply,
    ReplyAttachment,
)

MAX_ATTACHMENTS = 10
# Thresholds of the reply-by reminders, in days before the date, largest first.
DEADLINE_THRESHOLDS = ((7, ReminderKind.DEADLINE_7), (3, ReminderKind.DEADLINE_3), (1, ReminderKind.DEADLINE_1))

AUDIT_ACTIONS = {
    "push.circular.draft": _lazy("Circular drafted"),
    "push.circular.sent": _lazy("Circular sent"),
    "push.circular.read": _lazy("Circular read (presa visione)"),
    "push.circular.reply": _lazy("Reply to a circular"),
    "push.circular.reminder": _lazy("Reminder sent"),
}


def _attachment_name(uploaded) -> str:
    name = uploaded.name.rsplit("/", 1)[-1]
    return (name[:-4] if name.lower().endswith(".pdf") else name)[:200] or "allegato"


def _checked_files(files) -> list:
    files = [file for file in files or () if file]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("At most %(count)d attachments.") % {"count": MAX_ATTACHMENTS}, code="too_many_attachments"
        )
    checked = []
    for uploaded in files:
        try:
            sha256 = validate_pdf(uploaded)
        except ValidationError as error:
            raise ValidationError(
                [f"{uploaded.name[:100]}: {message}" for message in error.messages], code="attachment"
            ) from error
        checked.append((uploaded, sha256))
    return checked


def _check_audience(*, audience_kind, province, arca, chosen):
    if audience_kind not in Audience.values:
        raise ValidationError(_("Choose the recipients."), code="audience")
    if audience_kind == Audience.PROVINCE and not province:
        raise ValidationError(_("Choose the province."), code="audience")
    if audience_kind == Audience.ARCA_AND_COMUNI and (arca is None or arca.kind != EntityKind.ARCA):
        raise ValidationError(_("Choose the ARCA."), code="audience")
    if audience_kind == Audience.LIST and not chosen:
        raise ValidationError(_("Choose at least one entity."), code="audience")


def create_draft(
    *,
    by,
    subject: str,
    body: str,
    audience_kind: str,
    province: str = "",
    arca=None,
    chosen=(),
    reply_by=None,
    attachments=(),
) -> Circular:
    """A draft circular with its attachments (PDF, checked by content and size). Nothing is
    sent: the draft is shown with its recipients and protocol for confirmation (send)."""
    if not policy.can_send(by):
        raise PermissionDenied(_("Only the Region's administrators send circulars."))
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError(_("Write the subject."), code="subject")
    _check_audience(audience_kind=audience_kind, province=province, arca=arca, chosen=chosen)
    if reply_by is not None and reply_by <= timezone.localdate():
        raise ValidationError(_("The reply-by date must be after today."), code="reply_by")
    checked = _checked_files(attachments)
    with transaction.atomic():
        circular = Circular.objects.create(
            subject=subject,
            body=body,
            audience=audience_kind,
            audience_province=province if audience_kind == Audience.PROVINCE else "",
            audience_arca=arca if audience_kind == Audience.ARCA_AND_COMUNI else None,
            reply_by=reply_by,
            created_by=by,
        )
        if audience_kind == Audience.LIST:
            circular.audience_entities.set(audience.recipient_entities(audience=Audience.LIST, chosen=chosen))
        for uploaded, sha256 in checked:
            CircularAttachment.objects.create(
                circular=circular, name=_attachment_name(uploaded), file=uploaded, sha256=sha256, size=uploaded.size
            )
        log(instance=circular, action="push.circular.draft", user=by, data={"attachments": len(checked)})
    return circular


def _frozen_content(circular, entities) -> dict:
    return {
        "subject": circular.subject,
        "audience": circular.audience,
        "province": circular.audience_province,
        "arca": circular.audience_arca.code if circular.audience_arca_id else "",
        "recipients": len(entities),
        "recipient_codes": [entity.code for entity in entities],
        "reply_by": circular.reply_by.isoformat() if circular.reply_by else "",
        "attachments": [{"name": item.name, "sha256": item.sha256} for item in circular.attachments.all()],
    }


def open_url(circular) -> str:
    return reverse("circulars_open", args=[circular.pk])


def people_by_entity(entity_ids) -> dict[int, list[int]]:
    """The ids of the people told of a circular for each entity, in one query: the same
    people as registry.recipients.people_of(entity) (its officers of every area and its legal
    representatives, active memberships of active accounts), for hundreds of entities at once."""
    people: dict[int, list[int]] = {entity_id: [] for entity_id in entity_ids}
    memberships = (
        Membership.objects.active()
        .filter(entity_id__in=list(people), role__in=(Role.OFFICER, Role.LEGAL_REPRESENTATIVE), user__is_active=True)
        .order_by("entity_id", "user_id")
        .values_list("entity_id", "user_id")
        .distinct()
    )
    for entity_id, user_id in memberships:
        people[entity_id].append(user_id)
    return people


def _tell_entities(*, kind: str, circular, recipients, context, dedupe_key) -> int:
    """One notification of `kind` to the people of each recipient entity, with the entity's
    name in the context and `dedupe_key(entity_id)` as its key: a fixed number of queries
    whatever the number of entities (a circular to all of Puglia's)."""
    entities = [getattr(recipient, "entity", recipient) for recipient in recipients]
    people = people_by_entity([entity.pk for entity in entities])
    return notify_each(
        kind=kind,
        messages=[
            message(
                recipients=people[entity.pk],
                context={**context, "entity": entity.display_name},
                url=open_url(circular),
                dedupe_key=dedupe_key(entity.pk),
            )
            for entity in entities
        ],
    )


def send(*, circular: Circular, by) -> Circular:
    """Send a draft: resolve its audience into one Recipient per entity (frozen from now on),
    register the protocol entry (next gapless number, in this transaction, kept on the
    circular), mark it sent, write the audit entry and the recipients' notifications.
    Atomic; a second sending of the same circular is refused."""
    if not policy.can_send(by):
        raise PermissionDenied(_("Only the Region's administrators send circulars."))
    with transaction.atomic():
        circular = Circular.objects.select_for_update(of=("self",)).select_related("audience_arca").get(pk=circular.pk)
        if circular.state != CircularState.DRAFT:
            raise ValidationError(_("This circular has already been sent."), code="state")
        if circular.reply_by is not None and circular.reply_by <= timezone.localdate():
            raise ValidationError(_("The reply-by date must be after today."), code="reply_by")
        entities = list(audience.of_circular(circular))
        if not entities:
            raise ValidationError(_("The chosen recipients are no entity: nothing to send."), code="no_recipients")
        Recipient.objects.bulk_create([Recipient(circular=circular, entity=entity) for entity in entities])
        # As late as possible: the protocol counter stays locked until this transaction commits.
        entry = register_protocol(kind=ProtocolKind.CIRCULAR, by=by, content=_frozen_content(circular, entities))
        Circular.objects.filter(pk=circular.pk).update(
            state=CircularState.SENT, sent_at=entry.registered_at, sent_by=by, protocol_entry=entry
        )
        circular.refresh_from_db()
        log(
            instance=circular,
            action="push.circular.sent",
            user=by,
            data={"protocol": entry.number, "recipients": len(entities)},
        )
        _tell_entities(
            kind="circular_sent",
            circular=circular,
            recipients=entities,
            context=_context(circular),
            dedupe_key=lambda entity_id: f"circular:{circular.pk}:sent:{entity_id}",
        )
    return circular


def _context(circular) -> dict:
    # "title", not "subject": the e-mail's rendering gives "subject" the e-mail's own subject line.
    return {
        "title": circular.subject,
        "protocol": circular.protocol_number,
        "reply_by": circular.reply_by.strftime("%d/%m/%Y") if circular.reply_by else "",
    }


def acknowledge(*, recipient: Recipient, by) -> bool:
    """Record the presa visione of `recipient`'s entity by `by`, if nobody of the entity has
    read the circular yet: True if this call recorded it. Opening it again, or a colleague
    opening it later, changes nothing; two first readers at once record one (the unique key)."""
    if not policy.can_read_as(by, recipient):
        raise PermissionDenied(_("This circular is not addressed to your entity."))
    if Acknowledgement.objects.filter(recipient=recipient).exists():
        return False
    try:
        with transaction.atomic():
            Acknowledgement.objects.create(recipient=recipient, read_by=by, read_at=timezone.now())
            log(
                instance=recipient.circular,
                action="push.circular.read",
                user=by,
                data={"entity": recipient.entity.code},
            )
    except IntegrityError:
        return False  # a colleague opened it in the same instant, and was first
    return True


def reply(*, recipient: Recipient, by, text: str, attachments=()) -> Reply:
    """The entity's reply (text and PDF attachments). Replying implies reading: the
    acknowledgement is recorded if it was not yet. The Region's readers are told."""
    if not policy.can_reply_as(by, recipient):
        raise PermissionDenied(_("This circular is not addressed to your entity."))
    if recipient.circular.reply_by is None:
        raise ValidationError(_("This circular asks for no reply."), code="no_reply")
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the reply."), code="text")
    if len(text) > 10000:
        raise ValidationError(_("The reply is longer than 10,000 characters."), code="text")
    checked = _checked_files(attachments)
    acknowledge(recipient=recipient, by=by)
    with transaction.atomic():
        answer = Reply.objects.create(recipient=recipient, text=text, sent_at=timezone.now(), sent_by=by)
        for uploaded, sha256 in checked:
            ReplyAttachment.objects.create(
                reply=answer, name=_attachment_name(uploaded), file=uploaded, sha256=sha256, size=uploaded.size
            )
        log(
            instance=recipient.circular,
            action="push.circular.reply",
            user=by,
            data={"entity": recipient.entity.code, "reply": answer.pk, "attachments": len(checked)},
        )
        circular = recipient.circular
        notify(
            kind="circular_replied",
            recipients=[circular.sent_by_id] if circular.sent_by_id else [],
            context={**_context(circular), "entity": recipient.entity.display_name},
            url=reverse("circulars_status", args=[circular.pk]),
            dedupe_key=f"circular:{circular.pk}:reply:{answer.pk}",
        )
    return answer


class ReminderRefused(ValidationError):
    pass


def last_unread_reminder(circular):
    return circular.reminders.filter(kind=ReminderKind.UNREAD).order_by("-sent_at").first()


def remind_unread(*, circular: Circular, by) -> int:
    """Remind the entities that have not read `circular` yet: at most once a day (Europe/Rome
    calendar day), so that an entity is never flooded; returns how many entities were
    reminded (0 when all have read it, and then nothing is recorded)."""
    if not policy.can_remind(by):
        raise PermissionDenied(_("Only the Region's administrators send reminders."))
    today = timezone.localdate()
    with transaction.atomic():
        circular = Circular.objects.select_for_update().get(pk=circular.pk)
        if not circular.is_sent:
            raise ValidationError(_("A draft has no recipients to remind."), code="state")
        if circular.reminders.filter(kind=ReminderKind.UNREAD, sent_on=today).exists():
            raise ReminderRefused(
                _("A reminder was already sent today: the entities can be reminded again tomorrow."),
                code="reminded_today",
            )
        unread = list(selectors.unread_recipients(circular))
        if not unread:
            return 0
        Reminder.objects.create(
            circular=circular,
            kind=ReminderKind.UNREAD,
            sent_on=today,
            sent_at=timezone.now(),
            sent_by=by,
            entities=len(unread),
        )
        _tell_entities(
            kind="circular_unread_reminder",
            circular=circular,
            recipients=unread,
            context=_context(circular),
            dedupe_key=lambda entity_id: f"circular:{circular.pk}:unread:{today.isoformat()}:{entity_id}",
        )
        log(
            instance=circular,
            action="push.circular.reminder",
            user=by,
            data={"kind": ReminderKind.UNREAD, "entities": len(unread)},
        )
    return len(unread)


def due_threshold(reply_by: datetime.date, today: datetime.date):
    """The reminder due on `today` for a reply-by date: the smallest threshold (7, 3, 1 days)
    that `today` has reached, or None on the reply-by date and after (never after)."""
    days_left = (reply_by - today).days
    if days_left < 1:
        return None
    due = None
    for days, kind in DEADLINE_THRESHOLDS:
        if days_left <= days:
            due = (days, kind)
    return due


def send_deadline_reminders(*, now=None) -> int:
    """Remind, once per threshold, the recipient entities that have not replied to a circular
    whose reply-by date is 7, 3 or 1 days away. A threshold missed (the job did not run) is
    folded into the next one; nothing is sent on or after the date. Idempotent: returns the
    number of entities reminded by this run."""
    today = timezone.localdate(now or timezone.now())
    reminded = 0
    candidates = Circular.objects.filter(
        state=CircularState.SENT, reply_by__gt=today, reply_by__lte=today + datetime.timedelta(days=7)
    )
    for circular in candidates:
        due = due_threshold(circular.reply_by, today)
        if due is None:
            continue
        days, kind = due
        with transaction.atomic():
            locked = Circular.objects.select_for_update().get(pk=circular.pk)
            if locked.reminders.filter(kind__in=[k for d, k in DEADLINE_THRESHOLDS if d <= days]).exists():
                continue  # this threshold (or a closer one) was already sent
            waiting = list(selectors.not_replied_recipients(locked))
            Reminder.objects.create(
                circular=locked, kind=kind, sent_on=today, sent_at=timezone.now(), sent_by=None, entities=len(waiting)
            )
            _tell_entities(
                kind="circular_reply_due",
                circular=locked,
                recipients=waiting,
                context={**_context(locked), "days_left": (locked.reply_by - today).days},
                dedupe_key=lambda entity_id, locked=locked, kind=kind: f"circular:{locked.pk}:{kind}:{entity_id}",
            )
            log(
                instance=locked,
                action="push.circular.reminder",
                user=None,
                data={"kind": kind, "entities": len(waiting)},
            )
            reminded += len(waiting)
    return reminded
