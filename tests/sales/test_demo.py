"""The demo: one approved sale plan of ARCA Sud Salento with two units sold, loaded by
load_demo_data with the rest, and loaded once."""

import pytest
from django.core.management import call_command

from calls.sales.models import Sale, SalePlan
from registry.models import OccupancyStatus, PropertyChange

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_approved_plan_of_arca_sud_salento_with_two_units_sold(settings):
    settings.PUSH_PRINT_DEMO_PASSWORDS = False
    call_command("load_demo_data", stock_scale=0.005)
    plan = SalePlan.objects.get()
    assert (plan.owner.code, plan.state) == ("750000", "approved")
    assert plan.protocol_number.startswith("PUSH/")
    sales = Sale.objects.filter(line__plan=plan).select_related("line__unit")
    assert sales.count() == 2
    assert {sale.line.unit.status for sale in sales} == {OccupancyStatus.SOLD}
    assert PropertyChange.objects.filter(unit=sales[0].line.unit, changes__status__1="sold").exists()
    call_command("load_demo_data", stock_scale=0.005)
    assert SalePlan.objects.count() == 1 and Sale.objects.count() == 2
