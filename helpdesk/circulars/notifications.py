"""What the circulars tell people (gathered by core.notifications.kinds)."""

from django.utils.translation import gettext_lazy as _

from core.notifications.kinds import Kind

KINDS = (
    Kind("circular_sent", _("A circular addressed to my entity")),
    Kind("circular_unread_reminder", _("Reminder of a circular my entity has not read")),
    Kind("circular_reply_due", _("Reminder of a reply due to a circular")),
    Kind("circular_replied", _("An entity replied to a circular I sent")),
)


def deadline_reminders(now) -> int:
    """The reply-by reminders (7, 3 and 1 days before), once per threshold; called by the
    reminders command. Returns how many entities were reminded."""
    from .services import send_deadline_reminders

    return send_deadline_reminders(now=now)
