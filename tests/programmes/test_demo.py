"""The demo programme: interventions of two ARCA in different stages, one late, the completed
one's results in the register's history; loaded once."""

from django.core.management import call_command

from calls.programmes import selectors
from calls.programmes.demo import TITLE
from calls.programmes.models import Intervention, InterventionState, Programme
from registry.models import ChangeSource, PropertyChange


def test_the_demo_programme_is_loaded_once_with_a_late_intervention(db):
    call_command("load_demo_data", stock_scale=0.002)
    programme = Programme.objects.get(title=TITLE)
    interventions = Intervention.objects.filter(programme=programme)
    assert set(interventions.values_list("beneficiary__code", flat=True)) == {"750000", "720000"}
    assert len(set(interventions.values_list("state", flat=True))) == 4
    assert list(selectors.late(interventions).values_list("title", flat=True)) == [
        "Adeguamento sismico – Gallipoli, via Lecce"
    ]
    completed = interventions.get(state=InterventionState.COMPLETED)
    assert PropertyChange.objects.filter(
        building__in=completed.buildings.all(), source=ChangeSource.SYSTEM, changes__has_key="last_renovation_year"
    ).exists()
    call_command("load_demo_data", stock_scale=0.002)
    assert Intervention.objects.filter(programme__title=TITLE).count() == 4
