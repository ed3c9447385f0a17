"""The notification service never loses a message and never blocks the person acting:
notifications are written in the action's transaction, e-mailed by the worker after the
commit, retried with backoff while the mail server fails, failed and re-sent on request,
each e-mail once."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from calls import services
from calls.models import SubmissionState
from core.notifications import notify
from core.notifications.models import Delivery, DeliveryState, Notification
from core.notifications.services import send_due

RAISING = "tests.core.test_notifications_delivery.RaisingBackend"


class RaisingBackend(BaseEmailBackend):
    """A mail server that is down: every sending raises, naming the addresses as a real
    server's error would (they must not end up in `last_error`)."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"mailbox unavailable") for m in email_messages})


def send(submission, by, capture):
    with capture(execute=True):
        services.submit(submission=submission, by=by)
    submission.refresh_from_db()
    return submission


def later(minutes):
    return timezone.now() + datetime.timedelta(minutes=minutes)


def test_a_rolled_back_action_leaves_no_notification_and_no_e_mail(
    ready, bari_calls, reviewer, django_capture_on_commit_callbacks
):
    send(ready, bari_calls, django_capture_on_commit_callbacks)
    before_notifications, before_deliveries = Notification.objects.count(), Delivery.objects.count()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            services.accept(submission=ready, by=reviewer)
            assert Notification.objects.filter(kind="review_decision").count() == 1  # written with the decision
            raise RuntimeError("the action fails after the decision was written")

    assert callbacks == []
    assert Notification.objects.count() == before_notifications
    assert Delivery.objects.count() == before_deliveries
    assert mail.outbox == []
    ready.refresh_from_db()
    assert ready.state == SubmissionState.SUBMITTED


def test_the_decision_is_written_in_its_transaction_and_e_mailed_after_the_commit(
    ready, bari_calls, reviewer, django_capture_on_commit_callbacks
):
    send(ready, bari_calls, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.accept(submission=ready, by=reviewer)
    assert Notification.objects.filter(kind="review_decision", recipient=bari_calls).count() == 1
    assert mail.outbox == []  # not before the commit
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    [message] = [m for m in mail.outbox if m.to == [bari_calls.email]]
    assert "La Regione ha accolto la domanda." in message.body


def test_with_the_mail_server_down_every_action_succeeds_and_a_later_run_sends_each_e_mail_once(
    settings, ready, bari_calls, reviewer, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = RAISING
    send(ready, bari_calls, django_capture_on_commit_callbacks)  # the sending, its receipt and the reviewers' note
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(submission=ready, by=reviewer)

    ready.refresh_from_db()
    assert ready.state == SubmissionState.ACCEPTED and ready.protocol_number
    queued = Delivery.objects.filter(state=DeliveryState.PENDING)
    kinds = sorted(queued.values_list("kind", flat=True))
    assert kinds == ["review_decision", "submission_sent", "submission_to_review"]
    assert all(delivery.attempts == 1 for delivery in queued)
    assert {delivery.last_error for delivery in queued} == {"SMTPRecipientsRefused"}  # no address in the log
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_notifications")  # too early: the backoff has not passed
    assert mail.outbox == []

    after_the_backoff = later(6)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: after_the_backoff)
        call_command("send_notifications")
        call_command("send_notifications")  # a second run sends nothing again
    assert sorted(m.to[0] for m in mail.outbox) == sorted([bari_calls.email, bari_calls.email, reviewer.email])
    assert not Delivery.objects.exclude(state=DeliveryState.SENT).exists()
    receipt = next(m for m in mail.outbox if m.attachments)
    assert receipt.attachments[0][0].startswith("ricevuta-") and receipt.attachments[0][2] == "application/pdf"
    sent = Delivery.objects.get(kind="submission_sent")
    assert sent.attempts == 2 and sent.sent_at and sent.message_id == receipt.extra_headers["Message-ID"]


def test_retries_back_off_exponentially_and_then_fail(settings, bari_calls, call):
    settings.EMAIL_BACKEND = RAISING
    settings.PUSH_NOTIFICATION_MAX_ATTEMPTS = 4
    settings.PUSH_NOTIFICATION_BACKOFF_SECONDS = 300
    notify(kind="riparto_published", recipients=[bari_calls], context={"call_id": call.pk})
    delivery = Delivery.objects.get()
    start = timezone.now()
    waits = []
    moment = start
    for _attempt in range(4):
        send_due(now=moment)
        delivery.refresh_from_db()
        if delivery.state == DeliveryState.FAILED:
            break
        waits.append(round((delivery.next_attempt_at - moment).total_seconds()))
        moment = delivery.next_attempt_at
    assert waits == [300, 600, 1200]
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 4
    send_due(now=moment + datetime.timedelta(days=1))
    delivery.refresh_from_db()
    assert delivery.attempts == 4  # a failed e-mail waits for the Region


def test_a_failed_e_mail_is_shown_to_the_region_and_re_sent_once_after_confirmation(
    settings, client, region_admin, bari_calls, call
):
    settings.EMAIL_BACKEND = RAISING
    settings.PUSH_NOTIFICATION_MAX_ATTEMPTS = 1
    notify(kind="riparto_published", recipients=[bari_calls], context={"call_id": call.pk})
    send_due()
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED

    client.force_login(region_admin)
    page = client.get(reverse("push_notification_deliveries")).content.decode()
    assert bari_calls.email in page and "SMTPRecipientsRefused" in page
    summary = client.get(reverse("push_notification_resend", args=[delivery.pk]))
    assert summary.status_code == 200 and bari_calls.email in summary.content.decode()
    assert Delivery.objects.get().state == DeliveryState.FAILED  # the summary changes nothing

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    refused = client.post(reverse("push_notification_resend", args=[delivery.pk]))  # without confirming
    assert refused.status_code == 200 and Delivery.objects.get().state == DeliveryState.FAILED
    response = client.post(reverse("push_notification_resend", args=[delivery.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    send_due()
    send_due()
    assert [m.to for m in mail.outbox] == [[bari_calls.email]]
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_the_command_re_queues_the_failed_e_mails(settings, bari_calls, call):
    settings.EMAIL_BACKEND = RAISING
    settings.PUSH_NOTIFICATION_MAX_ATTEMPTS = 1
    notify(kind="riparto_published", recipients=[bari_calls], context={"call_id": call.pk})
    call_command("send_notifications")
    assert Delivery.objects.get().state == DeliveryState.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_notifications")
    assert mail.outbox == []
    call_command("send_notifications", "--retry-failed")
    assert len(mail.outbox) == 1 and Delivery.objects.get().state == DeliveryState.SENT


def test_an_officer_cannot_see_the_deliveries_nor_re_send(client, bari_calls, settings, call):
    settings.EMAIL_BACKEND = RAISING
    settings.PUSH_NOTIFICATION_MAX_ATTEMPTS = 1
    notify(kind="riparto_published", recipients=[bari_calls], context={"call_id": call.pk})
    send_due()
    delivery = Delivery.objects.get()
    client.force_login(bari_calls)
    assert client.get(reverse("push_notification_deliveries")).status_code in (302, 403)
    assert client.post(reverse("push_notification_resend", args=[delivery.pk]), {"confirm": "yes"}).status_code in (
        302,
        403,
    )
    assert Delivery.objects.get().state == DeliveryState.FAILED
