"""The circulars' notifications: written to the outbox with the sending, the reply and the
reminders, and each kind's e-mail renders in Italian and English from its templates."""

import pytest
from django.urls import reverse

from core.notifications.kinds import all_kinds
from core.notifications.models import Notification
from core.notifications.services import render
from helpdesk.circulars import notifications, services
from tests.conftest import BARI
from tests.helpdesk.circulars.conftest import send

CONTEXT = {
    "title": "Ricognizione alloggi sfitti",
    "protocol": "PUSH/2026/000042",
    "reply_by": "31/12/2026",
    "entity": "Comune di Bari",
    "days_left": 3,
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [kind.key for kind in notifications.KINDS])
def test_every_kind_renders_in_both_languages(kind):
    assert kind in all_kinds()
    for language in ("it", "en"):
        rendered = render(kind, CONTEXT, "/admin/circulars/7/", language)
        assert "PUSH/2026/000042" in rendered.subject
        assert "/admin/circulars/7/" in rendered.text and "/admin/circulars/7/" in rendered.html
        assert "PUSH/2026/000042" in rendered.text and "Ricognizione alloggi sfitti" in rendered.html
        assert "<html" in rendered.html


def test_sending_and_replying_write_the_notifications(region_admin, entities, bari_officer, bari_legal_rep):
    import datetime

    from django.utils import timezone

    circular = send(region_admin, chosen=[entities[BARI]], reply_by=timezone.localdate() + datetime.timedelta(days=5))
    told = Notification.objects.filter(kind="circular_sent")
    assert set(told.values_list("recipient", flat=True)) == {bari_officer.pk, bari_legal_rep.pk}
    assert told.first().url == reverse("circulars_open", args=[circular.pk])
    services.reply(recipient=circular.recipients.get(), by=bari_officer, text="Fatto.")
    replied = Notification.objects.get(kind="circular_replied")
    assert replied.recipient == region_admin and replied.url == reverse("circulars_status", args=[circular.pk])
