"""Reads of the circulars, each through the access rule (policy.py)."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from . import policy
from .models import Acknowledgement, Circular, CircularState, Recipient, Reply


def circulars_for_region(user):
    """Every circular (drafts included) for the Region's readers; nothing for anyone else."""
    if not policy.is_regional_reader(user):
        return Circular.objects.none()
    return Circular.objects.select_related("protocol_entry", "created_by", "sent_by")


def sent_with_counts(user):
    return (
        circulars_for_region(user)
        .annotate(
            recipient_count=Count("recipients", distinct=True),
            read_count=Count("recipients__acknowledgement", distinct=True),
        )
        .order_by("-sent_at", "-created_at")
    )


def inbox(user):
    """The recipient rows of the user's entities, for sent circulars: newest first, with
    whether each has been read (by anyone of the entity) and replied to."""
    ids = policy.reader_entity_ids(user)
    if not ids:
        return Recipient.objects.none()
    return (
        Recipient.objects.filter(entity_id__in=ids, circular__state=CircularState.SENT)
        .select_related("circular__protocol_entry", "entity", "acknowledgement")
        .annotate(has_replied=Exists(Reply.objects.filter(recipient=OuterRef("pk"))))
        .order_by("-circular__sent_at", "entity__name")
    )


def recipient_for(user, circular_pk):
    """The user's entity's recipient row of a sent circular, or None (not addressed to them).
    When the user acts for several recipient entities, the first by name."""
    return inbox(user).filter(circular_id=circular_pk).first()


def unread_count(user) -> int:
    return inbox(user).filter(acknowledgement__isnull=True).count()


class Status:
    READ = "read"
    UNREAD = "unread"
    REPLIED = "replied"


@dataclass(frozen=True)
class RecipientStatus:
    recipient: Recipient
    acknowledgement: Acknowledgement | None
    reply_count: int

    @property
    def status(self) -> str:
        if self.reply_count:
            return Status.REPLIED
        return Status.READ if self.acknowledgement else Status.UNREAD


def read_status(circular, *, status: str = "", kind: str = "", province: str = ""):
    """One line per recipient entity of `circular` (Region side): read by whom and when,
    replies; filtered by status (read – replied ones included –, unread, replied), kind, province."""
    rows = (
        circular.recipients.select_related("entity", "acknowledgement__read_by")
        .annotate(reply_count=Count("replies"))
        .order_by("entity__kind", "entity__name")
    )
    if kind:
        rows = rows.filter(entity__kind=kind)
    if province:
        rows = rows.filter(entity__province=province)
    if status == Status.UNREAD:
        rows = rows.filter(acknowledgement__isnull=True)
    elif status == Status.READ:
        rows = rows.filter(acknowledgement__isnull=False)
    elif status == Status.REPLIED:
        rows = rows.filter(reply_count__gt=0)
    # A missing reverse one-to-one raises an AttributeError subclass: getattr's default.
    return [RecipientStatus(row, getattr(row, "acknowledgement", None), row.reply_count) for row in rows]


def unread_recipients(circular):
    return circular.recipients.filter(acknowledgement__isnull=True).select_related("entity")


def not_replied_recipients(circular):
    return circular.recipients.filter(~Q(Exists(Reply.objects.filter(recipient=OuterRef("pk"))))).select_related(
        "entity"
    )


def replies(circular):
    return (
        Reply.objects.filter(recipient__circular=circular)
        .select_related("recipient__entity", "sent_by")
        .prefetch_related("attachments")
        .order_by("recipient__entity__name", "sent_at")
    )
