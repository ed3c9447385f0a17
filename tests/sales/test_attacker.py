"""From the attacker's side: an officer of ARCA Sud Salento asking for ARCA Puglia Centrale's
plan, units, proceeds and figures by URL, list filter, export, API filter, and putting the
other's units in its own plan by the form, the API and the service. Each refusal is the one
expected, and nothing of the other shows."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from calls.sales import services
from calls.sales.models import ReinvestmentPurpose, SalePlan, SalePlanUnit
from tests.helpers import assert_not_found, assert_not_shown, assert_refused_by_admin, body_of

from .conftest import lines_for, proposable
from .fixtures import plant_sale_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(centrale, centrale_officer):
    rows = {}
    markers = plant_sale_plan(centrale, "Centrale", centrale_officer, rows)
    return {"plan": rows[SalePlan][0], "lines": rows[SalePlanUnit], "markers": (*markers, centrale.name)}


@pytest.fixture
def mine(salento, salento_officer, make_plan):
    return make_plan(salento, salento_officer, units=1, title="Piano-vendita-Salento")


def test_the_other_owners_plan_is_not_found_at_any_address(client, salento_officer, theirs, mine):
    client.force_login(salento_officer)
    plan, line = theirs["plan"], theirs["lines"][0]
    leaked = theirs["markers"]
    for url in (
        reverse("sales_plan", args=[plan.pk]),
        reverse("sales_plan_units", args=[plan.pk]),
        reverse("sales_sale_new", args=[plan.pk, line.pk]),
        *(reverse("sales_plan_move", args=[plan.pk, action]) for action in ("send", "approve", "reject")),
    ):
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"confirm": "yes", "reason": "x", "unit": str(line.unit_id)})
            assert_not_found(response, leaked=leaked)
    assert_not_found(client.post(reverse("sales_plan_unit_remove", args=[plan.pk, line.pk])), leaked=leaked)
    # Its own plan, asked with the other's line, is no way in either.
    assert_not_found(client.post(reverse("sales_plan_unit_remove", args=[mine.pk, line.pk])), leaked=leaked)
    assert_not_found(client.get(reverse("sales_sale_new", args=[mine.pk, line.pk])), leaked=leaked)
    assert SalePlanUnit.objects.filter(pk=line.pk).exists()


def test_the_lists_and_exports_asked_with_the_others_ids_show_nothing_of_it(client, salento_officer, theirs, mine):
    client.force_login(salento_officer)
    plan = theirs["plan"]
    for query in ("", f"?owner={plan.owner_id}", "?state=approved", f"?owner={plan.owner_id}&state=approved"):
        response = client.get(reverse("sales_plans") + query)
        assert response.status_code == 200
        assert_not_shown(response, *theirs["markers"])
    assert "Piano-vendita-Salento" in client.get(reverse("sales_plans")).content.decode()
    year = timezone.localdate().year
    for query in ("", f"?year={year}", f"?owner={plan.owner_id}", f"?owner={plan.owner.code}"):
        page = client.get(reverse("sales_proceeds") + query)
        assert page.status_code == 200
        assert_not_shown(page, *theirs["markers"], plan.owner.code)
        csv = client.get(reverse("sales_proceeds_export", args=["csv"]) + query)
        assert csv.status_code == 200
        assert_not_shown(csv, *theirs["markers"], plan.owner.code)
        xlsx = client.get(reverse("sales_proceeds_export", args=["xlsx"]) + query)
        sheet = load_workbook(io.BytesIO(body_of(xlsx))).active
        cells = repr([[cell.value for cell in row] for row in sheet.iter_rows()])
        assert plan.owner.code not in cells and "Centrale" not in cells
        assert not any(marker in cells for marker in theirs["markers"])


def test_the_api_shows_nothing_of_the_other_owner(salento_officer, theirs, mine):
    api = APIClient()
    api.force_authenticate(salento_officer)
    plan = theirs["plan"]
    for query in ("", f"?owner={plan.owner.code}", "?state=approved", "?search=Centrale"):
        response = api.get("/api/v1/sale-plans" + query)
        assert response.status_code == 200
        assert_not_shown(response, *theirs["markers"])
    assert api.get(f"/api/v1/sale-plans?owner={plan.owner.code}").json()["count"] == 0
    assert_not_found(api.get(f"/api/v1/sale-plans/{plan.pk}"), leaked=theirs["markers"])
    for action, body in (
        ("units", {"units": [{"unit": "x", "appraised_value": "1.00", "right_of_first_refusal": True}]}),
        ("send", {}),
        ("approve", {}),
        ("reject", {"reason": "x"}),
        ("sales", {"unit": "x", "sold_on": "2026-01-01", "price": "1.00", "buyer_type": "other"}),
    ):
        response = api.post(f"/api/v1/sale-plans/{plan.pk}/{action}", body, format="json")
        assert_not_found(response, leaked=theirs["markers"])


def test_the_others_unit_cannot_be_put_in_ones_own_plan_by_form(client, salento_officer, theirs, mine, centrale):
    client.force_login(salento_officer)
    foreign = proposable(centrale, 1)[0]
    response = client.post(
        reverse("sales_plan_units", args=[mine.pk]),
        {"unit": [str(foreign.pk)], f"value_{foreign.pk}": "50.000,00", f"refusal_{foreign.pk}": "no"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Riga 1, alloggio" in response.content.decode()
    assert not mine.lines.filter(unit=foreign).exists()
    # The picker never offers it: its filters take the plan owner's Comuni and buildings only.
    picker = client.get(reverse("sales_plan_units", args=[mine.pk]) + f"?building={foreign.building_id}")
    assert foreign.push_id not in picker.content.decode()


def test_the_others_unit_cannot_be_put_in_ones_own_plan_by_api_or_service(salento_officer, theirs, mine, centrale):
    foreign = proposable(centrale, 1)[0]
    api = APIClient()
    api.force_authenticate(salento_officer)
    response = api.post(
        f"/api/v1/sale-plans/{mine.pk}/units",
        {"units": [{"unit": foreign.push_id, "appraised_value": "50000.00", "right_of_first_refusal": False}]},
        format="json",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    with pytest.raises(ValidationError):
        services.add_units(plan=mine, lines=lines_for([foreign]), by=salento_officer)
    assert not SalePlanUnit.objects.filter(plan=mine, unit=foreign).exists()


def test_an_arca_does_not_propose_the_units_of_a_comune_it_covers(salento_officer, lecce, client):
    with pytest.raises(PermissionDenied):
        services.create_plan(owner=lecce, title="Piano di Lecce", by=salento_officer)
    with pytest.raises(PermissionDenied):
        services.record_reinvestment(
            owner=lecce,
            spent_on=timezone.localdate(),
            amount=Decimal("1.00"),
            purpose=ReinvestmentPurpose.RECOVERY,
            by=salento_officer,
        )
    client.force_login(salento_officer)
    response = client.post(reverse("sales_plan_new"), {"owner": lecce.pk, "title": "Piano di Lecce"})
    assert response.status_code == 200  # the form refuses the choice
    assert not SalePlan.objects.filter(owner=lecce).exists()


def test_the_region_sees_every_plan_but_never_fills_one(reviewer, theirs, mine, salento):
    api = APIClient()
    api.force_authenticate(reviewer)
    assert api.get("/api/v1/sale-plans").json()["count"] == 2
    with pytest.raises(PermissionDenied):
        services.add_units(plan=mine, lines=lines_for(proposable(salento, 1)), by=reviewer)
    with pytest.raises(PermissionDenied):
        services.create_plan(owner=salento, title="Piano", by=reviewer)


def test_an_owner_may_not_approve_its_own_plan(client, salento_officer, mine, reviewer):
    services.send(plan=mine, by=salento_officer)
    client.force_login(salento_officer)
    assert_refused_by_admin(client.post(reverse("sales_plan_move", args=[mine.pk, "approve"]), {"confirm": "yes"}))
    api = APIClient()
    api.force_authenticate(salento_officer)
    assert api.post(f"/api/v1/sale-plans/{mine.pk}/approve", {}, format="json").status_code == 403
    mine.refresh_from_db()
    assert mine.state == "sent"
    assert (timezone.now() - mine.sent_at) < datetime.timedelta(minutes=5)
