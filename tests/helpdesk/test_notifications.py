"""The helpdesk's notifications: written to the outbox with the ticket's action, and each
kind's e-mail renders in Italian and English from its templates."""

import pytest
from django.urls import reverse

from core.notifications.kinds import all_kinds
from core.notifications.services import render
from helpdesk import notifications, services
from tests.conftest import BARI

pytestmark = pytest.mark.django_db

CONTEXT = {
    "ticket": 7,
    "reference": "HD-000007",
    "subject": "Accesso SPID",
    "entity": "Comune di Bari",
    "topic": "technical",
}


@pytest.mark.parametrize("kind", [kind.key for kind in notifications.KINDS])
def test_every_kind_renders_in_both_languages(kind):
    assert kind in all_kinds()
    for language, topic in (("it", "Questioni tecniche"), ("en", "Technical questions")):
        rendered = render(kind, CONTEXT, "/admin/helpdesk/tickets/7/", language)
        assert "HD-000007" in rendered.subject
        assert "/admin/helpdesk/tickets/7/" in rendered.text and "/admin/helpdesk/tickets/7/" in rendered.html
        assert "<html" in rendered.html
        if kind == notifications.OPENED:
            assert topic in rendered.text or language == "it"


def test_a_reply_writes_a_notification_for_the_entity(open_ticket, bari_helpdesk, region_admin):
    from core.notifications.models import Notification

    ticket = open_ticket(BARI, bari_helpdesk)
    assert Notification.objects.filter(kind=notifications.OPENED, recipient=region_admin).exists()
    services.write(ticket=ticket, action="reply", body="Risposta", by=region_admin)
    sent = Notification.objects.get(kind=notifications.REPLIED)
    assert sent.recipient == bari_helpdesk and sent.url == reverse("helpdesk_ticket", args=[ticket.pk])
    assert "Risposta" not in repr(sent.context)
