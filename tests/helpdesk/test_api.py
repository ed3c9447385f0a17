"""/api/v1/tickets as an entity's own system uses it: list and read its tickets, open one,
reply; errors as problem+json; the schema documents the endpoints."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from helpdesk.models import Ticket, TicketState
from tests.conftest import BARI, LECCE

pytestmark = pytest.mark.django_db


@pytest.fixture
def bari_system(bari_helpdesk):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=bari_helpdesk).key}")
    return api


def test_an_entitys_system_opens_a_ticket_and_reads_it(bari_system, bari_helpdesk, call):
    response = bari_system.post(
        "/api/v1/tickets",
        {"entity": BARI, "topic": "calls", "subject": "Scadenza", "body": "Quando chiude il bando?", "call": call.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    ticket = Ticket.objects.get()
    assert (data["id"], data["entity"], data["state"], data["call"]) == (ticket.pk, BARI, "open", call.pk)
    assert data["reference"] == f"HD-{ticket.pk:06d}"
    assert [message["body"] for message in data["messages"]] == ["Quando chiude il bando?"]
    assert data["messages"][0]["author"] == bari_helpdesk.get_full_name()
    listed = bari_system.get("/api/v1/tickets").json()
    assert [row["id"] for row in listed["results"]] == [ticket.pk]
    assert bari_system.get("/api/v1/tickets?state=resolved").json()["results"] == []


def test_the_system_replies_and_the_state_moves(bari_system, bari_helpdesk, region_admin, open_ticket):
    from helpdesk import services

    ticket = open_ticket(BARI, bari_helpdesk)
    services.write(ticket=ticket, action="request_info", body="Quale file?", by=region_admin)
    response = bari_system.post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"action": "message", "body": "Il file di ottobre"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == TicketState.OPEN
    assert [m["kind"] for m in response.json()["messages"]] == ["message", "info_request", "message"]


def test_refusals_are_problem_details(bari_system, bari_helpdesk, open_ticket, entities):
    ticket = open_ticket(BARI, bari_helpdesk)
    cases = [
        # The Region's side: the entity may not resolve.
        ("post", f"/api/v1/tickets/{ticket.pk}/messages", {"action": "resolve", "body": "x"}, 403),
        # A state the action does not start from.
        ("post", f"/api/v1/tickets/{ticket.pk}/messages", {"action": "reopen", "body": "x"}, 409),
        # Another entity.
        ("post", "/api/v1/tickets", {"entity": LECCE, "topic": "calls", "subject": "x", "body": "x"}, 403),
        # Typed wrongly.
        ("post", "/api/v1/tickets", {"entity": 72006, "topic": "calls", "subject": "x", "body": "x"}, 400),
        ("post", "/api/v1/tickets", {"entity": BARI, "topic": "other", "subject": "x", "body": "x"}, 400),
        ("post", "/api/v1/tickets", {"entity": BARI, "topic": "calls", "subject": "x", "body": "x", "call": "1"}, 400),
        ("get", "/api/v1/tickets/999999", None, 404),
    ]
    for method, path, body, status in cases:
        response = getattr(bari_system, method)(path, body, format="json")
        assert response.status_code == status, (path, body, response.status_code, response.content)
        assert response["Content-Type"] == "application/problem+json"
    assert Ticket.objects.count() == 1


def test_anonymous_callers_get_nothing(api, open_ticket, bari_helpdesk):
    ticket = open_ticket(BARI, bari_helpdesk)
    assert api.get("/api/v1/tickets").status_code == 401
    assert api.get(f"/api/v1/tickets/{ticket.pk}").status_code == 401


def test_the_schema_documents_the_tickets(api):
    paths = api.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert {"/api/v1/tickets", "/api/v1/tickets/{id}", "/api/v1/tickets/{id}/messages"} <= set(paths)
    assert "/api/v1/tickets/{id}/attachments/{attachment_id}" in paths
    assert "409" in paths["/api/v1/tickets/{id}/messages"]["post"]["responses"]
