"""The notifications' tables: what each person was told (the in-admin list), the e-mail
outbox with its delivery log, and each person's choices.

A `Notification` is written in the transaction of the action it tells about, so it exists
exactly when the action does. Its e-mail is a `Delivery`, written in the same transaction
and sent by the background worker after the commit (core.notifications.services.send_due):
a failing mail server leaves it pending, retried with exponential backoff, then failed and
visible to the Region, never lost. A sent delivery stays as the log of what went to whom."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def of(self, user):
        """The notifications of `user`, and nobody else's (the one scope of every screen and API)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=64)
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, blank=True, default="")
    # Waiting for the recipient's daily digest (they chose one for this kind).
    digest_pending = models.BooleanField(_("waiting for the digest"), default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="core_notification_once_per_key",
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="core_notif_recipient_read")]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One e-mail to one address: the outbox row while pending, the log once sent.

    It carries what rendering needs (kind, context, link, language), so a delivery to an
    address that is no account yet (an accreditation requester) works like any other.
    `last_error` holds the error's class and SMTP code only, never the server's text
    (which may quote addresses)."""

    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification_deliveries",
        verbose_name=_("recipient"),
    )
    to_address = models.EmailField(_("address"))
    kind = models.CharField(_("kind"), max_length=64)
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    url = models.CharField(_("link"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=10, default="it")
    # [{"storage": "private", "name": "<path in that storage>", "filename": ..., "mimetype": ...}]
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        ordering = ["-created_at", "-pk"]
        permissions = [("resend_delivery", _("Can re-send notification e-mails"))]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="core_delivery_due")]

    def __str__(self):
        return f"{self.kind} → {self.to_address} ({self.state})"


class DeliveryMode(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DIGEST = "digest", _("In a daily digest")


class NotificationPreference(models.Model):
    """A person's choice for one kind: e-mail or not, at once or in the daily digest. The
    in-admin list always shows every notification. No row means e-mail at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=64)
    email = models.BooleanField(_("by e-mail"), default=True)
    mode = models.CharField(_("when"), max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.IMMEDIATE)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="core_notification_pref_once")]

    def __str__(self):
        return f"{self.user_id} {self.kind}"
