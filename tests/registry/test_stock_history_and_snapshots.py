"""History of changes, yearly snapshots, and listing pages that do not grow with the stock."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import PropertyChange, SnapshotCell, StockSnapshot, Unit
from registry.stock import selectors
from registry.stock import services as stock
from tests.conftest import ARCA_SUD_SALENTO, BARI

END_OF_2025 = datetime.date(2025, 12, 31)


def test_admin_edit_records_who_changed_what(client, entities, arca_officer, load_stock):
    load_stock(ARCA_SUD_SALENTO, 5)
    unit = Unit.objects.filter(owner__code=ARCA_SUD_SALENTO).first()
    client.force_login(arca_officer)
    url = reverse("registry_unit_modeladmin_edit", args=[unit.pk])
    form = client.get(url).context["form"]
    # Values as the form shows them (decimals the Italian way: 5,5), as a browser posts them.
    data = {
        name: ("" if value is None else form.fields[name].widget.format_value(value) or "")
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(status="vacant_needs_works", monthly_rent="", household_size="", income_band="")
    data["accessible"] = "on" if unit.accessible else ""
    if not unit.accessible:
        data.pop("accessible")

    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    change = PropertyChange.objects.filter(unit=unit, created=False).get()
    assert change.changed_by == arca_officer and change.source == "admin"
    assert change.changes["status"] == [unit.status, "vacant_needs_works"]
    history = client.get(reverse("registry_unit_modeladmin_inspect", args=[unit.pk])).content.decode()
    assert "Sfitto, da ristrutturare" in history and "Storico delle modifiche" in history


def test_admin_edit_form_does_not_offer_owner_building_or_id(client, entities, arca_officer, load_stock):
    load_stock(ARCA_SUD_SALENTO, 3)
    unit = Unit.objects.first()
    client.force_login(arca_officer)
    fields = client.get(reverse("registry_unit_modeladmin_edit", args=[unit.pk])).context["form"].fields
    assert not {"owner", "building", "local_id", "push_id"} & set(fields)


def test_units_are_never_created_or_deleted_from_the_admin(client, entities, arca_officer, load_stock):
    from tests.helpers import assert_refused_by_admin

    load_stock(ARCA_SUD_SALENTO, 3)
    unit = Unit.objects.first()
    client.force_login(arca_officer)
    assert_refused_by_admin(client.get(reverse("registry_unit_modeladmin_create")))
    assert_refused_by_admin(client.post(reverse("registry_unit_modeladmin_delete", args=[unit.pk])))
    assert Unit.objects.filter(pk=unit.pk).exists()


def test_a_change_after_the_snapshot_leaves_its_figures_unchanged(entities, region_admin, load_stock):
    load_stock(ARCA_SUD_SALENTO, 40)
    load_stock(BARI, 20)
    snapshot = stock.take_snapshot(reference_date=END_OF_2025, taken_by=region_admin)
    before_cells = list(SnapshotCell.objects.filter(snapshot=snapshot).order_by("pk").values())
    let_before = Unit.objects.filter(status="let").count()

    Unit.objects.filter(owner__code=ARCA_SUD_SALENTO, status="let").update(status="sold")
    load_stock(ARCA_SUD_SALENTO, 60)  # more units, some new

    assert list(SnapshotCell.objects.filter(snapshot=snapshot).order_by("pk").values()) == before_cells
    comparison = dict(
        (key, (then, now))
        for key, _label, then, now, _diff in selectors.compare_with_today(snapshot, "status", region_admin).rows
    )
    assert comparison["let"][0] == let_before
    assert comparison["let"][1] == Unit.objects.filter(status="let").count()
    assert snapshot.unit_count == 60
    with pytest.raises(ValueError):
        snapshot.save()


def test_snapshot_counts_by_owner_and_comune_add_up(entities, region_admin, load_stock):
    load_stock(ARCA_SUD_SALENTO, 25)
    load_stock(BARI, 15)
    snapshot = stock.take_snapshot(reference_date=END_OF_2025, taken_by=region_admin)
    by_owner = {
        label: then
        for _key, label, then, _now, _diff in selectors.compare_with_today(snapshot, "owner", region_admin).rows
    }
    assert by_owner == {"ARCA Sud Salento": 25, "Comune di Bari": 15}
    by_comune = selectors.compare_with_today(snapshot, "comune", region_admin).rows
    assert sum(row[2] for row in by_comune) == 40


def test_only_one_snapshot_per_date_and_only_by_the_region(entities, region_admin, reviewer, arca_officer, load_stock):
    load_stock(ARCA_SUD_SALENTO, 5)
    stock.take_snapshot(reference_date=END_OF_2025, taken_by=region_admin)
    with pytest.raises(ValidationError):
        stock.take_snapshot(reference_date=END_OF_2025, taken_by=region_admin)
    for user in (reviewer, arca_officer):
        with pytest.raises(PermissionDenied):
            stock.take_snapshot(reference_date=datetime.date(2024, 12, 31), taken_by=user)
    assert StockSnapshot.objects.count() == 1


def test_snapshot_compared_with_the_previous_year_in_the_admin(client, entities, region_admin, load_stock):
    load_stock(ARCA_SUD_SALENTO, 10)
    stock.take_snapshot(reference_date=datetime.date(2024, 12, 31), taken_by=region_admin)
    load_stock(ARCA_SUD_SALENTO, 14)
    newer = stock.take_snapshot(reference_date=END_OF_2025, taken_by=region_admin)
    client.force_login(region_admin)
    page = client.get(
        reverse("registry_stocksnapshot_modeladmin_inspect", args=[newer.pk]) + "?by=owner"
    ).content.decode()
    assert "31/12/2024" in page and "ARCA Sud Salento" in page and "+4" in page


def test_taking_a_snapshot_from_the_admin(client, entities, region_admin, load_stock):
    load_stock(BARI, 4)
    client.force_login(region_admin)
    response = client.post(reverse("registry_stocksnapshot_modeladmin_create"), {"reference_date": "2025-12-31"})
    assert response.status_code == 302
    assert StockSnapshot.objects.get().unit_count == 4


@pytest.mark.parametrize("name", ["registry_unit_modeladmin_index", "registry_building_modeladmin_index"])
def test_register_lists_make_the_same_queries_whatever_the_stock(client, entities, reviewer, load_stock, name):
    client.force_login(reviewer)
    url = reverse(name)
    load_stock(ARCA_SUD_SALENTO, 10)
    client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    load_stock(BARI, 120)
    many = queries()
    assert many == few
    assert many <= 25


def test_officer_list_is_scoped_and_still_fixed_in_queries(client, entities, arca_officer, load_stock):
    load_stock(ARCA_SUD_SALENTO, 10)
    client.force_login(arca_officer)
    url = reverse("registry_unit_modeladmin_index")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    load_stock(ARCA_SUD_SALENTO, 80, seed=9)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(many) == len(few)
    assert page.context["result_count"] == Unit.objects.filter(owner__code=ARCA_SUD_SALENTO).count()


def test_synthetic_stock_is_deterministic_and_spread_by_population(entities):
    from registry.synthetic import allocate, generate_csv

    comuni = [("075035", "LE", 95000), ("075029", "LE", 5000)]
    assert generate_csv(owner_code="750000", comuni=comuni, count=50) == generate_csv(
        owner_code="750000", comuni=comuni, count=50
    )
    assert allocate(100, comuni) == [("075035", "LE", 95), ("075029", "LE", 5)]
    assert sum(part for _c, _p, part in allocate(1001, [("a", "LE", 1), ("b", "LE", 1), ("c", "LE", 1)])) == 1001
