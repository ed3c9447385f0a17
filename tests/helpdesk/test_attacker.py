"""From the attacker's side: an officer of Bari probes Lecce's ticket by every way in (its page,
a reply, a note, the assignment, a file, the export, the queue and its entity filter, the API)
and never sees or changes it; internal notes of the Region never reach an entity's people
(thread, file list, API, notifications)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from helpdesk import services
from helpdesk.models import Message, MessageKind, Ticket, TicketState
from registry.models import Area, Role
from tests.conftest import BARI, LECCE
from tests.factories import member
from tests.helpers import assert_not_found, assert_not_shown, assert_refused_by_admin, body_of

from .conftest import LECCE_MARKERS

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["helpdesk", "property_register", "legal_representative"])
def bari_person(request, entities):
    """Every kind of Bari's people: they all read Bari's tickets, none Lecce's."""
    if request.param == "legal_representative":
        return member(BARI, Role.LEGAL_REPRESENTATIVE)
    return member(BARI, Role.OFFICER, request.param)


def test_another_entitys_ticket_does_not_exist_for_the_officer(client, bari_person, lecce_ticket):
    client.force_login(bari_person)
    attachment = Message.objects.get(ticket=lecce_ticket, kind=MessageKind.MESSAGE).attachments.get()
    pk = lecce_ticket.pk
    for method, url, data in (
        ("get", reverse("helpdesk_ticket", args=[pk]), {}),
        ("get", reverse("helpdesk_ticket_write", args=[pk, "message"]), {}),
        ("post", reverse("helpdesk_ticket_write", args=[pk, "message"]), {"body": "Intruso"}),
        ("post", reverse("helpdesk_ticket_write", args=[pk, "reopen"]), {"body": "Intruso", "confirm": "yes"}),
        ("post", reverse("helpdesk_ticket_write", args=[pk, "resolve"]), {"body": "Intruso", "confirm": "yes"}),
        ("post", reverse("helpdesk_ticket_note", args=[pk]), {"body": "Intruso"}),
        ("post", reverse("helpdesk_ticket_assign", args=[pk]), {"assignee": ""}),
        ("get", reverse("helpdesk_attachment", args=[pk, attachment.pk]), {}),
    ):
        response = getattr(client, method)(url, data)
        assert_not_found(response, leaked=LECCE_MARKERS)
        assert not body_of(response).startswith(b"%PDF")
    assert not Message.objects.filter(body="Intruso").exists()
    lecce_ticket.refresh_from_db()
    assert lecce_ticket.state == TicketState.ANSWERED


def test_a_file_of_another_ticket_is_not_reached_through_ones_own(client, bari_helpdesk, open_ticket, lecce_ticket):
    own = open_ticket(BARI, bari_helpdesk)
    theirs = Message.objects.get(ticket=lecce_ticket, kind=MessageKind.MESSAGE).attachments.get()
    client.force_login(bari_helpdesk)
    assert_not_found(client.get(reverse("helpdesk_attachment", args=[own.pk, theirs.pk])), leaked=LECCE_MARKERS)


def test_lists_and_exports_show_only_ones_own_entitys_tickets(client, bari_person, open_ticket, lecce_ticket):
    own = open_ticket(BARI, bari_person, subject="Mio-Bari")
    client.force_login(bari_person)
    listing = client.get(reverse("helpdesk_tickets"))
    assert own.subject in listing.content.decode()
    assert_not_shown(listing, *LECCE_MARKERS)
    for file_format in ("csv", "xlsx"):
        response = client.get(reverse("helpdesk_export", args=[file_format]))
        assert response.status_code == 200
        body = body_of(response)
        if file_format == "csv":
            assert b"Mio-Bari" in body
            assert b"Segreto-Lecce" not in body
        else:
            import io

            from openpyxl import load_workbook

            cells = repr([[c.value for c in row] for row in load_workbook(io.BytesIO(body)).active.iter_rows()])
            assert "Mio-Bari" in cells and "Segreto-Lecce" not in cells


def test_the_officer_never_gets_the_queue_whatever_the_filter(client, bari_person, lecce_ticket, entities):
    client.force_login(bari_person)
    for query in ({}, {"entity": str(entities[LECCE].pk)}, {"province": "LE"}, {"state": "answered"}):
        assert_refused_by_admin(client.get(reverse("helpdesk_queue"), query), leaked=LECCE_MARKERS)


def test_the_queue_turns_no_unknown_parameter_into_a_lookup(client, region_admin, lecce_ticket):
    """Only the declared filters narrow the queue: a lookup in the query string is ignored."""
    client.force_login(region_admin)
    html = client.get(reverse("helpdesk_queue"), {"entity__code": "072006", "subject__startswith": "x"})
    assert "Segreto-Lecce" in html.content.decode()


