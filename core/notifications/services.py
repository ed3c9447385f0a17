"""The notification service: writing the outbox, rendering and sending it.

- `notify` (and `notify_each`, for many messages at once) writes, in the caller's
  transaction, one `Notification` per person and, when the person wants it by e-mail now,
  one pending `Delivery`, in a fixed number of queries whatever the number of people; after
  the commit it enqueues the sending task. A rollback leaves nothing, and an action never waits for the mail server.
- `send_due` (the task, `manage.py send_notifications`, cron) sends the due deliveries one
  at a time, each under a row lock taken with SKIP LOCKED on PostgreSQL, so two workers
  never send the same e-mail. A failure records the error's class (no personal data) and
  retries with exponential backoff; after PUSH_NOTIFICATION_MAX_ATTEMPTS it is failed, shown
  to the Region and re-queued by `send_notifications --retry-failed` or the re-send button.
- `send_digests` gathers, per person, what waits for the daily digest into one e-mail.

Delivery is at least once: a worker killed between the SMTP server's acceptance and the
commit of "sent" sends that one e-mail again on the next run (the lock makes it never
concurrent)."""

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import storages
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .kinds import all_kinds
from .models import Delivery, DeliveryMode, DeliveryState, Notification, NotificationPreference

logger = logging.getLogger(__name__)

DIGEST_KIND = "digest"


def max_attempts() -> int:
    return getattr(settings, "PUSH_NOTIFICATION_MAX_ATTEMPTS", 6)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: the base doubled each time
    (5, 10, 20, 40 minutes, …), at most PUSH_NOTIFICATION_BACKOFF_MAX_SECONDS."""
    base = getattr(settings, "PUSH_NOTIFICATION_BACKOFF_SECONDS", 300)
    ceiling = getattr(settings, "PUSH_NOTIFICATION_BACKOFF_MAX_SECONDS", 6 * 3600)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), ceiling))


# --- writing ------------------------------------------------------------------------------


def _json(context: dict) -> dict:
    """The context as it will be read back: refuses what JSON cannot hold, now, in the
    caller's action, rather than in the worker."""
    return json.loads(json.dumps(context, cls=DjangoJSONEncoder))


def _user_ids(recipients) -> list:
    """The ids of `recipients` (users or ids), each once, in their order."""
    ids = (getattr(recipient, "pk", recipient) for recipient in recipients or ())
    return list(dict.fromkeys(pk for pk in ids if pk is not None))


def _active_users(ids) -> dict:
    """The active accounts among `ids`, by id: one query."""
    return {user.pk: user for user in get_user_model().objects.filter(pk__in=set(ids), is_active=True)}


def _languages(users) -> dict:
    """Each person's e-mail language (see `language_of`), for many people in one query."""
    from wagtail.users.models import UserProfile

    available = {code for code, _name in settings.LANGUAGES}
    chosen = dict(
        UserProfile.objects.filter(user__in=[user.pk for user in users]).values_list("user_id", "preferred_language")
    )
    return {
        user.pk: chosen.get(user.pk) if chosen.get(user.pk) in available else settings.LANGUAGE_CODE for user in users
    }


def language_of(user) -> str:
    """The language the person chose in their admin account, else the site's (Italian)."""
    return _languages([user])[user.pk]


def _preferences(users, kind: str) -> dict:
    """(by e-mail?, mode) for each person and `kind`, in one query; no choice recorded is
    e-mail at once."""
    stored = {
        preference.user_id: (preference.email, preference.mode)
        for preference in NotificationPreference.objects.filter(user__in=[user.pk for user in users], kind=kind)
    }
    return {user.pk: stored.get(user.pk, (True, DeliveryMode.IMMEDIATE)) for user in users}


def preference_for(user, kind: str) -> tuple[bool, str]:
    """(by e-mail?, mode) for `user` and `kind`; no choice recorded is e-mail at once."""
    return _preferences([user], kind)[user.pk]


@dataclass(frozen=True)
class Message:
    """One thing to tell some people: what `notify_each` writes for each of them."""

    recipients: tuple  # users or user ids
    context: dict
    url: str = ""
    dedupe_key: str = ""


def notify(*, kind, recipients, context, url, dedupe_key, attachments=()) -> int:
    """Write the notifications of `kind` for `recipients` (users or ids; inactive accounts
    are skipped) in the caller's transaction; e-mails leave after its commit. With a
    `dedupe_key`, a person already notified under that key is not notified again.
    `attachments` are files in a storage, by name: {"storage", "name", "filename",
    "mimetype"}. Returns how many notifications were written."""
    message = Message(recipients=tuple(recipients or ()), context=context, url=url or "", dedupe_key=dedupe_key or "")
    return notify_each(kind=kind, messages=[message], attachments=attachments)


