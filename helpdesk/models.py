"""The helpdesk: an entity's tickets to the Region, their thread of messages and attachments.

A ticket belongs to one entity (an ARCA or a Comune): the access rule (registry/access.py)
decides who reads it, by that entity. Its state says whose turn it is (the Region's, or the
entity's after a reply or a request for information) and moves only through
helpdesk/transitions.py. The Region's internal notes are messages of kind NOTE: every reader
of the entity's side filters them out through `Message.objects.for_entity()`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import private_storage
from registry.models import Entity


class Topic(models.TextChoices):
    ACCREDITATION = "accreditation", _("Accreditation")
    PROPERTY_REGISTER = "property_register", _("Property register")
    CALLS = "calls", _("Calls and funds")
    TECHNICAL = "technical", _("Technical questions")


class TicketState(models.TextChoices):
    OPEN = "open", _("Waiting for the Region")
    ANSWERED = "answered", _("Answered by the Region")
    INFO_REQUESTED = "info_requested", _("Information requested")
    RESOLVED = "resolved", _("Resolved")


# States in which the ticket is still being handled.
ACTIVE_STATES = (TicketState.OPEN, TicketState.ANSWERED, TicketState.INFO_REQUESTED)


class Ticket(models.Model):
    entity = models.ForeignKey(Entity, verbose_name=_("entity"), on_delete=models.PROTECT, related_name="tickets")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    subject = models.CharField(_("subject"), max_length=200)
    state = models.CharField(_("state"), max_length=20, choices=TicketState.choices, default=TicketState.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the ticket is about, where there is one: at most one of these, of the ticket's own
    # entity (helpdesk/services.py checks it).
    call = models.ForeignKey(
        "calls.Call", verbose_name=_("call"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submission = models.ForeignKey(
        "calls.Submission",
        verbose_name=_("submission"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    import_job = models.ForeignKey(
        "registry.ImportJob",
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last activity"), default=timezone.now)
    # Timings for the dashboards: set by the services, never by a form.
    first_response_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-updated_at", "-pk"]
        permissions = [("handle_ticket", _("Can handle the entities' tickets (reply, assign, resolve)"))]
        constraints = [
            models.CheckConstraint(
                condition=~(
                    Q(call__isnull=False, submission__isnull=False)
                    | Q(call__isnull=False, import_job__isnull=False)
                    | Q(submission__isnull=False, import_job__isnull=False)
                ),
                name="ticket_at_most_one_related_object",
            ),
        ]
        indexes = [models.Index(fields=["state", "entity"]), models.Index(fields=["created_at"])]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    @property
    def reference(self) -> str:
        return f"HD-{self.pk:06d}" if self.pk else ""

    @property
    def related_object(self):
        return self.call or self.submission or self.import_job

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message from the entity")
    REPLY = "reply", _("Reply from the Region")
    INFO_REQUEST = "info_request", _("Request for information")
    RESOLUTION = "resolution", _("Resolution")
    REOPENING = "reopening", _("Reopening")
    NOTE = "note", _("Internal note of the Region")


# Messages written by the Region's staff (the first of them is the first response).
REGION_KINDS = (MessageKind.REPLY, MessageKind.INFO_REQUEST, MessageKind.RESOLUTION)


class MessageQuerySet(models.QuerySet):
    def for_entity(self):
        """What the entity's people may read: everything but the Region's internal notes."""
        return self.exclude(kind=MessageKind.NOTE)


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    body = models.TextField(_("message"), max_length=10000)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.ticket_id}"

    @property
    def internal(self) -> bool:
        return self.kind == MessageKind.NOTE


def attachment_path(instance, filename):
    return f"helpdesk/{instance.message.ticket.entity.code}/{timezone.now():%Y%m%d%H%M%S%f}{instance.extension}"


class TicketAttachment(models.Model):
    """A file sent with a message (never with an internal note): private, checked by content."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), storage=private_storage, upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name

    @property
    def extension(self) -> str:
        return {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(self.content_type, "")
