"""/api/v1/sale-plans as an owner's system and the Region's reviewer use it: a plan proposed,
filled, sent, approved and a sale recorded, each answer as documented; input typed strictly
and refusals as problem+json."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from calls.sales.models import SalePlan
from registry.models import OccupancyStatus, Unit

from .conftest import proposable

pytestmark = pytest.mark.django_db


def _client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_a_plan_from_proposal_to_sale_through_the_api(salento, salento_officer, reviewer):
    owner_api, region_api = _client(salento_officer), _client(reviewer)
    created = owner_api.post("/api/v1/sale-plans", {"owner": "750000", "title": "Piano 2026"}, format="json")
    assert created.status_code == 201, created.json()
    plan_id = created.json()["id"]
    first, second = proposable(salento, 2)
    filled = owner_api.post(
        f"/api/v1/sale-plans/{plan_id}/units",
        {
            "units": [
                {"unit": first.push_id, "appraised_value": "68500.00", "right_of_first_refusal": True},
                {"unit": second.push_id, "appraised_value": "59900.50", "right_of_first_refusal": False},
            ]
        },
        format="json",
    )
    assert filled.status_code == 200, filled.json()
    assert {(line["unit"], line["appraised_value"]) for line in filled.json()["units"]} == {
        (first.push_id, "68500.00"),
        (second.push_id, "59900.50"),
    }
    sent = owner_api.post(f"/api/v1/sale-plans/{plan_id}/send", format="json").json()
    assert sent["state"] == "sent" and sent["protocol_number"].startswith("PUSH/")
    approved = region_api.post(f"/api/v1/sale-plans/{plan_id}/approve", format="json").json()
    assert approved["state"] == "approved"
    assert {line["status"] for line in approved["units"]} == {"for_sale"}
    sold = owner_api.post(
        f"/api/v1/sale-plans/{plan_id}/sales",
        {
            "unit": first.push_id,
            "sold_on": timezone.localdate().isoformat(),
            "price": "66000.00",
            "buyer_type": "sitting_tenant",
        },
        format="json",
    )
    assert sold.status_code == 200, sold.json()
    assert Unit.objects.get(pk=first.pk).status == OccupancyStatus.SOLD
    line = next(line for line in sold.json()["units"] if line["unit"] == first.push_id)
    assert line["sale"]["price"] == "66000.00"


def test_amounts_and_answers_are_typed_strictly(salento, salento_officer, make_plan):
    plan = make_plan(salento, salento_officer, units=0)
    unit = proposable(salento, 1)[0]
    api = _client(salento_officer)
    for bad in (
        {"unit": unit.push_id, "appraised_value": 68500.5, "right_of_first_refusal": True},
        {"unit": unit.push_id, "appraised_value": "68.500,00", "right_of_first_refusal": True},
        {"unit": unit.push_id, "appraised_value": "68500.001", "right_of_first_refusal": True},
        {"unit": unit.push_id, "appraised_value": "68500.00", "right_of_first_refusal": "yes"},
        {"unit": unit.pk, "appraised_value": "68500.00", "right_of_first_refusal": True},
    ):
        response = api.post(f"/api/v1/sale-plans/{plan.pk}/units", {"units": [bad]}, format="json")
        assert response.status_code == 400, bad
        assert response["Content-Type"].startswith("application/problem+json")
    assert not plan.lines.exists()


def test_a_transition_from_the_wrong_state_is_a_conflict(salento, salento_officer, reviewer, make_plan):
    plan = make_plan(salento, salento_officer, units=1)
    response = _client(reviewer).post(f"/api/v1/sale-plans/{plan.pk}/approve", format="json")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")
    assert SalePlan.objects.get(pk=plan.pk).state == "draft"


def test_the_list_costs_the_same_queries_whatever_its_plans(salento, salento_officer, reviewer, make_plan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = _client(reviewer)
    make_plan(salento, salento_officer, units=1, title="Primo")
    api.get("/api/v1/sale-plans")
    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/v1/sale-plans").status_code == 200
    make_plan(salento, salento_officer, units=3, title="Secondo")
    make_plan(salento, salento_officer, units=2, title="Terzo")
    with CaptureQueriesContext(connection) as three:
        answer = api.get("/api/v1/sale-plans").json()
    assert answer["count"] == 3 and sum(len(plan["units"]) for plan in answer["results"]) == 6
    assert len(three) == len(one)
