"""Replies (issue 12): where a reply is requested, the entity replies in PUSH with text and
PDF attachments, and the Region reads the replies per entity."""

from django.urls import reverse

from helpdesk.circulars.models import Acknowledgement, Reply
from tests.conftest import BARI
from tests.helpdesk.circulars.conftest import said, send
from tests.helpers import assert_not_found, body_of


def test_an_entity_replies_and_the_region_reads_it(client, to_bari_and_lecce, bari_officer, region_admin, pdf_file):
    client.force_login(bari_officer)
    url = reverse("circulars_open", args=[to_bari_and_lecce.pk])
    response = client.post(
        url, {"text": "Alloggi sfitti: 12, di cui 4 in manutenzione.", "attachments": [pdf_file("elenco.pdf")]}
    )
    assert response.status_code == 302 and response["Location"] == url
    answer = Reply.objects.get()
    assert answer.recipient.entity.code == BARI and answer.sent_by == bari_officer
    assert answer.attachments.get().name == "elenco"
    assert Acknowledgement.objects.get().read_by == bari_officer  # replying is reading

    client.force_login(region_admin)
    page = client.get(reverse("circulars_status", args=[to_bari_and_lecce.pk])).content.decode()
    assert "Alloggi sfitti: 12, di cui 4 in manutenzione." in page
    assert f'data-entity="{BARI}" data-status="replied"' in page
    download = client.get(
        reverse("circulars_reply_attachment", args=[to_bari_and_lecce.pk, answer.attachments.get().pk])
    )
    assert download.status_code == 200 and body_of(download).startswith(b"%PDF")


def test_another_recipient_cannot_read_the_reply_or_its_file(
    client, to_bari_and_lecce, bari_officer, lecce_legal_rep, pdf_file
):
    client.force_login(bari_officer)
    client.post(
        reverse("circulars_open", args=[to_bari_and_lecce.pk]),
        {"text": "Risposta Sentinella di Bari", "attachments": [pdf_file("elenco.pdf")]},
    )
    attachment = Reply.objects.get().attachments.get()
    client.force_login(lecce_legal_rep)
    page = client.get(reverse("circulars_open", args=[to_bari_and_lecce.pk]))
    assert page.status_code == 200 and "Risposta Sentinella di Bari" not in page.content.decode()
    assert_not_found(client.get(reverse("circulars_reply_attachment", args=[to_bari_and_lecce.pk, attachment.pk])))


def test_an_empty_reply_or_a_fake_pdf_is_refused(client, to_bari_and_lecce, bari_officer, pdf_file):
    client.force_login(bari_officer)
    url = reverse("circulars_open", args=[to_bari_and_lecce.pk])
    page = client.post(url, {"text": "Testo", "attachments": [pdf_file("finto.pdf", b"<html>no</html>")]})
    assert said("The file is not a PDF document, even if its name ends in .pdf.") in page.content.decode()
    assert not Reply.objects.exists()


def test_no_reply_where_none_is_requested(client, region_admin, entities, bari_officer):
    circular = send(region_admin, chosen=[entities[BARI]])
    client.force_login(bari_officer)
    url = reverse("circulars_open", args=[circular.pk])
    assert 'name="text"' not in client.get(url).content.decode()
    page = client.post(url, {"text": "Risposta non richiesta"})
    assert said("This circular asks for no reply.") in page.content.decode()
    assert not Reply.objects.exists()
