"""Completing an intervention writes its results to the register through the register's
writer: the buildings' renovation year and the units' energy class change, and each
building's and unit's history shows the change, by whom, from the system."""

import datetime

from django.utils import timezone

from calls.programmes.models import Intervention, InterventionState, InterventionType
from calls.programmes.transitions import move_intervention
from registry.models import Building, ChangeSource, PropertyChange, Unit


def _in_works(intervention, **fields):
    Intervention.objects.filter(pk=intervention.pk).update(state=InterventionState.WORKS, **fields)
    intervention.refresh_from_db()
    return intervention


def test_completion_writes_the_renovation_year_and_energy_class_with_history(salento_intervention, arca_officer):
    intervention = _in_works(salento_intervention, energy_class_after="B")
    building = intervention.buildings.get()
    chosen = set(intervention.units.values_list("pk", flat=True))
    others = set(Unit.objects.filter(building=building).exclude(pk__in=chosen).values_list("pk", flat=True))
    Building.objects.filter(pk=building.pk).update(last_renovation_year=1990)
    Unit.objects.filter(building=building).update(energy_class="G")
    completed_on = timezone.localdate() - datetime.timedelta(days=2)

    move_intervention(intervention, "complete", arca_officer, on=completed_on)

    building.refresh_from_db()
    assert building.last_renovation_year == completed_on.year
    assert set(Unit.objects.filter(pk__in=chosen).values_list("energy_class", flat=True)) == {"B"}
    # Units the intervention did not name keep their class.
    assert set(Unit.objects.filter(pk__in=others).values_list("energy_class", flat=True)) <= {"G"}
    change = PropertyChange.objects.get(building=building, source=ChangeSource.SYSTEM)
    assert change.changed_by == arca_officer
    assert change.changes["last_renovation_year"] == [1990, completed_on.year]
    unit_changes = PropertyChange.objects.filter(unit_id__in=chosen, source=ChangeSource.SYSTEM)
    assert unit_changes.count() == len(chosen)
    assert all(entry.changes["energy_class"] == ["G", "B"] for entry in unit_changes)


def test_a_new_construction_records_its_year_built(salento_intervention, arca_officer):
    intervention = _in_works(salento_intervention, intervention_type=InterventionType.NEW_CONSTRUCTION)
    building = intervention.buildings.get()
    move_intervention(intervention, "complete", arca_officer)
    building.refresh_from_db()
    assert building.year_built == timezone.localdate().year
    assert PropertyChange.objects.filter(building=building, source=ChangeSource.SYSTEM).exists()


def test_no_other_state_writes_to_the_register(salento_intervention, arca_officer):
    before = PropertyChange.objects.count()
    move_intervention(salento_intervention, "start_design", arca_officer)
    assert PropertyChange.objects.count() == before
