"""One notification service for the whole product.

Every app tells people things through `notify`: it writes the notifications in the
caller's transaction (the outbox) and the background worker e-mails them after the commit,
so an action never waits for, or fails because of, the mail server. Kinds are declared by
each app in its own `notifications.py` (`KINDS`), gathered by `core.notifications.kinds`."""

from django.utils.translation import gettext_lazy as _

from .kinds import Kind


def _digest_context(context: dict) -> dict:
    from .models import Notification
    from .services import absolute, subject_of

    ids = context.get("notification_ids", [])
    items = Notification.objects.filter(pk__in=ids).order_by("created_at", "pk")
    return {
        "items": [{"subject": subject_of(item), "url": absolute(item.url), "at": item.created_at} for item in items]
    }


# The daily digest gathers the other kinds; it is sent to whoever chose a digest.
KINDS = (Kind("digest", _("Daily digest"), render_context=_digest_context, always_email=True),)


def notify(
    *,
    kind: str,
    recipients,
    context: dict | None = None,
    url: str = "",
    dedupe_key: str = "",
    attachments=(),
) -> int:
    """Notify `recipients` (users, or user ids) of an event of `kind`.

    `context` must be JSON-serialisable (it is stored with the notification and rendered, in
    each recipient's language, when the e-mail is sent); `url` is the admin or site path the
    notification links to; `dedupe_key`, when given, makes the call idempotent per recipient
    (a reminder sent once per threshold); `attachments` are files in a storage, by name
    ({"storage": "private", "name": ..., "filename": ..., "mimetype": ...}), read when the
    e-mail is sent. Returns how many notifications were written."""
    from .services import notify as write_notifications

    return write_notifications(
        kind=kind,
        recipients=recipients,
        context=context or {},
        url=url,
        dedupe_key=dedupe_key,
        attachments=attachments,
    )


def notify_each(*, kind: str, messages, attachments=()) -> int:
    """Notify many groups of people of events of one `kind` at once, each `Message` with its
    own recipients, context, url and dedupe_key (see `notify`): a fixed number of queries
    whatever the number of people (a circular to every entity). Returns how many
    notifications were written."""
    from .services import notify_each as write_all

    return write_all(kind=kind, messages=messages, attachments=attachments)


def message(*, recipients, context: dict | None = None, url: str = "", dedupe_key: str = ""):
    """One `Message` for `notify_each`."""
    from .services import Message

    return Message(recipients=tuple(recipients or ()), context=context or {}, url=url, dedupe_key=dedupe_key)
