"""The intervention's transition table, per role: who may take each transition, from which
state, and what it records. Every case goes through move_intervention, as the screens and
the API do."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from calls.programmes.models import Intervention, InterventionState
from calls.programmes.transitions import TRANSITIONS, allowed_transitions, move_intervention
from registry.models import Area, Role
from tests.conftest import ARCA_SUD_SALENTO
from tests.factories import member

S = InterventionState
# action -> (a state it starts from, the state it leads to)
TABLE = {
    "start_design": (S.PLANNED, S.DESIGN),
    "start_tender": (S.DESIGN, S.TENDER),
    "start_works": (S.TENDER, S.WORKS),
    "complete": (S.WORKS, S.COMPLETED),
    "record_testing": (S.COMPLETED, S.TESTED),
    "reopen_works": (S.COMPLETED, S.WORKS),
    "revoke": (S.WORKS, S.REVOKED),
    "reinstate": (S.REVOKED, S.PLANNED),
}
BENEFICIARY_ACTIONS = {"start_design", "start_tender", "start_works", "complete", "record_testing"}
REGION_ACTIONS = {"reopen_works", "revoke", "reinstate"}


def test_the_table_is_the_one_specified():
    assert {action: (transition.sources, transition.target) for action, transition in TRANSITIONS.items()}.keys() == (
        TABLE.keys()
    )
    for action, (source, target) in TABLE.items():
        assert source in TRANSITIONS[action].sources and TRANSITIONS[action].target == target


@pytest.fixture
def people(entities, arca_officer, region_admin, reviewer):
    return {
        "beneficiary_officer": arca_officer,
        "beneficiary_legal_rep": member(ARCA_SUD_SALENTO, Role.LEGAL_REPRESENTATIVE),
        "beneficiary_calls_officer": member(ARCA_SUD_SALENTO, Role.OFFICER, Area.CALLS),
        "region_admin": region_admin,
        "region_reviewer": reviewer,
        "other_arca_officer": member("720000", Role.OFFICER, Area.PROPERTY_REGISTER),
    }


ALLOWED = {
    "beneficiary_officer": BENEFICIARY_ACTIONS,
    "beneficiary_legal_rep": BENEFICIARY_ACTIONS,
    "beneficiary_calls_officer": set(),
    "region_admin": REGION_ACTIONS,
    "region_reviewer": set(),
    "other_arca_officer": set(),
}


@pytest.mark.parametrize("person", sorted(ALLOWED))
@pytest.mark.parametrize("action", sorted(TABLE))
def test_each_transition_is_taken_by_its_side_only(people, salento_intervention, person, action):
    source, target = TABLE[action]
    Intervention.objects.filter(pk=salento_intervention.pk).update(state=source)
    salento_intervention.refresh_from_db()
    user = people[person]
    if action in ALLOWED[person]:
        moved = move_intervention(salento_intervention, action, user)
        assert moved.state == target
    else:
        with pytest.raises(PermissionDenied):
            move_intervention(salento_intervention, action, user)
        salento_intervention.refresh_from_db()
        assert salento_intervention.state == source


def test_a_transition_from_another_state_is_refused_as_a_state_conflict(salento_intervention, arca_officer):
    with pytest.raises(ValidationError) as refused:
        move_intervention(salento_intervention, "complete", arca_officer)
    assert refused.value.code == "state"


def test_a_transition_records_the_actual_dates_it_closes(salento_intervention, arca_officer):
    Intervention.objects.filter(pk=salento_intervention.pk).update(state=S.TENDER)
    salento_intervention.refresh_from_db()
    on = timezone.localdate() - datetime.timedelta(days=3)
    moved = move_intervention(salento_intervention, "start_works", arca_officer, on=on)
    assert (moved.tender_actual, moved.works_start_actual) == (on, on)


def test_an_actual_date_in_the_future_is_refused(salento_intervention, arca_officer):
    with pytest.raises(ValidationError):
        move_intervention(
            salento_intervention, "start_design", arca_officer, on=timezone.localdate() + datetime.timedelta(days=1)
        )


def test_the_buttons_offered_are_the_table_s(salento_intervention, arca_officer, region_admin):
    assert allowed_transitions(arca_officer, salento_intervention) == ["start_design"]
    assert allowed_transitions(region_admin, salento_intervention) == ["revoke"]
