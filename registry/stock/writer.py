"""Writing validated buildings and units to the register, fast and all at once.

`write_stock` upserts by (owner, owner's id): new rows are inserted, rows whose values
differ are updated, identical rows are left alone, so re-importing the same file changes
nothing. Every creation and every change leaves a PropertyChange row (who, when, source,
which fields from what to what). The whole write is one transaction; concurrent writes for
the same owner wait for each other (lock on the owner's Entity row).

Units go through core.bulk (COPY on PostgreSQL, executemany on SQLite): building a
Django model instance per row would cost more than validating it.

A write that would move an existing unit to another Comune (its building moves, or it is
put in a building of another Comune) is refused with `MovesNotConfirmed`, naming each
move, unless the caller confirms the moves: a wrong code in a file must not silently carry
units across the region. The check runs inside the write transaction, under the owner's
lock, so it sees exactly what is about to be changed.

Every write bumps the register's data version (`stock_changed`), which the public counts
cached in the shared cache are keyed on: they are never served stale.
"""

import datetime
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk import insert_rows, update_rows
from registry.models import Building, ChangeSource, Entity, PropertyChange, Unit
from registry.stock.spec import BUILDING_FIELDS, UNIT_FIELDS, ParsedFile

STOCK_VERSION_KEY = "push:stock:version"


def stock_version() -> str:
    """The register's current data version, as stored in the shared cache. Read it before
    reading the data whose result is cached under it."""
    version = cache.get(STOCK_VERSION_KEY)
    if version is None:
        cache.add(STOCK_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(STOCK_VERSION_KEY) or "unversioned"
    return version


def stock_changed() -> None:
    """Call after any change to units or buildings: once the transaction commits, every
    figure cached under the previous version is out of use."""
    transaction.on_commit(lambda: cache.set(STOCK_VERSION_KEY, uuid.uuid4().hex, None))


def _model_changed(sender, **kwargs):
    stock_changed()


# Writes made one instance at a time anywhere (admin forms, shell, data fixes) bump it too;
# the bulk writes below bypass model signals and call stock_changed() themselves.
for _model in (Unit, Building):
    post_save.connect(_model_changed, sender=_model, dispatch_uid=f"stock_changed_save_{_model.__name__}")
    post_delete.connect(_model_changed, sender=_model, dispatch_uid=f"stock_changed_delete_{_model.__name__}")


@dataclass
class Move:
    """An existing unit (or a whole building) that the write would put in another Comune."""

    row: int
    building_id: str
    from_comune: str
    to_comune: str
    unit_id: str | None = None  # None: the building moves, with `units` units
    units: int = 0

    @property
    def done_message(self) -> str:
        if self.unit_id is None:
            return _("Building moved from %(from)s to %(to)s, with its %(units)d units.") % {
                "from": self.from_comune,
                "to": self.to_comune,
                "units": self.units,
            }
        return _("Unit moved from %(from)s to %(to)s.") % {"from": self.from_comune, "to": self.to_comune}

    @property
    def message(self) -> str:
        if self.unit_id is None:
            return _(
                "Building %(building)s would move from %(from)s to %(to)s, with its %(units)d units: confirm the moves to import the file."
            ) % {"building": self.building_id, "from": self.from_comune, "to": self.to_comune, "units": self.units}
        return _(
            "Unit %(unit)s would move from %(from)s to %(to)s (building %(building)s): confirm the moves to import the file."
        ) % {"unit": self.unit_id, "from": self.from_comune, "to": self.to_comune, "building": self.building_id}


class MovesNotConfirmed(Exception):
    """Nothing was written: the write would move units to another Comune, unconfirmed."""

    def __init__(self, moves: list[Move]):
        super().__init__(f"{len(moves)} moves to another Comune need confirmation")
        self.moves = moves


@dataclass
class WriteResult:
    created_units: int = 0
    updated_units: int = 0
    unchanged_units: int = 0
    created_buildings: int = 0
    updated_buildings: int = 0
    moves: list = field(default_factory=list)  # the confirmed moves that were made


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


def write_stock(
    parsed: ParsedFile, owner: Entity, *, user=None, source=ChangeSource.IMPORT, job=None, confirm_moves=False
) -> WriteResult:
    """Upsert the parsed buildings and units of `owner`, all at once. Raises
    MovesNotConfirmed (and writes nothing) if existing units would change Comune and
    `confirm_moves` is not set."""
    result = WriteResult()
    now = timezone.now()
    user_id = getattr(user, "pk", None)
    job_id = getattr(job, "pk", None)
    with transaction.atomic():
        Entity.objects.select_for_update().filter(pk=owner.pk).exists()
        moves = find_moves(parsed, owner)
        if moves and not confirm_moves:
            raise MovesNotConfirmed(moves)
        result.moves = moves
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
        if history:
            stock_changed()
    return result


def find_moves(parsed: ParsedFile, owner: Entity) -> list[Move]:
    """The existing buildings and units of `owner` that `parsed` would put in another
    Comune, in row order. A unit that only follows its moving building is reported once,
    with the building."""
    buildings = {
        local_id: (comune_id, units)
        for local_id, comune_id, units in Building.objects.filter(owner=owner)
        .annotate(unit_total=Count("units"))
        .values_list("local_id", "comune_id", "unit_total")
        .order_by()
    }
    moves, comune_ids = [], set()
    moving_buildings = set()
    for local_id, values in parsed.buildings.items():
        known = buildings.get(local_id)
        if known is not None and known[0] != values[0]:
            moving_buildings.add(local_id)
            moves.append((parsed.building_rows.get(local_id, 0), local_id, known[0], values[0], None, known[1]))
            comune_ids.update((known[0], values[0]))
    if parsed.units:
        existing = {
            local_id: (building_local_id, comune_id)
            for local_id, building_local_id, comune_id in Unit.objects.filter(owner=owner)
            .values_list("local_id", "building__local_id", "building__comune_id")
            .order_by()
        }
        for unit_id, (building_local_id, _values) in parsed.units.items():
            known = existing.get(unit_id)
            if known is None:
                continue
            new_comune = parsed.buildings[building_local_id][0]
            if known[1] == new_comune or (known[0] == building_local_id and building_local_id in moving_buildings):
                continue
            moves.append((parsed.unit_rows.get(unit_id, 0), building_local_id, known[1], new_comune, unit_id, 0))
            comune_ids.update((known[1], new_comune))
    if not moves:
        return []
    names = {
        pk: f"{name} ({code})"
        for pk, name, code in Entity.objects.filter(pk__in=comune_ids).values_list("pk", "name", "code")
    }
    moves.sort(key=lambda move: (move[0], move[4] or ""))
    return [
        Move(
            row=row,
            building_id=building_id,
            from_comune=names.get(old, str(old)),
            to_comune=names.get(new, str(new)),
            unit_id=unit_id,
            units=units,
        )
        for row, building_id, old, new, unit_id, units in moves
    ]


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
