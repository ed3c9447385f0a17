"""Approval and sales change the register through its own write path: the units' status
moves, and each move is a row of the unit's history (PropertyChange), nothing else changes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from calls.models import ProtocolEntry
from calls.sales import services
from calls.sales.models import BuyerType, SalePlanState, SalePlanUnit
from registry.models import ChangeSource, OccupancyStatus, PropertyChange, Unit
from registry.stock.spec import UNIT_FIELDS

from .conftest import lines_for

pytestmark = pytest.mark.django_db


def _snapshot(unit_ids):
    return {
        row[0]: row[1:] for row in Unit.objects.filter(pk__in=unit_ids).values_list("pk", *UNIT_FIELDS).order_by("pk")
    }


def test_approval_marks_each_unit_for_sale_with_a_history_row(salento, salento_officer, reviewer, make_plan):
    plan = make_plan(salento, salento_officer, units=3)
    unit_ids = list(plan.lines.values_list("unit_id", flat=True))
    before = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "status"))
    untouched = _snapshot(unit_ids)
    services.send(plan=plan, by=salento_officer)
    services.approve(plan=plan, by=reviewer)

    after = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "status"))
    assert set(after.values()) == {OccupancyStatus.FOR_SALE}
    changes = PropertyChange.objects.filter(unit_id__in=unit_ids, created=False).order_by("unit_id")
    assert [(change.unit_id, change.changes) for change in changes] == [
        (pk, {"status": [before[pk], "for_sale"]}) for pk in sorted(unit_ids)
    ]
    assert {(change.source, change.changed_by_id) for change in changes} == {(ChangeSource.SYSTEM, reviewer.pk)}
    # Every other field of the units is as it was.
    status_at = UNIT_FIELDS.index("status")
    for pk, values in _snapshot(unit_ids).items():
        assert (
            values[:status_at] + values[status_at + 1 :] == untouched[pk][:status_at] + untouched[pk][status_at + 1 :]
        )


def test_a_recorded_sale_marks_the_unit_sold_with_a_history_row(salento, salento_officer, reviewer, make_plan):
    plan = make_plan(salento, salento_officer, units=2)
    services.send(plan=plan, by=salento_officer)
    services.approve(plan=plan, by=reviewer)
    line = SalePlanUnit.objects.select_related("plan__owner", "unit").filter(plan=plan).order_by("pk").first()
    other = SalePlanUnit.objects.filter(plan=plan).exclude(pk=line.pk).get()

    services.record_sale(
        line=line,
        sold_on=timezone.localdate(),
        price=Decimal("66000.00"),
        buyer_type=BuyerType.SITTING_TENANT,
        by=salento_officer,
    )

    assert Unit.objects.get(pk=line.unit_id).status == OccupancyStatus.SOLD
    assert Unit.objects.get(pk=other.unit_id).status == OccupancyStatus.FOR_SALE
    latest = PropertyChange.objects.filter(unit_id=line.unit_id).order_by("-pk").first()
    assert latest.changes == {"status": ["for_sale", "sold"]}
    assert latest.changed_by_id == salento_officer.pk
    assert PropertyChange.objects.filter(unit_id=line.unit_id, created=False).count() == 2


def test_a_unit_is_sold_once_and_only_from_an_approved_plan(salento, salento_officer, reviewer, make_plan):
    plan = make_plan(salento, salento_officer, units=1)
    line = SalePlanUnit.objects.select_related("plan__owner", "unit").get(plan=plan)
    sale = {"sold_on": timezone.localdate(), "price": Decimal("1000.00"), "buyer_type": BuyerType.OTHER}
    with pytest.raises(ValidationError) as refused:
        services.record_sale(line=line, by=salento_officer, **sale)
    assert refused.value.code == "state"
    services.send(plan=plan, by=salento_officer)
    services.approve(plan=plan, by=reviewer)
    services.record_sale(line=line, by=salento_officer, **sale)
    with pytest.raises(ValidationError) as twice:
        services.record_sale(line=line, by=salento_officer, **sale)
    assert twice.value.code == "sold"
    with pytest.raises(ValidationError):
        services.record_sale(
            line=line, by=salento_officer, **{**sale, "sold_on": timezone.localdate() + datetime.timedelta(days=1)}
        )


def test_a_unit_for_sale_or_in_an_open_plan_cannot_be_proposed_again(salento, salento_officer, make_plan):
    plan = make_plan(salento, salento_officer, units=1)
    unit_id = plan.lines.get().unit_id
    second = services.create_plan(owner=salento, title="Secondo piano", by=salento_officer)
    with pytest.raises(ValidationError) as refused:
        services.add_units(plan=second, lines=lines_for([Unit.objects.get(pk=unit_id)]), by=salento_officer)
    assert refused.value.messages[0].startswith("Riga 1, alloggio: ")
    assert not second.lines.exists()


def test_a_rejected_plan_frees_its_units_and_writes_nothing_to_the_register(
    salento, salento_officer, reviewer, make_plan
):
    plan = make_plan(salento, salento_officer, units=1)
    services.send(plan=plan, by=salento_officer)
    services.reject(plan=plan, reason="Valori di stima non motivati", by=reviewer)
    unit = plan.lines.get().unit
    assert not PropertyChange.objects.filter(unit=unit, created=False).exists()
    second = services.create_plan(owner=salento, title="Secondo piano", by=salento_officer)
    services.add_units(plan=second, lines=lines_for([unit]), by=salento_officer)
    assert second.lines.count() == 1


def test_sending_numbers_each_sending_in_the_protocol_register(salento, salento_officer, reviewer, make_plan):
    plan = make_plan(salento, salento_officer, units=1)
    plan = services.send(plan=plan, by=salento_officer)
    first = plan.protocol_number
    services.request_integration(
        plan=plan, message="Allegare la perizia", deadline=timezone.now() + datetime.timedelta(days=5), by=reviewer
    )
    plan = services.send(plan=plan, by=salento_officer)
    assert plan.state == SalePlanState.SENT
    entries = list(ProtocolEntry.objects.filter(kind="sale_plan").order_by("sequence"))
    assert [entry.number for entry in entries] == [first, plan.protocol_number]
    assert entries[1].sequence == entries[0].sequence + 1
    assert [sending.integration for sending in plan.sendings.order_by("pk")] == [False, True]
    assert entries[0].content["units"] == 1 and entries[0].content["owner"] == salento.code


def test_an_integration_after_its_deadline_is_refused(salento, salento_officer, reviewer, make_plan):
    plan = make_plan(salento, salento_officer, units=1)
    services.send(plan=plan, by=salento_officer)
    services.request_integration(
        plan=plan, message="Allegare la perizia", deadline=timezone.now() + datetime.timedelta(hours=1), by=reviewer
    )
    plan.refresh_from_db()
    from calls.sales.models import SalePlan

    SalePlan.objects.filter(pk=plan.pk).update(integration_deadline=timezone.now() - datetime.timedelta(minutes=1))
    plan.refresh_from_db()
    with pytest.raises(ValidationError) as late:
        services.send(plan=plan, by=salento_officer)
    assert late.value.code == "late"
    assert ProtocolEntry.objects.filter(kind="sale_plan").count() == 1


def test_a_plans_states_agree_with_il_piano_in_italian():
    from django.utils import translation

    from calls.sales.models import SalePlanState

    with translation.override("it"):
        assert (str(SalePlanState.APPROVED.label), str(SalePlanState.REJECTED.label)) == ("Approvato", "Respinto")
