"""Who may do what with the property register is decided in registry/stock/policy.py, and
its reads live in registry/stock/selectors.py (issue 10)."""

import datetime
import re
from pathlib import Path

import pytest

from registry.models import Entity
from registry.stock import policy, selectors
from registry.stock import services as stock
from tests.conftest import ARCA_SUD_SALENTO, BARI

STOCK_PACKAGE = Path(__file__).resolve().parents[2] / "registry" / "stock"


def test_only_the_policy_combines_roles_and_permissions():
    """ "Regional user with permission X" was written inline in views and services alike."""
    inline = re.compile(r"is_regional\(|\.has_perm\(")
    offenders = [
        str(path.relative_to(STOCK_PACKAGE))
        for path in STOCK_PACKAGE.rglob("*.py")
        if path.name != "policy.py" and inline.search(path.read_text())
    ]
    assert offenders == []


def test_an_officer_writes_only_the_stock_of_their_own_entity(entities, arca_officer):
    assert policy.can_write_stock(arca_officer, entities[ARCA_SUD_SALENTO])
    assert not policy.can_write_stock(arca_officer, entities[BARI])
    assert list(policy.owners_writable_by(arca_officer)) == [entities[ARCA_SUD_SALENTO]]


def test_the_region_reads_but_owns_no_stock(entities, region_admin):
    region = Entity.objects.get(kind="region")
    assert not policy.can_write_stock(region_admin, region)
    assert region not in policy.owners_writable_by(region_admin)
    assert policy.can_take_snapshot(region_admin)


def test_snapshots_are_the_regions_alone(entities, arca_officer, reviewer):
    assert not policy.can_take_snapshot(arca_officer)
    with pytest.raises(Exception) as refused:
        stock.take_snapshot(reference_date=datetime.date(2025, 12, 31), taken_by=arca_officer)
    assert type(refused.value).__name__ == "PermissionDenied"


def test_one_comparison_serves_today_and_another_snapshot(entities, region_admin, load_stock):
    load_stock(ARCA_SUD_SALENTO, 12)
    older = stock.take_snapshot(reference_date=datetime.date(2024, 12, 31), taken_by=region_admin)
    newer = stock.take_snapshot(reference_date=datetime.date(2025, 12, 31), taken_by=region_admin)
    for dimension in selectors.COMPARISON_DIMENSIONS:
        between = selectors.compare(older, newer, dimension, region_admin)
        today = selectors.compare_with_today(older, dimension, region_admin)
        assert between.rows == today.rows
        assert all(difference == 0 for *_rest, difference in between.rows)