def test_an_officer_cannot_open_a_ticket_for_another_entity(client, bari_helpdesk, entities):
    client.force_login(bari_helpdesk)
    response = client.post(
        reverse("helpdesk_ticket_new"),
        {"entity": entities[LECCE].pk, "topic": "technical", "subject": "Per Lecce", "body": "x"},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not Ticket.objects.exists()
    with pytest.raises(Exception) as refused:
        services.open_ticket(entity=entities[LECCE], topic="technical", subject="x", body="x", by=bari_helpdesk)
    assert refused.type.__name__ == "PermissionDenied"


def test_linking_another_entitys_submission_or_import_is_refused(client, bari_helpdesk, lecce_helpdesk, entities, call):
    from django.core.exceptions import ValidationError
    from django.core.files.base import ContentFile

    from calls.models import Submission
    from registry.models import ImportJob

    theirs = Submission.objects.create(call=call, comune=entities[LECCE])
    job = ImportJob.objects.create(
        owner=entities[LECCE],
        uploaded_by=lecce_helpdesk,
        file=ContentFile(b"x", name="alloggi.csv"),
        file_format="csv",
        original_name="alloggi-lecce.csv",
        sha256="0" * 64,
        size=1,
    )
    for related in ({"submission": theirs}, {"import_job": job}):
        with pytest.raises(ValidationError):
            services.open_ticket(
                entity=entities[BARI], topic="calls", subject="x", body="x", by=bari_helpdesk, **related
            )
    client.force_login(bari_helpdesk)
    for field, value in (("submission", theirs.pk), ("import_job", job.pk)):
        response = client.post(
            reverse("helpdesk_ticket_new"),
            {"entity": entities[BARI].pk, "topic": "calls", "subject": "x", "body": "x", field: value},
        )
        assert response.status_code == 200
        assert_not_shown(response, "alloggi-lecce.csv")
    api = APIClient()
    api.force_authenticate(bari_helpdesk)
    for field, value in (("submission", theirs.pk), ("import_job", job.pk)):
        response = api.post(
            "/api/v1/tickets",
            {"entity": BARI, "topic": "calls", "subject": "x", "body": "x", field: value},
            format="json",
        )
        assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert not Ticket.objects.exists()


def test_the_api_shows_nothing_of_another_entitys_ticket(bari_person, lecce_ticket):
    api = APIClient()
    api.force_authenticate(bari_person)
    attachment = Message.objects.get(ticket=lecce_ticket, kind=MessageKind.MESSAGE).attachments.get()
    for query in ("", f"?entity={LECCE}", "?state=answered"):
        response = api.get("/api/v1/tickets" + query)
        assert response.status_code == 200 and response.json()["results"] == []
    for path in (
        f"/api/v1/tickets/{lecce_ticket.pk}",
        f"/api/v1/tickets/{lecce_ticket.pk}/attachments/{attachment.pk}",
    ):
        response = api.get(path)
        assert_not_found(response, leaked=LECCE_MARKERS)
        assert response["Content-Type"] == "application/problem+json"
    response = api.post(
        f"/api/v1/tickets/{lecce_ticket.pk}/messages", {"action": "message", "body": "Intruso"}, format="json"
    )
    assert_not_found(response, leaked=LECCE_MARKERS)
    assert not Message.objects.filter(body="Intruso").exists()


# --- internal notes -----------------------------------------------------------------------


def test_internal_notes_never_reach_the_entitys_people(client, lecce_helpdesk, lecce_ticket):
    client.force_login(lecce_helpdesk)
    page = client.get(reverse("helpdesk_ticket", args=[lecce_ticket.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Risposta-Lecce" in html  # the reply is there
    assert "Nota-interna-Lecce" not in html
    assert "Internal note" not in html and "Nota interna" not in html  # nor the form to write one
    api = APIClient()
    api.force_authenticate(lecce_helpdesk)
    data = api.get(f"/api/v1/tickets/{lecce_ticket.pk}").json()
    assert [message["kind"] for message in data["messages"]] == ["message", "reply"]
    assert "Nota-interna-Lecce" not in repr(data)
    assert_not_found(client.post(reverse("helpdesk_ticket_note", args=[lecce_ticket.pk]), {"body": "Mia nota"}))
    assert not Message.objects.filter(body="Mia nota").exists()


def test_the_region_reads_its_internal_notes(client, region_admin, lecce_ticket):
    client.force_login(region_admin)
    assert "Nota-interna-Lecce" in client.get(reverse("helpdesk_ticket", args=[lecce_ticket.pk])).content.decode()
    api = APIClient()
    api.force_authenticate(region_admin)
    kinds = [message["kind"] for message in api.get(f"/api/v1/tickets/{lecce_ticket.pk}").json()["messages"]]
    assert kinds == ["message", "reply", "note"]


def test_notifications_tell_the_other_side_and_never_carry_a_note(
    monkeypatch, open_ticket, bari_helpdesk, region_admin, reviewer, entities
):
    sent = []

    def record(**kwargs):
        sent.append(kwargs)
        return len(kwargs["recipients"])

    monkeypatch.setattr("helpdesk.notifications.notify", record)
    colleague_other_area = member(BARI, Role.OFFICER, Area.CALLS)
    author = member(BARI, Role.OFFICER, Area.PROPERTY_REGISTER, last_name="Autore")
    lecce_person = member(LECCE, Role.OFFICER, Area.HELPDESK)
    ticket = open_ticket(BARI, author)
    assert sent[-1]["kind"] == "ticket_opened"
    assert {person.pk for person in sent[-1]["recipients"]} == {region_admin.pk, reviewer.pk}

    services.add_note(ticket=ticket, body="Nota-segreta", by=region_admin)
    assert len(sent) == 1  # a note tells nobody

    services.write(ticket=ticket, action="request_info", body="Serve il numero dell'atto", by=region_admin)
    told = {person.pk for person in sent[-1]["recipients"]}
    assert sent[-1]["kind"] == "ticket_info_requested"
    assert author.pk in told and bari_helpdesk.pk in told
    assert colleague_other_area.pk not in told and lecce_person.pk not in told and region_admin.pk not in told
    assert "Nota-segreta" not in repr(sent)
    assert sent[-1]["url"] == reverse("helpdesk_ticket", args=[ticket.pk])
