"""Fixtures of the programmes' tests: a regional programme with two ARCA as beneficiaries,
each with a little stock of its own and one intervention funded by the Region through the
service, and the people acting on each side."""

from decimal import Decimal

import pytest

from calls.programmes import services
from calls.programmes.models import InterventionType, Programme
from registry.models import Area, Building, Entity, Role, Unit
from tests.conftest import ARCA_PUGLIA_CENTRALE, ARCA_SUD_SALENTO
from tests.factories import member


@pytest.fixture
def centrale_officer(entities):
    return member(ARCA_PUGLIA_CENTRALE, Role.OFFICER, Area.PROPERTY_REGISTER, last_name="Referente-Centrale")


@pytest.fixture
def programme(entities, load_stock):
    load_stock(ARCA_SUD_SALENTO, 6)
    load_stock(ARCA_PUGLIA_CENTRALE, 6)
    programme = Programme.objects.create(
        title="Programma ERP di prova", legal_act="DGR n. 1/2025", total_funds=Decimal("5000000.00")
    )
    programme.beneficiaries.set([entities[ARCA_SUD_SALENTO], entities[ARCA_PUGLIA_CENTRALE]])
    return programme


def fund(programme, owner_code, title, by, **fields):
    owner = Entity.objects.get(code=owner_code)
    intervention = services.fund_intervention(
        programme=programme,
        beneficiary=owner,
        title=title,
        intervention_type=fields.pop("intervention_type", InterventionType.ENERGY_UPGRADE),
        funded_amount=fields.pop("funded_amount", Decimal("1000000.00")),
        by=by,
        **fields,
    )
    building = Building.objects.filter(owner=owner).order_by("pk").first()
    if building is not None:
        intervention.buildings.set([building])
        intervention.units.set(Unit.objects.filter(building=building)[:2])
    return intervention


@pytest.fixture
def salento_intervention(programme, region_admin):
    return fund(programme, ARCA_SUD_SALENTO, "Intervento-Salento-Segreto", region_admin, cup="E81B22000310002")


@pytest.fixture
def centrale_intervention(programme, region_admin):
    return fund(programme, ARCA_PUGLIA_CENTRALE, "Intervento-Centrale-Segreto", region_admin, cup="B71B21001230006")
