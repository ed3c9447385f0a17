"""Sale plans planted for tests in other folders (the cross-entity probe): one approved plan
of an owner with a sale recorded and a reinvestment, each carrying a text found nowhere else."""

import datetime
from decimal import Decimal

from django.utils import timezone

from calls.sales import selectors, services
from calls.sales.models import BuyerType, Reinvestment, ReinvestmentPurpose, SalePlan, SalePlanUnit
from registry.models import Role
from tests.factories import member


def plant_sale_plan(owner, tag, officer, rows):
    """An approved plan of `owner` ("Piano-vendita-<tag>") with one unit sold for
    7.654,32 and a reinvestment ("Reinvestimento-<tag>"); adds its rows to `rows` and returns
    the texts found nowhere else."""
    reviewer = member("160000", Role.REVIEWER)
    units = list(selectors.proposable_units(owner)[:2])
    assert units, "the owner has no unit to propose"
    plan = services.create_plan(owner=owner, title=f"Piano-vendita-{tag}", owner_act=f"Delibera-{tag}", by=officer)
    services.add_units(
        plan=plan,
        lines=[
            {"unit": unit.pk, "appraised_value": Decimal("8765.43"), "right_of_first_refusal": True} for unit in units
        ],
        by=officer,
    )
    services.send(plan=plan, by=officer)
    plan = services.approve(plan=plan, by=reviewer)
    line = SalePlanUnit.objects.select_related("plan__owner", "unit").filter(plan=plan).order_by("pk").first()
    services.record_sale(
        line=line, sold_on=timezone.localdate(), price=Decimal("7654.32"), buyer_type=BuyerType.OTHER, by=officer
    )
    reinvestment = services.record_reinvestment(
        owner=owner,
        spent_on=timezone.localdate() - datetime.timedelta(days=1),
        amount=Decimal("1234.56"),
        purpose=ReinvestmentPurpose.RECOVERY,
        description=f"Reinvestimento-{tag}",
        by=officer,
    )
    rows[SalePlan] = [plan]
    rows[SalePlanUnit] = list(SalePlanUnit.objects.filter(plan=plan))
    rows[Reinvestment] = [reinvestment]
    return (f"Piano-vendita-{tag}", f"Delibera-{tag}", f"Reinvestimento-{tag}", "7.654,32", "7654.32", "8.765,43")
