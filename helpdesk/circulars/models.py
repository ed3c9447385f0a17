"""Circulars (comunicazioni ufficiali) from the Region to the ARCA and the Comuni.

A circular is composed as a draft, then sent once: sending gives it a protocol entry (the
same gapless register as the submissions, calls.ProtocolEntry) and freezes its recipients,
one `Recipient` row per entity, resolved from the audience at that moment (a later change of
an ARCA's coverage does not change who received it). A sent circular never changes; a
correction is a new circular.

The acknowledgement (presa visione) is one row per recipient entity, unique, written by the
first of its people who opens the circular; replies (text and PDF attachments) belong to
the recipient entity."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField

from core.files import private_storage
from registry.models import Entity, Province

# What a circular's body may hold: paragraphs, emphasis, lists, links and small headings.
BODY_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link"]


class Audience(models.TextChoices):
    ALL = "all", _("All entities (ARCA and Comuni)")
    ALL_COMUNI = "all_comuni", _("All Comuni")
    ALL_ARCA = "all_arca", _("All ARCA")
    PROVINCE = "province", _("A province (its ARCA and Comuni)")
    ARCA_AND_COMUNI = "arca_and_comuni", _("An ARCA and the Comuni it covers")
    LIST = "list", _("Entities chosen one by one")


class CircularState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")


class CircularImmutable(Exception):
    """A sent circular was about to change."""


class Circular(models.Model):
    subject = models.CharField(_("subject"), max_length=200)
    body = RichTextField(_("text"), features=BODY_FEATURES)
    audience = models.CharField(_("recipients"), max_length=20, choices=Audience.choices)
    audience_province = models.CharField(_("province"), max_length=2, choices=Province.choices, blank=True)
    audience_arca = models.ForeignKey(
        Entity, verbose_name=_("ARCA"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    audience_entities = models.ManyToManyField(Entity, verbose_name=_("chosen entities"), blank=True, related_name="+")
    reply_by = models.DateField(_("reply by"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=CircularState.choices, default=CircularState.DRAFT)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    protocol_entry = models.OneToOneField(
        "calls.ProtocolEntry",
        verbose_name=_("protocol entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circular",
    )

    class Meta:
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        ordering = ["-sent_at", "-created_at"]
        permissions = [
            ("send_circular", _("Can send circulars")),
            ("remind_circular", _("Can remind the recipients of a circular")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="draft") | models.Q(protocol_entry__isnull=False, sent_at__isnull=False),
                name="circular_sent_has_protocol",
            )
        ]

    def __str__(self):
        return self.subject

    def save(self, *args, **kwargs):
        # The service moves a draft to sent in one save; after that nothing changes.
        if self.pk and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored == CircularState.SENT:
                raise CircularImmutable(f"Circular {self.pk} is sent and cannot change.")
        super().save(*args, **kwargs)

    @property
    def is_sent(self) -> bool:
        return self.state == CircularState.SENT

    @property
    def protocol_number(self) -> str:
        return self.protocol_entry.number if self.protocol_entry_id else ""


def circular_attachment_path(instance, filename):
    return f"circulars/{instance.circular_id}/{timezone.now():%Y%m%d%H%M%S%f}.pdf"


class CircularAttachment(models.Model):
    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("document"), max_length=200)
    file = models.FileField(_("file"), storage=private_storage, upload_to=circular_attachment_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment of a circular")
        verbose_name_plural = _("attachments of circulars")
        ordering = ["circular", "pk"]

    def __str__(self):
        return self.name


class Recipient(models.Model):
    """One entity a sent circular was addressed to, frozen at sending."""

    circular = models.ForeignKey(Circular, on_delete=models.PROTECT, related_name="recipients")
    entity = models.ForeignKey(Entity, verbose_name=_("entity"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["circular", "entity__kind", "entity__name"]
        constraints = [models.UniqueConstraint(fields=["circular", "entity"], name="circular_recipient_once")]

    def __str__(self):
        return f"{self.circular} → {self.entity}"


class Acknowledgement(models.Model):
    """The presa visione: once per recipient entity (the unique key settles two first
    readers at the same moment), with the person who opened it first and when."""

    recipient = models.OneToOneField(Recipient, on_delete=models.PROTECT, related_name="acknowledgement")
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("read by"), on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("acknowledgement (presa visione)")
        verbose_name_plural = _("acknowledgements")

    def __str__(self):
        return f"{self.recipient}: {self.read_at:%d/%m/%Y %H:%M}"


class Reply(models.Model):
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="replies")
    text = models.TextField(_("reply"), max_length=10000)
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("reply to a circular")
        verbose_name_plural = _("replies to circulars")
        ordering = ["recipient", "sent_at"]

    def __str__(self):
        return f"{self.recipient} ({self.sent_at:%d/%m/%Y})"


def reply_attachment_path(instance, filename):
    return f"circulars/replies/{instance.reply_id}/{timezone.now():%Y%m%d%H%M%S%f}.pdf"


class ReplyAttachment(models.Model):
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("document"), max_length=200)
    file = models.FileField(_("file"), storage=private_storage, upload_to=reply_attachment_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        verbose_name = _("attachment of a reply")
        verbose_name_plural = _("attachments of replies")
        ordering = ["reply", "pk"]

    def __str__(self):
        return self.name


class ReminderKind(models.TextChoices):
    UNREAD = "unread", _("Reminder to read")
    DEADLINE_7 = "deadline_7", _("Reply due in 7 days")
    DEADLINE_3 = "deadline_3", _("Reply due in 3 days")
    DEADLINE_1 = "deadline_1", _("Reply due in 1 day")


class Reminder(models.Model):
    """A reminder sent about a circular: by a person to the entities that had not read it
    (at most once a day), or automatically before the reply-by date to those that had not
    replied (once per threshold: the unique key)."""

    circular = models.ForeignKey(Circular, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entities = models.PositiveIntegerField(_("entities reminded"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["circular", "sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["circular", "kind", "sent_on"], name="circular_reminder_once_a_day"),
            models.UniqueConstraint(
                fields=["circular", "kind"],
                condition=~models.Q(kind="unread"),
                name="circular_deadline_reminder_once",
            ),
        ]

    def __str__(self):
        return f"{self.circular}: {self.get_kind_display()} {self.sent_on:%d/%m/%Y}"
