"""What a completed intervention changes in the property register, written through the
register's own write path (registry.stock.writer.write_stock), so that each building's and
unit's history shows the change, by whom and when (source "system").

- the buildings of the intervention get the completion year as their year of last renovation
  (as their year built, for a new construction);
- when the intervention states the energy class the works reached, its units get it — the
  units chosen, or every unit of its buildings when none was chosen.

Only the beneficiary's own buildings and units are ever attached to an intervention (see
services.check_register_items), so the write is one owner's, as the writer requires."""

from registry.models import Building, ChangeSource, Unit
from registry.stock.spec import BUILDING_FIELDS, UNIT_FIELDS, ParsedFile
from registry.stock.writer import write_stock

from .models import InterventionType

_YEAR_BUILT = BUILDING_FIELDS.index("year_built")
_RENOVATION_YEAR = BUILDING_FIELDS.index("last_renovation_year")
_ENERGY_CLASS = UNIT_FIELDS.index("energy_class")


def write_completion(intervention, *, by) -> dict:
    """Write the completion's results to the register; returns what was written (counts)."""
    completed_on = intervention.completion_actual
    if completed_on is None:
        return {}
    owner = intervention.beneficiary
    building_pks = list(intervention.buildings.filter(owner=owner).values_list("pk", flat=True))
    if not building_pks:
        return {}
    units = Unit.objects.filter(owner=owner)
    chosen = list(intervention.units.filter(owner=owner).values_list("pk", flat=True))
    units = units.filter(pk__in=chosen) if chosen else units.filter(building_id__in=building_pks)
    parsed = ParsedFile()
    year_slot = _YEAR_BUILT if intervention.intervention_type == InterventionType.NEW_CONSTRUCTION else _RENOVATION_YEAR
    unit_rows = []
    if intervention.energy_class_after:
        unit_rows = list(units.values_list("local_id", "building_id", "building__local_id", *UNIT_FIELDS))
    touched = set(building_pks) | {row[1] for row in unit_rows}
    for pk, local_id, *values in Building.objects.filter(owner=owner, pk__in=touched).values_list(
        "pk", "local_id", *BUILDING_FIELDS
    ):
        if pk in building_pks:
            values[year_slot] = completed_on.year
        parsed.buildings[local_id] = tuple(values)
    for local_id, _building_pk, building_local_id, *values in unit_rows:
        values[_ENERGY_CLASS] = intervention.energy_class_after
        parsed.units[local_id] = (building_local_id, tuple(values))
    result = write_stock(parsed, owner, user=by, source=ChangeSource.SYSTEM)
    return {"buildings": result.updated_buildings, "units": result.updated_units}
