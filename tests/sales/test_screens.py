"""The sale plans' screens as their readers open them: each page answers, and the lists'
queries do not grow with their rows."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls.sales import services
from calls.sales.models import BuyerType, Reinvestment, SalePlanUnit

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_and_a_plan_cost_the_same_queries_whatever_their_rows(
    client, salento, salento_officer, reviewer, make_plan
):
    first = make_plan(salento, salento_officer, units=1, title="Primo")
    client.force_login(reviewer)
    _queries(client, reverse("sales_plans"))  # warm the per-process caches
    one_plan = _queries(client, reverse("sales_plans"))
    one_unit = _queries(client, reverse("sales_plan", args=[first.pk]))
    third = make_plan(salento, salento_officer, units=4, title="Terzo")
    make_plan(salento, salento_officer, units=1, title="Secondo")
    assert _queries(client, reverse("sales_plans")) == one_plan
    assert _queries(client, reverse("sales_plan", args=[third.pk])) == one_unit


def test_every_screen_answers_its_reader(client, salento, salento_officer, reviewer, make_plan):
    plan = make_plan(salento, salento_officer, units=2)
    client.force_login(salento_officer)
    for url in (
        reverse("sales_plans"),
        reverse("sales_plan_new"),
        reverse("sales_plan", args=[plan.pk]),
        reverse("sales_plan_units", args=[plan.pk])
        + f"?status=let&comune={plan.lines.first().unit.building.comune_id}",
        reverse("sales_plan_move", args=[plan.pk, "send"]),
        reverse("sales_proceeds"),
        reverse("sales_reinvestment_new"),
    ):
        assert client.get(url).status_code == 200, url
    services.send(plan=plan, by=salento_officer)
    client.force_login(reviewer)
    for action in ("approve", "reject", "request_integration"):
        assert client.get(reverse("sales_plan_move", args=[plan.pk, action])).status_code == 200
    services.approve(plan=plan, by=reviewer)
    client.force_login(salento_officer)
    line = SalePlanUnit.objects.filter(plan=plan).first()
    url = reverse("sales_sale_new", args=[plan.pk, line.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"sold_on": timezone.localdate().isoformat(), "price": "66.000,00", "buyer_type": BuyerType.OTHER}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert str(line.sale.price) == "66000.00"
    page = client.get(reverse("sales_plan", args=[plan.pk])).content.decode()
    assert "66.000,00 €" in page


def _intervention(owner, title):
    from calls.programmes.models import Intervention, InterventionType, Programme

    programme, _created = Programme.objects.get_or_create(title="Programma di recupero", legal_act="DGR 2/2026")
    programme.beneficiaries.add(owner)
    return Intervention.objects.create(
        programme=programme,
        beneficiary=owner,
        title=title,
        cup="B12C34000560007",
        intervention_type=InterventionType.RECOVERY,
    )


def test_a_reinvestment_from_its_form_in_italian_on_one_of_the_owners_interventions(client, salento, salento_officer):
    intervention = _intervention(salento, "Recupero via Leuca")
    client.force_login(salento_officer)
    response = client.post(
        reverse("sales_reinvestment_new"),
        {
            "owner": salento.pk,
            "spent_on": timezone.localdate().isoformat(),
            "amount": "12.500,75",
            "purpose": "new_housing",
            "intervention": intervention.pk,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("sales_proceeds")).content.decode()
    assert "12.500,75 €" in page and "Recupero via Leuca (B12C34000560007)" in page


def test_another_owners_intervention_is_neither_offered_nor_accepted(client, salento, centrale, salento_officer):
    theirs = _intervention(centrale, "Intervento-Centrale")
    client.force_login(salento_officer)
    form = client.get(reverse("sales_reinvestment_new")).content.decode()
    assert "Intervento-Centrale" not in form
    client.post(
        reverse("sales_reinvestment_new"),
        {
            "owner": salento.pk,
            "spent_on": timezone.localdate().isoformat(),
            "amount": "100,00",
            "purpose": "recovery",
            "intervention": theirs.pk,
        },
    )
    with pytest.raises(ValidationError):
        services.record_reinvestment(
            owner=salento,
            spent_on=timezone.localdate(),
            amount=Decimal("100.00"),
            purpose="recovery",
            intervention=theirs,
            by=salento_officer,
        )
    assert not Reinvestment.objects.exists()


def test_the_picker_offers_the_owners_free_units_narrowed_by_its_filters(client, salento, salento_officer, make_plan):
    from registry.models import OccupancyStatus, Unit

    taken = make_plan(salento, salento_officer, units=1, title="Altro piano").lines.get().unit
    plan = make_plan(salento, salento_officer, units=0)
    client.force_login(salento_officer)
    url = reverse("sales_plan_units", args=[plan.pk])
    offered = client.get(url).context["units"]
    assert taken not in offered
    assert not any(unit.status in (OccupancyStatus.FOR_SALE, OccupancyStatus.SOLD) for unit in offered)
    let = client.get(url + f"?status={OccupancyStatus.LET}").context["units"]
    assert let and {unit.status for unit in let} == {OccupancyStatus.LET}
    building = let[0].building
    narrowed = client.get(url + f"?comune={building.comune_id}&building={building.pk}").context["units"]
    expected = set(
        Unit.objects.filter(building=building)
        .exclude(status__in=(OccupancyStatus.FOR_SALE, OccupancyStatus.SOLD))
        .exclude(pk=taken.pk)
        .values_list("pk", flat=True)
    )
    assert {unit.pk for unit in narrowed} == expected
