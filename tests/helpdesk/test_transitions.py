"""The transition table (helpdesk/transitions.py), role by role: who may move a ticket where,
from which state, and the timings the moves keep."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from helpdesk import services, transitions
from helpdesk.models import Ticket, TicketState
from registry.models import Area, Role
from tests.conftest import ARCA_SUD_SALENTO, BARI, LECCE, REGION
from tests.factories import member

pytestmark = pytest.mark.django_db

ROLES = {
    "region_admin": (REGION, Role.ADMINISTRATOR, ""),
    "region_reviewer": (REGION, Role.REVIEWER, ""),
    "region_editor": (REGION, Role.EDITOR, ""),
    "bari_helpdesk": (BARI, Role.OFFICER, Area.HELPDESK),
    "bari_register": (BARI, Role.OFFICER, Area.PROPERTY_REGISTER),
    "bari_calls": (BARI, Role.OFFICER, Area.CALLS),
    "bari_legal_rep": (BARI, Role.LEGAL_REPRESENTATIVE, ""),
    "lecce_helpdesk": (LECCE, Role.OFFICER, Area.HELPDESK),
    "arca_helpdesk": (ARCA_SUD_SALENTO, Role.OFFICER, Area.HELPDESK),
}
REGION_HANDLERS = {"region_admin", "region_reviewer"}
BARI_PEOPLE = {"bari_helpdesk", "bari_register", "bari_calls", "bari_legal_rep"}

# action -> the roles that may take it on Bari's ticket (from a state it starts from).
EXPECTED = {
    "message": BARI_PEOPLE,
    "reply": REGION_HANDLERS,
    "request_info": REGION_HANDLERS,
    "resolve": REGION_HANDLERS,
    "reopen": BARI_PEOPLE | REGION_HANDLERS,
}


@pytest.fixture
def people(entities):
    return {name: member(code, role, area) for name, (code, role, area) in ROLES.items()}


def bari_ticket(people, state=TicketState.OPEN):
    ticket = services.open_ticket(
        entity=people["bari_helpdesk"].memberships.get().entity,
        topic="technical",
        subject="Accesso",
        body="Non riesco ad accedere",
        by=people["bari_helpdesk"],
    )
    Ticket.objects.filter(pk=ticket.pk).update(state=state)
    ticket.refresh_from_db()
    return ticket


def test_the_table_names_every_state_and_action():
    assert set(transitions.TRANSITIONS) == set(EXPECTED)
    reached = {transition.target for transition in transitions.TRANSITIONS.values()}
    assert reached == set(TicketState.values)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_each_role_is_allowed_or_refused_each_transition(people, action):
    transition = transitions.TRANSITIONS[action]
    for name, person in people.items():
        ticket = bari_ticket(people, state=transition.sources[0])
        if name in EXPECTED[action]:
            services.write(ticket=ticket, action=action, body=f"{action} da {name}", by=person)
            ticket.refresh_from_db()
            assert ticket.state == transition.target, (action, name)
        else:
            with pytest.raises(PermissionDenied):
                services.write(ticket=ticket, action=action, body="no", by=person)
            ticket.refresh_from_db()
            assert ticket.state == transition.sources[0], (action, name)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_a_transition_is_refused_from_a_state_it_does_not_start_from(people, action):
    transition = transitions.TRANSITIONS[action]
    by = people["region_admin"] if "region" in transition.sides else people["bari_helpdesk"]
    for state in set(TicketState.values) - set(transition.sources):
        ticket = bari_ticket(people, state=state)
        with pytest.raises(ValidationError) as refused:
            services.write(ticket=ticket, action=action, body="x", by=by)
        assert refused.value.code == "state"
        ticket.refresh_from_db()
        assert ticket.state == state


def test_allowed_transitions_are_what_the_screen_offers(people):
    ticket = bari_ticket(people)
    assert transitions.allowed_transitions(people["bari_helpdesk"], ticket) == ["message"]
    assert transitions.allowed_transitions(people["region_admin"], ticket) == ["reply", "request_info", "resolve"]
    assert transitions.allowed_transitions(people["lecce_helpdesk"], ticket) == []
    resolved = bari_ticket(people, state=TicketState.RESOLVED)
    assert transitions.allowed_transitions(people["bari_legal_rep"], resolved) == ["reopen"]


def test_only_the_regions_staff_write_notes_and_assign(people):
    ticket = bari_ticket(people)
    for name, person in people.items():
        if name in REGION_HANDLERS:
            services.add_note(ticket=ticket, body="nota", by=person)
            services.assign(ticket=ticket, assignee=person, by=person)
        else:
            with pytest.raises(PermissionDenied):
                services.add_note(ticket=ticket, body="nota", by=person)
            with pytest.raises(PermissionDenied):
                services.assign(ticket=ticket, assignee=people["region_admin"], by=person)
    with pytest.raises(ValidationError):
        services.assign(ticket=ticket, assignee=people["bari_helpdesk"], by=people["region_admin"])


def test_only_the_entitys_people_open_its_tickets(people, entities):
    for name, person in people.items():
        if name in BARI_PEOPLE:
            services.open_ticket(entity=entities[BARI], topic="calls", subject="x", body="x", by=person)
        else:
            with pytest.raises(PermissionDenied):
                services.open_ticket(entity=entities[BARI], topic="calls", subject="x", body="x", by=person)


def test_the_timings_first_response_and_resolution(people):
    ticket = bari_ticket(people)
    services.write(ticket=ticket, action="message", body="altro", by=people["bari_helpdesk"])
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    services.write(ticket=ticket, action="request_info", body="quale browser?", by=people["region_reviewer"])
    ticket.refresh_from_db()
    first = ticket.first_response_at
    assert first is not None and ticket.resolved_at is None
    services.write(ticket=ticket, action="message", body="Firefox", by=people["bari_helpdesk"])
    services.write(ticket=ticket, action="resolve", body="risolto", by=people["region_admin"])
    ticket.refresh_from_db()
    assert ticket.first_response_at == first and ticket.resolved_at >= first
    services.write(ticket=ticket, action="reopen", body="di nuovo", by=people["bari_helpdesk"])
    ticket.refresh_from_db()
    assert ticket.resolved_at is None and ticket.first_response_at == first
