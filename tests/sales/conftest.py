"""Fixtures of the sale plans' tests: two ARCA with their own stock (Sud Salento and Puglia
Centrale) and a Comune (Bari), their property-register officers, the Region's reviewer, and a
plan taken through the services."""

from decimal import Decimal

import pytest

from calls.sales import selectors, services
from registry.models import Area, Role, Unit
from tests.conftest import ARCA_PUGLIA_CENTRALE, ARCA_SUD_SALENTO, BARI, LECCE
from tests.factories import member


@pytest.fixture
def salento(entities, load_stock):
    load_stock(ARCA_SUD_SALENTO, 12)
    return entities[ARCA_SUD_SALENTO]


@pytest.fixture
def centrale(entities, load_stock):
    load_stock(ARCA_PUGLIA_CENTRALE, 12, seed=11)
    return entities[ARCA_PUGLIA_CENTRALE]


@pytest.fixture
def lecce(entities, load_stock):
    load_stock(LECCE, 6, seed=5)
    return entities[LECCE]


@pytest.fixture
def bari(entities, load_stock):
    load_stock(BARI, 6, seed=3)
    return entities[BARI]


@pytest.fixture
def salento_officer(salento):
    return member(ARCA_SUD_SALENTO, Role.OFFICER, Area.PROPERTY_REGISTER, last_name="Referente-Salento")


@pytest.fixture
def centrale_officer(centrale):
    return member(ARCA_PUGLIA_CENTRALE, Role.OFFICER, Area.PROPERTY_REGISTER, last_name="Referente-Centrale")


@pytest.fixture
def bari_officer_sales(bari):
    return member(BARI, Role.OFFICER, Area.PROPERTY_REGISTER)


@pytest.fixture
def lecce_officer(lecce):
    return member(LECCE, Role.OFFICER, Area.PROPERTY_REGISTER)


def proposable(owner, count):
    units = list(selectors.proposable_units(owner)[:count])
    assert len(units) == count, "the synthetic stock has too few units to propose"
    return units


def lines_for(units, value="10000.00", refusal=True):
    return [{"unit": unit.pk, "appraised_value": Decimal(value), "right_of_first_refusal": refusal} for unit in units]


@pytest.fixture
def make_plan():
    """make_plan(owner, officer, units=2, title=...): a draft with `units` proposable units."""

    def make(owner, officer, units=2, title="Piano di vendita", value="10000.00"):
        plan = services.create_plan(owner=owner, title=title, by=officer)
        if units:
            services.add_units(plan=plan, lines=lines_for(proposable(owner, units), value), by=officer)
        plan.refresh_from_db()
        return plan

    return make


def statuses(units):
    return dict(Unit.objects.filter(pk__in=[unit.pk for unit in units]).values_list("push_id", "status"))
