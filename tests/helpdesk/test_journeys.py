"""Journeys through the admin, as the people type them: an officer of Bari opens a ticket with
a file, the Region replies, the officer replies, the Region resolves after confirming, the
officer reopens; the thread shows every message in order with its author and time."""

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from helpdesk.models import Message, MessageKind, Ticket, TicketState

pytestmark = pytest.mark.django_db


def write(client, ticket, action, body, **extra):
    return client.post(reverse("helpdesk_ticket_write", args=[ticket.pk, action]), {"body": body, **extra})


def test_an_officer_opens_a_ticket_and_the_region_answers_it_to_the_end(
    client, bari_helpdesk, region_admin, pdf_file, png_file, entities
):
    client.force_login(bari_helpdesk)
    page = client.get(reverse("helpdesk_ticket_new"))
    assert page.status_code == 200
    response = client.post(
        reverse("helpdesk_ticket_new"),
        {
            "entity": entities["072006"].pk,
            "topic": "calls",
            "subject": "Cofinanziamento da indicare",
            "body": "Buongiorno,\nil cofinanziamento va indicato al lordo?",
            "files": [pdf_file("delibera.pdf"), png_file("schermata.png")],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("helpdesk_ticket", args=[ticket.pk])
    assert (ticket.entity.code, ticket.author, ticket.state) == ("072006", bari_helpdesk, TicketState.OPEN)
    first = ticket.messages.get()
    assert sorted(first.attachments.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]
    assert ModelLogEntry.objects.filter(action="push.ticket.open", object_id=str(ticket.pk)).exists()

    # The officer's list shows it.
    assert "Cofinanziamento da indicare" in client.get(reverse("helpdesk_tickets")).content.decode()

    # The Region finds it in its queue, replies.
    client.force_login(region_admin)
    queue = client.get(reverse("helpdesk_queue")).content.decode()
    assert "Cofinanziamento da indicare" in queue
    write(client, ticket, "reply", "Sì, al lordo.")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ANSWERED and ticket.first_response_at is not None
    answered_at = ticket.first_response_at

    # The officer replies: back to the Region's turn; the first response stays.
    client.force_login(bari_helpdesk)
    write(client, ticket, "message", "Grazie, e per le economie?")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN and ticket.first_response_at == answered_at

    # The Region resolves: the first POST shows the summary and does nothing.
    client.force_login(region_admin)
    summary = write(client, ticket, "resolve", "Le economie si sommano.")
    assert summary.status_code == 200 and "Cofinanziamento da indicare" in summary.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN
    write(client, ticket, "resolve", "Le economie si sommano.", confirm="yes")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED and ticket.resolved_at is not None

    # The officer reopens, after confirming.
    client.force_login(bari_helpdesk)
    write(client, ticket, "reopen", "Non è chiaro per il 2025.", confirm="yes")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN and ticket.resolved_at is None

    kinds = list(ticket.messages.values_list("kind", flat=True))
    assert kinds == [
        MessageKind.MESSAGE,
        MessageKind.REPLY,
        MessageKind.MESSAGE,
        MessageKind.RESOLUTION,
        MessageKind.REOPENING,
    ]
    html = client.get(reverse("helpdesk_ticket", args=[ticket.pk])).content.decode()
    positions = [
        html.index(text) for text in ("al lordo?", "Sì, al lordo.", "per le economie?", "si sommano.", "per il 2025.")
    ]
    assert positions == sorted(positions)
    assert region_admin.get_full_name() in html and bari_helpdesk.get_full_name() in html
    when = timezone.localtime(Message.objects.filter(ticket=ticket).first().created_at).strftime("%d/%m/%Y %H:%M")
    assert when in html


def test_the_officer_downloads_the_file_of_the_ticket_and_the_download_is_audited(
    client, bari_helpdesk, open_ticket, pdf_file
):
    ticket = open_ticket("072006", bari_helpdesk, files=[pdf_file("delibera.pdf")])
    attachment = ticket.messages.get().attachments.get()
    client.force_login(bari_helpdesk)
    response = client.get(reverse("helpdesk_attachment", args=[ticket.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert ModelLogEntry.objects.filter(action="push.file.downloaded", object_id=str(ticket.pk)).exists()


def test_a_refused_file_sends_nothing(client, bari_helpdesk, entities):
    client.force_login(bari_helpdesk)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("schermata.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(
        reverse("helpdesk_ticket_new"),
        {
            "entity": entities["072006"].pk,
            "topic": "technical",
            "subject": "Errore",
            "body": "Vedi file",
            "files": [fake],
        },
        follow=True,
    )
    assert Ticket.objects.count() == 0
    # What the officer reads, in the admin's Italian.
    assert "Il file non è un’immagine PNG, anche se il nome lo indica." in response.content.decode()


def test_the_region_assigns_a_ticket_and_filters_its_queue_by_assignee(
    client, region_admin, reviewer, bari_helpdesk, open_ticket
):
    ticket = open_ticket("072006", bari_helpdesk, subject="Da assegnare")
    other = open_ticket("072006", bari_helpdesk, subject="Non assegnato")
    client.force_login(region_admin)
    client.post(reverse("helpdesk_ticket_assign", args=[ticket.pk]), {"assignee": reviewer.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == reviewer
    mine = client.get(reverse("helpdesk_queue"), {"assignee": str(reviewer.pk)}).content.decode()
    assert "Da assegnare" in mine and other.subject not in mine
    nobody = client.get(reverse("helpdesk_queue"), {"assignee": "none"}).content.decode()
    assert "Non assegnato" in nobody and "Da assegnare" not in nobody


def test_the_queue_filters_by_state_topic_entity_province_and_age(
    client, region_admin, bari_helpdesk, lecce_helpdesk, open_ticket, entities
):
    bari = open_ticket("072006", bari_helpdesk, subject="Bari-recente", topic="calls")
    lecce = open_ticket("075035", lecce_helpdesk, subject="Lecce-vecchio", topic="technical")
    Ticket.objects.filter(pk=lecce.pk).update(created_at=timezone.now() - timezone.timedelta(days=10))
    client.force_login(region_admin)

    def shown(**query):
        html = client.get(reverse("helpdesk_queue"), query).content.decode()
        return {name for name in ("Bari-recente", "Lecce-vecchio") if name in html}

    assert shown() == {"Bari-recente", "Lecce-vecchio"}
    assert shown(topic="calls") == {"Bari-recente"}
    assert shown(entity=str(entities["075035"].pk)) == {"Lecce-vecchio"}
    assert shown(province="BA") == {"Bari-recente"}
    assert shown(age="7") == {"Lecce-vecchio"}
    assert shown(state="resolved") == set()
    assert bari.pk and lecce.pk


def test_an_internal_note_is_kept_in_the_thread_for_the_region(client, region_admin, bari_helpdesk, open_ticket):
    ticket = open_ticket("072006", bari_helpdesk)
    client.force_login(region_admin)
    client.post(reverse("helpdesk_ticket_note", args=[ticket.pk]), {"body": "Sentire l'ufficio tecnico"})
    assert ticket.messages.filter(kind=MessageKind.NOTE).count() == 1
    assert "Sentire l&#x27;ufficio tecnico" in client.get(reverse("helpdesk_ticket", args=[ticket.pk])).content.decode()
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN and ticket.first_response_at is None


def test_the_menu_leads_each_side_to_its_screen(client, bari_helpdesk, region_admin):
    client.force_login(bari_helpdesk)
    html = client.get("/admin/").content.decode()
    assert reverse("helpdesk_tickets") in html and reverse("helpdesk_queue") not in html
    client.force_login(region_admin)
    html = client.get("/admin/").content.decode()
    assert reverse("helpdesk_queue") in html