def notify_each(*, kind, messages, attachments=()) -> int:
    """Write, in the caller's transaction, the notifications of `kind` of every `Message`
    (each its own people, context, link and deduplication key) and their e-mails, in a
    fixed number of queries whatever the number of people: the accounts, the notifications
    already written under the keys, the preferences and the languages are each read once,
    the notifications and the deliveries each written by one bulk insert. A circular to
    every entity is one call. Returns how many notifications were written."""
    declared = all_kinds().get(kind)
    if declared is None:
        raise ValueError(f"Unknown notification kind {kind!r}: declare it in an app's notifications.py.")
    attachments = _json(list(attachments))
    planned = []  # (user id, stored context, url, dedupe key), each person once per message
    for message in messages:
        stored_context = _json(message.context)
        planned.extend(
            (pk, stored_context, message.url or "", message.dedupe_key or "") for pk in _user_ids(message.recipients)
        )
    if not planned:
        return 0
    with transaction.atomic():
        users = _active_users(pk for pk, *_rest in planned)
        keys = {key for _pk, _context, _url, key in planned if key}
        done = (
            set(
                Notification.objects.filter(recipient__in=list(users), dedupe_key__in=keys).values_list(
                    "recipient_id", "dedupe_key"
                )
            )
            if keys and users
            else set()
        )
        rows = []
        for pk, stored_context, url, key in planned:
            if pk not in users or (key and (pk, key) in done):
                continue
            if key:
                done.add((pk, key))  # the same person named twice under one key: once
            rows.append((users[pk], stored_context, url, key))
        if not rows:
            return 0
        people = list({user.pk: user for user, *_rest in rows}.values())
        preferences = _preferences(people, kind)
        notifications, mailed = [], []
        for user, stored_context, url, key in rows:
            by_email, mode = (True, DeliveryMode.IMMEDIATE) if declared.always_email else preferences[user.pk]
            wants_mail = by_email and bool(user.email)
            notification = Notification(
                recipient=user,
                kind=kind,
                context=stored_context,
                url=url,
                dedupe_key=key,
                digest_pending=wants_mail and mode == DeliveryMode.DIGEST,
            )
            notifications.append(notification)
            if wants_mail and mode == DeliveryMode.IMMEDIATE:
                mailed.append(notification)
        try:
            with transaction.atomic():
                written = Notification.objects.bulk_create(notifications)
        except IntegrityError:
            # A concurrent writer of the same key got there first: one by one, it wins quietly.
            written = _create_one_by_one(notifications)
        written_ids = {id(notification) for notification in written}
        mailed = [notification for notification in mailed if id(notification) in written_ids]
        if mailed:
            languages = _languages([notification.recipient for notification in mailed])
            Delivery.objects.bulk_create(
                Delivery(
                    notification=notification,
                    recipient=notification.recipient,
                    to_address=notification.recipient.email,
                    kind=kind,
                    context=notification.context,
                    url=notification.url,
                    language=languages[notification.recipient_id],
                    attachments=attachments,
                )
                for notification in mailed
            )
        if written:
            transaction.on_commit(enqueue_sending)
    return len(written)


def _create_one_by_one(notifications) -> list:
    """The notifications that could be written, skipping those another writer wrote under
    the same key meanwhile (the unique constraint)."""
    written = []
    for notification in notifications:
        try:
            with transaction.atomic():
                notification.save(force_insert=True)
        except IntegrityError:
            if notification.dedupe_key:
                notification.pk = None
                continue
            raise
        written.append(notification)
    return written


def send_to_address(*, kind: str, address: str, context: dict, language: str = "", attachments=()) -> Delivery:
    """An e-mail of `kind` to an address that is no account (yet): an accreditation
    requester. Written in the caller's transaction and sent after its commit, like any other."""
    if kind not in all_kinds():
        raise ValueError(f"Unknown notification kind {kind!r}.")
    delivery = Delivery.objects.create(
        to_address=address,
        kind=kind,
        context=_json(context),
        language=language or settings.LANGUAGE_CODE,
        attachments=_json(list(attachments)),
    )
    transaction.on_commit(enqueue_sending)
    return delivery


def enqueue_sending(run_after=None) -> None:
    """Queue the sending task; if even the queue is down, the cron run of
    `send_notifications` sends what is due (the deliveries are in the database)."""
    from .tasks import send_notifications_task

    task = send_notifications_task
    try:
        if run_after is not None and task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        task.enqueue()
    except Exception:
        logger.exception("Could not queue the notifications task; the next send_notifications run sends them.")


# --- rendering ----------------------------------------------------------------------------


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url


def template_context(kind: str, context: dict, url: str = "") -> dict:
    declared = all_kinds()[kind]
    values = dict(context)
    if declared.render_context is not None:
        values.update(declared.render_context(context))
    values["url"] = absolute(url) if url else values.get("url", "")
    values["site_url"] = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return values


