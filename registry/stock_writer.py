"""Writing validated buildings and units to the register, fast and all at once.

`write_stock` upserts by (owner, owner's id): new rows are inserted, rows whose values
differ are updated, identical rows are left alone, so re-importing the same file changes
nothing. Every creation and every change leaves a PropertyChange row (who, when, source,
which fields from what to what). The whole write is one transaction; concurrent writes for
the same owner wait for each other (lock on the owner's Entity row).

Units go through core.bulk (COPY on PostgreSQL, executemany on SQLite): building a
Django model instance per row would cost more than validating it.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from core.bulk import insert_rows, update_rows

from .imports import BUILDING_FIELDS, UNIT_FIELDS, ParsedFile
from .models import Building, ChangeSource, Entity, PropertyChange, Unit


@dataclass
class WriteResult:
    created_units: int = 0
    updated_units: int = 0
    unchanged_units: int = 0
    created_buildings: int = 0
    updated_buildings: int = 0


def _json_default(value):
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(type(value))


def _json(changes: dict) -> str:
    return json.dumps(changes, default=_json_default) if changes else "{}"


def _diff(names, old, new) -> dict:
    return {name: [a, b] for name, a, b in zip(names, old, new) if a != b}


def write_stock(parsed: ParsedFile, owner: Entity, *, user=None, source=ChangeSource.IMPORT, job=None) -> WriteResult:
    result = WriteResult()
    now = timezone.now()
    user_id = getattr(user, "pk", None)
    job_id = getattr(job, "pk", None)
    with transaction.atomic():
        Entity.objects.select_for_update().filter(pk=owner.pk).exists()
        building_ids, building_changes = _write_buildings(parsed, owner, now, result)
        unit_changes = _write_units(parsed, owner, building_ids, now, result)
        history = [
            (building_id, None, created, now, user_id, source, job_id, _json(changes))
            for building_id, created, changes in building_changes
        ] + [
            (None, unit_id, created, now, user_id, source, job_id, _json(changes))
            for unit_id, created, changes in unit_changes
        ]
        insert_rows(
            PropertyChange,
            ["building_id", "unit_id", "created", "changed_at", "changed_by_id", "source", "import_job_id", "changes"],
            history,
        )
        if connection.vendor == "postgresql" and result.created_units + result.updated_units > 10_000:
            # Large loads change the tables' statistics; refresh them so that the planner
            # keeps choosing the indexes for the lists that follow.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE registry_unit")
                cursor.execute("ANALYZE registry_building")
    return result


def _rows(queryset):
    """The rows of a values_list queryset. On PostgreSQL straight from the cursor (the
    driver already returns Decimal, date and bool); elsewhere through the ORM's converters."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _write_buildings(parsed, owner, now, result):
    existing = {
        row[0]: (row[1], tuple(row[2:]))
        for row in _rows(
            Building.objects.filter(owner=owner).values_list("local_id", "id", *BUILDING_FIELDS).order_by()
        )
    }
    inserts, updates, changes = [], [], []
    for local_id, values in parsed.buildings.items():
        known = existing.get(local_id)
        if known is None:
            inserts.append((owner.pk, local_id, *values, now, now))
        elif known[1] != values:
            updates.append((known[0], *values, now))
            changes.append((known[0], False, _diff(BUILDING_FIELDS, known[1], values)))
    insert_rows(Building, ["owner_id", "local_id", *BUILDING_FIELDS, "created_at", "updated_at"], inserts)
    update_rows(Building, [*BUILDING_FIELDS, "updated_at"], updates)
    result.created_buildings, result.updated_buildings = len(inserts), len(updates)
    ids = {local_id: known[0] for local_id, known in existing.items()}
    if inserts:
        new_ids = dict(
            _rows(Building.objects.filter(owner=owner, created_at=now).values_list("local_id", "id").order_by())
        )
        ids.update(new_ids)
        changes.extend((new_ids[row[1]], True, {}) for row in inserts)
    return ids, changes


def _write_units(parsed, owner, building_ids, now, result):
    existing = {
        row[0]: (row[1], row[2], tuple(row[3:]))
        for row in _rows(
            Unit.objects.filter(owner=owner).values_list("local_id", "id", "building_id", *UNIT_FIELDS).order_by()
        )
    }
    prefix = owner.code + "-"
    inserts, updates, changes = [], [], []
    for local_id, (building_local_id, values) in parsed.units.items():
        building_id = building_ids[building_local_id]
        known = existing.get(local_id)
        if known is None:
            inserts.append((prefix + local_id, owner.pk, local_id, building_id, *values, now, now))
        elif known[1] != building_id or known[2] != values:
            diff = _diff(UNIT_FIELDS, known[2], values)
            if known[1] != building_id:
                diff["building"] = [known[1], building_id]
            updates.append((known[0], building_id, *values, now))
            changes.append((known[0], False, diff))
        else:
            result.unchanged_units += 1
    insert_rows(
        Unit, ["push_id", "owner_id", "local_id", "building_id", *UNIT_FIELDS, "created_at", "updated_at"], inserts
    )
    update_rows(Unit, ["building_id", *UNIT_FIELDS, "updated_at"], updates)
    if inserts:
        new_ids = dict(_rows(Unit.objects.filter(owner=owner, created_at=now).values_list("local_id", "id").order_by()))
        changes.extend((new_ids[row[2]], True, {}) for row in inserts)
    result.created_units, result.updated_units = len(inserts), len(updates)
    return changes
