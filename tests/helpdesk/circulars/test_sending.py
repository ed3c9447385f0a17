"""Sending a circular (issue 12): a regional administrator composes it in the admin, reads a
summary with the recipients' number and the protocol before the irreversible sending, and the
sending freezes the recipients and takes the next number of the protocol register."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from calls import services as calls_services
from calls.models import ProtocolEntry, ProtocolKind
from helpdesk.circulars.models import Circular, CircularImmutable, CircularState, Recipient
from registry.models import Entity
from tests.conftest import ARCA_PUGLIA_CENTRALE, ARCA_SUD_SALENTO, BARI
from tests.helpdesk.circulars.conftest import editor_text, said, send

# Hand-counted from ISTAT's list (2021): the province of Lecce has 96 Comuni and one ARCA (Sud
# Salento); ARCA Puglia Centrale covers the 41 Comuni of the Città metropolitana di Bari and the
# 10 of Barletta-Andria-Trani.
LECCE_PROVINCE_RECIPIENTS = 96 + 1
PUGLIA_CENTRALE_RECIPIENTS = 1 + 41 + 10


def compose(client, **fields):
    data = {
        "subject": "Aggiornamento anagrafe 2026",
        "body": editor_text("Si invitano gli enti ad aggiornare l'anagrafe entro il 31 gennaio."),
        "reply_by": "",
        **fields,
    }
    return client.post(reverse("circulars_compose"), data)


def test_a_province_receives_through_the_confirmation_page(region_admin_client, pdf_file):
    response = compose(region_admin_client, audience="province", province="LE", attachments=[pdf_file("nota.pdf")])
    assert response.status_code == 302, response.content.decode()[:3000]
    circular = Circular.objects.get()
    assert response["Location"] == reverse("circulars_confirm", args=[circular.pk])

    summary = region_admin_client.get(response["Location"])
    html = summary.content.decode()
    assert f'<td id="circular-recipients"><strong>{LECCE_PROVINCE_RECIPIENTS}</strong>' in html
    # The number it will take: the register's next, given only at the sending.
    assert f"PUSH/{timezone.localdate().year}/000001" in html
    # Nothing is sent before the confirmation: no number taken, no recipient frozen.
    assert circular.state == CircularState.DRAFT
    assert not ProtocolEntry.objects.exists() and not Recipient.objects.exists()
    region_admin_client.post(response["Location"], {})  # without confirm=yes: nothing
    assert not ProtocolEntry.objects.exists()

    sent = region_admin_client.post(response["Location"], {"confirm": "yes"})
    assert sent.status_code == 302 and sent["Location"] == reverse("circulars_status", args=[circular.pk])
    circular.refresh_from_db()
    assert circular.state == CircularState.SENT
    assert circular.recipients.count() == LECCE_PROVINCE_RECIPIENTS
    assert set(circular.recipients.values_list("entity__province", flat=True)) == {"LE"}
    assert circular.recipients.filter(entity__code=ARCA_SUD_SALENTO).exists()
    assert circular.protocol_entry.kind == ProtocolKind.CIRCULAR
    assert circular.protocol_entry.content["recipients"] == LECCE_PROVINCE_RECIPIENTS
    assert circular.attachments.get().name == "nota"
    # Confirming again sends nothing more.
    region_admin_client.post(reverse("circulars_confirm", args=[circular.pk]), {"confirm": "yes"})
    assert ProtocolEntry.objects.count() == 1


def test_an_arca_and_its_comuni_are_frozen_at_sending(region_admin_client, entities):
    arca = entities[ARCA_PUGLIA_CENTRALE]
    compose(region_admin_client, audience="arca_and_comuni", arca=arca.code)
    circular = Circular.objects.get()
    region_admin_client.post(reverse("circulars_confirm", args=[circular.pk]), {"confirm": "yes"})
    assert circular.recipients.count() == PUGLIA_CENTRALE_RECIPIENTS
    assert circular.recipients.filter(entity__code=BARI).exists()
    # Bari passes to another ARCA afterwards: who received the circular does not change.
    Entity.objects.filter(code=BARI).update(covering_arca=entities[ARCA_SUD_SALENTO])
    assert circular.recipients.count() == PUGLIA_CENTRALE_RECIPIENTS
    assert circular.recipients.filter(entity__code=BARI).exists()


def test_the_body_keeps_only_the_allowed_formatting(region_admin_client, bari_officer):
    compose(
        region_admin_client,
        audience="list",
        entities=[BARI],
        body=editor_text("Testo <script>alert(1)</script> normale"),
    )
    circular = Circular.objects.get()
    region_admin_client.post(reverse("circulars_confirm", args=[circular.pk]), {"confirm": "yes"})
    region_admin_client.force_login(bari_officer)
    html = region_admin_client.get(reverse("circulars_open", args=[circular.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_protocol_number_follows_the_submissions(region_admin, entities):
    before = calls_services.register_protocol(kind=ProtocolKind.SUBMISSION_SENT, content={})
    circular = send(region_admin, chosen=[entities[BARI]])
    after = calls_services.register_protocol(kind=ProtocolKind.SUBMISSION_SENT, content={})
    assert circular.protocol_entry.sequence == before.sequence + 1
    assert after.sequence == circular.protocol_entry.sequence + 1
    assert circular.protocol_number == f"PUSH/{timezone.localdate().year}/{before.sequence + 1:06d}"


def test_a_sent_circular_never_changes(region_admin, entities):
    circular = send(region_admin, chosen=[entities[BARI]])
    circular.subject = "Corretta"
    with pytest.raises(CircularImmutable):
        circular.save()


@pytest.mark.parametrize(
    "fields,error",
    [
        ({"audience": "province"}, "Choose the province."),
        ({"audience": "arca_and_comuni"}, "Choose the ARCA."),
        ({"audience": "list"}, "Choose at least one entity."),
        ({"audience": "all", "reply_by": "2020-01-01"}, "The reply-by date must be after today."),
    ],
)
def test_an_incomplete_circular_is_refused(region_admin_client, fields, error):
    response = compose(region_admin_client, **fields)
    assert response.status_code == 200
    assert said(error) in response.content.decode()
    assert not Circular.objects.exists()


def test_a_fake_pdf_is_refused(region_admin_client, pdf_file):
    response = compose(region_admin_client, audience="all", attachments=[pdf_file("nota.pdf", b"MZ not a pdf")])
    assert said("The file is not a PDF document, even if its name ends in .pdf.") in response.content.decode()
    assert not Circular.objects.exists()


def test_reviewers_follow_circulars_but_do_not_send(client, reviewer, region_admin, entities):
    circular = send(region_admin, chosen=[entities[BARI]])
    client.force_login(reviewer)
    assert client.get(reverse("circulars_status", args=[circular.pk])).status_code == 200
    assert client.get(reverse("circulars_compose")).status_code in (302, 403)
    before = ProtocolEntry.objects.count()
    draft_response = client.post(reverse("circulars_compose"), {"subject": "x", "audience": "all"})
    assert draft_response.status_code in (302, 403)
    assert ProtocolEntry.objects.count() == before and Circular.objects.count() == 1
    assert client.get(reverse("circulars_remind", args=[circular.pk])).status_code == 404


def test_a_reply_by_date_is_kept(region_admin_client, entities):
    when = timezone.localdate() + datetime.timedelta(days=15)
    compose(region_admin_client, audience="all_arca", reply_by=when.isoformat())
    circular = Circular.objects.get()
    assert circular.reply_by == when
    region_admin_client.post(reverse("circulars_confirm", args=[circular.pk]), {"confirm": "yes"})
    assert circular.recipients.count() == 5