def render_subject(kind: str, values: dict) -> str:
    return " ".join(render_to_string(f"notifications/{kind}/subject.txt", values).split())


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def render(kind: str, context: dict, url: str, language: str) -> Rendered:
    """The e-mail of `kind` in `language`: subject, plain text and HTML (which extends
    templates/notifications/base_email.html)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        values = template_context(kind, context, url)
        subject = render_subject(kind, values)
        values["subject"] = subject
        return Rendered(
            subject=subject,
            text=render_to_string(f"notifications/{kind}/body.txt", values),
            html=render_to_string(f"notifications/{kind}/body.html", values),
        )


def subject_of(notification: Notification, language: str | None = None) -> str:
    """The line the in-admin list and the API show; the kind's label if rendering fails
    (the object it spoke of was deleted)."""
    kind = all_kinds().get(notification.kind)
    if kind is None:
        return notification.kind
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        try:
            return render_subject(notification.kind, template_context(notification.kind, notification.context))
        except Exception:
            logger.warning("Notification %s could not be rendered", notification.pk, exc_info=True)
            return str(kind.label)


# --- sending ------------------------------------------------------------------------------


def build_message(delivery: Delivery) -> EmailMultiAlternatives:
    rendered = render(delivery.kind, delivery.context, delivery.url, delivery.language)
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or None
    message = EmailMultiAlternatives(
        rendered.subject,
        rendered.text,
        to=[delivery.to_address],
        headers={"Message-ID": make_msgid(domain=domain)},
    )
    message.attach_alternative(rendered.html, "text/html")
    for attachment in delivery.attachments:
        with storages[attachment.get("storage", "default")].open(attachment["name"], "rb") as handle:
            message.attach(attachment["filename"], handle.read(), attachment.get("mimetype") or None)
    return message


def describe_error(error: Exception) -> str:
    """The error's class and SMTP code: enough to act on, without the server's text, which
    may quote the addresses."""
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}" + (f" (SMTP {code})" if code else "")


def _due(now):
    due = Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    if connection.vendor == "postgresql":
        due = due.select_for_update(skip_locked=True)
    return due


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    retry_at: list = field(default_factory=list)


def attempt(delivery: Delivery, now) -> bool:
    """Try to send `delivery` (locked by the caller): True if it left."""
    delivery.attempts += 1
    try:
        message = build_message(delivery)
        message.send(fail_silently=False)
    except Exception as error:  # any failure of rendering, files or the mail server
        delivery.last_error = describe_error(error)
        if delivery.attempts >= max_attempts():
            delivery.state = DeliveryState.FAILED
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
        logger.warning("Notification e-mail %s not sent (%s)", delivery.pk, delivery.last_error)
        return False
    delivery.state = DeliveryState.SENT
    delivery.sent_at = timezone.now()
    delivery.message_id = message.extra_headers["Message-ID"]
    delivery.last_error = ""
    delivery.save(update_fields=["attempts", "last_error", "state", "sent_at", "message_id"])
    return True


def send_due(*, now=None, limit: int = 500) -> SendReport:
    """Send the pending deliveries whose time has come, each in its own transaction under
    its row lock (skipped by a second worker). Safe to run concurrently and repeatedly."""
    report = SendReport()
    tried: set[int] = set()
    for _round in range(limit):
        moment = now or timezone.now()
        with transaction.atomic():
            delivery = _due(moment).exclude(pk__in=tried).first()
            if delivery is None:
                break
            tried.add(delivery.pk)
            if attempt(delivery, moment):
                report.sent += 1
            elif delivery.state == DeliveryState.FAILED:
                report.failed += 1
            else:
                report.retrying += 1
                report.retry_at.append(delivery.next_attempt_at)
    if report.retry_at:
        # Where the worker can defer tasks, it comes back for the retries by itself;
        # elsewhere the cron run of send_notifications does.
        transaction.on_commit(lambda: enqueue_sending(run_after=min(report.retry_at)))
    return report


def retry_failed(*, ids=None, now=None) -> int:
    """Put failed deliveries back in the queue, due now, with a fresh count of attempts."""
    failed = Delivery.objects.filter(state=DeliveryState.FAILED)
    if ids is not None:
        failed = failed.filter(pk__in=ids)
    count = failed.update(state=DeliveryState.PENDING, attempts=0, next_attempt_at=now or timezone.now())
    if count:
        transaction.on_commit(enqueue_sending)
    return count


# --- the daily digest ---------------------------------------------------------------------


def send_digests(*, now=None) -> int:
    """One e-mail per person gathering what waited for their digest; each notification
    goes in one digest only. Returns how many digests were queued."""
    now = now or timezone.now()
    queued = 0
    waiting = (
        Notification.objects.filter(digest_pending=True, created_at__lte=now)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for user in get_user_model().objects.filter(pk__in=set(waiting)).order_by("pk"):
        with transaction.atomic():
            items = list(
                Notification.objects.select_for_update()
                .filter(recipient=user, digest_pending=True, created_at__lte=now)
                .order_by("created_at", "pk")
            )
            if not items:
                continue
            Notification.objects.filter(pk__in=[item.pk for item in items]).update(digest_pending=False)
            if not user.is_active or not user.email:
                continue
            Delivery.objects.create(
                recipient=user,
                to_address=user.email,
                kind=DIGEST_KIND,
                context={"notification_ids": [item.pk for item in items]},
                url="/admin/notifiche/",
                language=language_of(user),
            )
            queued += 1
            transaction.on_commit(enqueue_sending)
    return queued
