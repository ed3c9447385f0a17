"""Demo sale plan: ARCA Sud Salento proposes three units of its register, the Region approves
the plan, two units are sold (one to its sitting tenant) and part of the proceeds is
reinvested. Written through the services, so that the protocol numbers, the units' history
in the register and the audit entries are what the screens will show."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from registry.models import Entity, OccupancyStatus

from . import selectors, services
from .models import BuyerType, ReinvestmentPurpose, SalePlan

OWNER = "750000"


def load():
    """Create the demo plan once (idempotent; nothing without the demo people and stock)."""
    User = get_user_model()
    people = {
        user.username: user for user in User.objects.filter(username__in=("sudsalento.referente", "regione.istruttore"))
    }
    owner = Entity.objects.filter(code=OWNER).first()
    if len(people) < 2 or owner is None or SalePlan.objects.filter(owner=owner).exists():
        return
    units = list(selectors.proposable_units(owner, status=OccupancyStatus.LET)[:3])
    if len(units) < 3:
        return
    officer, reviewer = people["sudsalento.referente"], people["regione.istruttore"]
    with transaction.atomic():
        plan = services.create_plan(
            owner=owner,
            title="Piano di vendita 2026 – alloggi ERP",
            owner_act="Delibera del Commissario n. 41 del 12/2/2026",
            by=officer,
        )
        services.add_units(
            plan=plan,
            lines=[
                {"unit": units[0].pk, "appraised_value": Decimal("68500.00"), "right_of_first_refusal": True},
                {"unit": units[1].pk, "appraised_value": Decimal("74200.00"), "right_of_first_refusal": True},
                {"unit": units[2].pk, "appraised_value": Decimal("59900.00"), "right_of_first_refusal": False},
            ],
            by=officer,
        )
        plan = services.send(plan=plan, by=officer)
        plan = services.approve(plan=plan, by=reviewer)
        today = timezone.localdate()
        lines = {line.unit_id: line for line in plan.lines.select_related("plan__owner", "unit")}
        services.record_sale(
            line=lines[units[0].pk],
            sold_on=today,
            price=Decimal("66000.00"),
            buyer_type=BuyerType.SITTING_TENANT,
            by=officer,
        )
        services.record_sale(
            line=lines[units[2].pk], sold_on=today, price=Decimal("61350.50"), buyer_type=BuyerType.OTHER, by=officer
        )
        services.record_reinvestment(
            owner=owner,
            spent_on=today,
            amount=Decimal("50000.00"),
            purpose=ReinvestmentPurpose.RECOVERY,
            description="Manutenzione straordinaria alloggi sfitti",
            by=officer,
        )
