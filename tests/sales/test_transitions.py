"""The plan's transitions as a table with the side allowed for each, enforced by the services
and the screens; irreversible steps act only after the summary is confirmed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from calls.sales import services, transitions
from calls.sales.models import SalePlan, SalePlanState
from core.notifications.models import Notification
from registry.models import Area, Role
from tests.conftest import ARCA_SUD_SALENTO, REGION
from tests.factories import member

pytestmark = pytest.mark.django_db

# Who takes each action: the owner's side or the Region's.
EXPECTED_SIDES = {
    "send": "owner",
    "integrate": "owner",
    "request_integration": "region",
    "approve": "region",
    "reject": "region",
}
CONFIRMED = {"send", "integrate", "approve", "reject"}


def test_the_table_names_the_side_and_the_confirmation_of_each_action():
    assert {action: transition.side for action, transition in transitions.TRANSITIONS.items()} == EXPECTED_SIDES
    assert {action for action, transition in transitions.TRANSITIONS.items() if transition.confirm} == CONFIRMED


@pytest.fixture
def people(salento, centrale):
    return {
        "owner_officer": member(ARCA_SUD_SALENTO, Role.OFFICER, Area.PROPERTY_REGISTER),
        "owner_legal_rep": member(ARCA_SUD_SALENTO, Role.LEGAL_REPRESENTATIVE),
        "owner_helpdesk_officer": member(ARCA_SUD_SALENTO, Role.OFFICER, Area.HELPDESK),
        "other_owner_officer": member(centrale, Role.OFFICER, Area.PROPERTY_REGISTER),
        "region_reviewer": member(REGION, Role.REVIEWER),
        "region_admin": member(REGION, Role.ADMINISTRATOR),
        "region_editor": member(REGION, Role.EDITOR),
    }


# Who may take each action on a plan in its source state.
ALLOWED = {
    "owner_officer": {"send", "integrate"},
    "owner_legal_rep": {"send", "integrate"},
    "owner_helpdesk_officer": set(),
    "other_owner_officer": set(),
    "region_reviewer": {"request_integration", "approve", "reject"},
    "region_admin": {"request_integration", "approve", "reject"},
    "region_editor": set(),
}


def _in_state(owner, by, state, make_plan):
    plan = make_plan(owner, by, units=1)
    SalePlan.objects.filter(pk=plan.pk).update(
        state=state, integration_deadline=timezone.now() + datetime.timedelta(days=3)
    )
    plan.refresh_from_db()
    return plan


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_each_role_may_take_exactly_its_actions(people, salento, make_plan, who):
    user = people[who]
    for action, transition in transitions.TRANSITIONS.items():
        plan = _in_state(salento, people["owner_officer"], transition.sources[0], make_plan)
        assert transitions.may_take(user, plan, action) is (action in ALLOWED[who]), (who, action)


@pytest.mark.parametrize("who", ["owner_helpdesk_officer", "other_owner_officer", "region_editor"])
def test_the_services_refuse_every_action_to_a_role_without_it(people, salento, make_plan, who):
    user = people[who]
    sent = _in_state(salento, people["owner_officer"], SalePlanState.SENT, make_plan)
    draft = _in_state(salento, people["owner_officer"], SalePlanState.DRAFT, make_plan)
    for call in (
        lambda: services.send(plan=draft, by=user),
        lambda: services.approve(plan=sent, by=user),
        lambda: services.reject(plan=sent, reason="No", by=user),
        lambda: services.request_integration(
            plan=sent, message="x", deadline=timezone.now() + datetime.timedelta(days=1), by=user
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert SalePlan.objects.get(pk=sent.pk).state == SalePlanState.SENT
    assert SalePlan.objects.get(pk=draft.pk).state == SalePlanState.DRAFT


def test_an_action_from_a_state_it_does_not_start_from_is_refused(people, salento, make_plan):
    draft = _in_state(salento, people["owner_officer"], SalePlanState.DRAFT, make_plan)
    with pytest.raises(ValidationError) as refused:
        services.approve(plan=draft, by=people["region_reviewer"])
    assert refused.value.code == "state"
    approved = _in_state(salento, people["owner_officer"], SalePlanState.APPROVED, make_plan)
    with pytest.raises(ValidationError):
        services.send(plan=approved, by=people["owner_officer"])


def test_sending_from_the_admin_shows_a_summary_and_acts_only_once_confirmed(client, people, salento, make_plan):
    officer = people["owner_officer"]
    plan = make_plan(salento, officer, units=2, value="45000.00")
    client.force_login(officer)
    url = reverse("sales_plan_move", args=[plan.pk, "send"])
    summary = client.get(url)
    assert summary.status_code == 200
    assert "90.000,00 €" in summary.content.decode()
    client.post(url, {})  # no confirmation
    assert SalePlan.objects.get(pk=plan.pk).state == SalePlanState.DRAFT
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == SalePlanState.SENT and plan.protocol_number.startswith("PUSH/")
    assert Notification.objects.filter(kind="sale_plan_sent", recipient=people["region_reviewer"]).exists()


def test_the_region_rejects_with_a_reason_after_confirming(client, people, salento, make_plan):
    officer, reviewer = people["owner_officer"], people["region_reviewer"]
    plan = make_plan(salento, officer, units=1)
    services.send(plan=plan, by=officer)
    client.force_login(reviewer)
    url = reverse("sales_plan_move", args=[plan.pk, "reject"])
    client.post(url, {"confirm": "yes", "reason": ""})
    assert SalePlan.objects.get(pk=plan.pk).state == SalePlanState.SENT
    client.post(url, {"confirm": "yes", "reason": "Stime non allegate"})
    plan.refresh_from_db()
    assert (plan.state, plan.decision_reason) == (SalePlanState.REJECTED, "Stime non allegate")
    assert Notification.objects.filter(kind="sale_plan_rejected", recipient=officer).exists()


def test_the_region_requests_an_integration_and_the_owner_is_told(client, people, salento, make_plan):
    officer, reviewer = people["owner_officer"], people["region_reviewer"]
    plan = make_plan(salento, officer, units=1)
    services.send(plan=plan, by=officer)
    client.force_login(reviewer)
    deadline = (timezone.localtime() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("sales_plan_move", args=[plan.pk, "request_integration"]),
        {"message": "Allegare le perizie", "deadline": deadline},
    )
    plan.refresh_from_db()
    assert plan.state == SalePlanState.INTEGRATION_REQUESTED
    assert Notification.objects.filter(kind="sale_plan_integration_requested", recipient=officer).exists()


def test_the_picker_reads_italian_amounts_and_names_the_row_and_column_of_a_wrong_one(
    client, salento, salento_officer, make_plan
):
    from .conftest import proposable

    plan = make_plan(salento, salento_officer, units=0)
    first, second = proposable(salento, 2)
    client.force_login(salento_officer)
    url = reverse("sales_plan_units", args=[plan.pk])
    wrong = client.post(
        url,
        {
            "unit": [str(first.pk), str(second.pk)],
            f"value_{first.pk}": "85.000,00",
            f"refusal_{first.pk}": "yes",
            f"value_{second.pk}": "86.52",
            f"refusal_{second.pk}": "no",
        },
        follow=True,
    )
    text = wrong.content.decode()
    assert ("Row 2, appraised value" in text) or ("Riga 2, valore di stima" in text)
    assert not plan.lines.exists()
    client.post(
        url,
        {
            "unit": [str(first.pk), str(second.pk)],
            f"value_{first.pk}": "85.000,00",
            f"refusal_{first.pk}": "yes",
            f"value_{second.pk}": "86.520,50",
            f"refusal_{second.pk}": "no",
        },
    )
    values = dict(plan.lines.values_list("unit_id", "appraised_value"))
    assert {str(value) for value in values.values()} == {"85000.00", "86520.50"}
