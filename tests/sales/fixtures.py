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
    """An approved plan of `owner` ("Piano-vendita-<tag>") with one unit sold and a
    reinvestment ("Reinvestimento-<tag>"), their amounts drawn from the tag so that two
    owners' differ; adds its rows to `rows` and returns the texts found nowhere else."""
    reviewer = member("160000", Role.REVIEWER)
    seed = sum(map(ord, tag))
    value, price = Decimal(f"{60000 + seed}.43"), Decimal(f"{50000 + seed}.32")
    units = list(selectors.proposable_units(owner)[:2])
    assert units, "the owner has no unit to propose"
    plan = services.create_plan(owner=owner, title=f"Piano-vendita-{tag}", owner_act=f"Delibera-{tag}", by=officer)
    services.add_units(
        plan=plan,
        lines=[{"unit": unit.pk, "appraised_value": value, "right_of_first_refusal": True} for unit in units],
        by=officer,
    )
    services.send(plan=plan, by=officer)
    plan = services.approve(plan=plan, by=reviewer)
    line = SalePlanUnit.objects.select_related("plan__owner", "unit").filter(plan=plan).order_by("pk").first()
    services.record_sale(line=line, sold_on=timezone.localdate(), price=price, buyer_type=BuyerType.OTHER, by=officer)
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
    return (
        f"Piano-vendita-{tag}",
        f"Delibera-{tag}",
        f"Reinvestimento-{tag}",
        f"{price}",
        f"{value}",
        f"{price:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."),
        f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."),
    )
