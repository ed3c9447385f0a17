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
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk import BackgroundWriter, allocate_ids, copy_lines, copy_text, insert_rows, update_rows
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
        self.parsed = None  # the file's ParsedFile, when the moves come from an import


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
    with transaction.atomic():
        sink = StockSink(owner, user=user, source=source, job=job)
        with sink:
            for local_id, values in parsed.buildings.items():
                sink.building(parsed.building_rows.get(local_id, 0), local_id, values)
            unit_rows, buildings = parsed.unit_rows, parsed.buildings
            for unit_id, (building_local_id, values) in parsed.units.items():
                sink(unit_rows.get(unit_id, 0), unit_id, building_local_id, buildings[building_local_id], values)
        return sink.finish(confirm_moves=confirm_moves)


def _rows(queryset):
    """The rows of a values_list queryset. On PostgreSQL straight from the cursor (the
    driver already returns Decimal, date and bool); elsewhere through the ORM's converters."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


CHUNK_ROWS = 10_000  # new units written per batch (one COPY each on PostgreSQL)

_BUILDING_COLUMNS = ["id", "owner_id", "local_id", *BUILDING_FIELDS, "created_at", "updated_at"]
_UNIT_COLUMNS = ["id", "building_id", "push_id", "owner_id", "local_id", *UNIT_FIELDS, "created_at", "updated_at"]
_HISTORY_COLUMNS = ["building_id", "unit_id", "created", "changed_at", "changed_by_id", "source", "import_job_id"]


class StockSink:
    """Writes the rows of one owner's file as they are validated (registry.stock.spec.validate's
    `sink`), inside the caller's transaction, which must hold nothing else of the owner's stock.

        with transaction.atomic():
            sink = StockSink(owner, ...)
            with sink:             # locks the owner, loads what is stored, starts the writer
                validate(table, owner, sink=sink)   # or sink.building(...) / sink(...) per row
            result = sink.finish(confirm_moves=...)  # raises MovesNotConfirmed

    New buildings and units get their ids in advance from the tables' sequences
    (core.bulk.allocate_ids) and are written by batches of CHUNK_ROWS units, with one history
    row each, by a core.bulk.BackgroundWriter: on PostgreSQL the server inserts, indexes and
    checks the foreign keys of one batch (the constraints are made immediate for the load, so
    that the checks are done batch by batch, not all at commit) while Python validates the
    next. Nothing is read back. Existing units and buildings are compared with what is stored;
    the changed ones are updated at `finish`, with their history. Moves to another Comune are
    found as rows come and refused at `finish` unless confirmed.

    `stop()` ends the writing (the file will not be written: an invalid row, unconfirmed
    moves); the caller then rolls the transaction back."""

    def __init__(self, owner: Entity, *, user=None, source=ChangeSource.IMPORT, job=None, chunk_rows=CHUNK_ROWS):
        self.owner = owner
        self.user_id = getattr(user, "pk", None)
        self.source = source
        self.job_id = getattr(job, "pk", None)
        self.chunk_rows = chunk_rows
        self.now = timezone.now()
        self.result = WriteResult()
        self.stopped = False
        self.errors = None  # a list that, once not empty, stops the writing (set by the caller)
        self.writer = None
        self.texts = [{} for _name in UNIT_FIELDS]  # per column: value -> COPY text
        self._units_in = None

    # --- before the rows ---------------------------------------------------------------

    def __enter__(self):
        owner = self.owner
        Entity.objects.select_for_update().filter(pk=owner.pk).exists()
        self.existing_buildings = {
            row[0]: (row[1], tuple(row[2:]))
            for row in _rows(
                Building.objects.filter(owner=owner).values_list("local_id", "id", *BUILDING_FIELDS).order_by()
            )
        }
        self.building_of_id = {pk: (local_id, values[0]) for local_id, (pk, values) in self.existing_buildings.items()}
        self.existing_units = {
            row[0]: (row[1], row[2], tuple(row[3:]))
            for row in _rows(
                Unit.objects.filter(owner=owner).values_list("local_id", "id", "building_id", *UNIT_FIELDS).order_by()
            )
        }
        self.seen_buildings = {}  # local id -> values as first seen
        self.new_building_ids = {}  # local id -> id, filled by the writer
        self.new_buildings, self.new_units = [], []  # the batch being gathered
        self.building_updates, self.unit_updates = [], []
        self.moves, self.moving_buildings = [], set()
        self.immediate = _make_foreign_keys_immediate()
        self.writer = BackgroundWriter()
        return self

    def __exit__(self, kind, error, traceback):
        if error is None and not self.stopped:
            self._flush()
        writer, self.writer = self.writer, None
        try:
            writer.close()
        except Exception:
            if error is None:
                raise
        return False

    def stop(self) -> None:
        self.stopped = True
        self.new_buildings, self.new_units = [], []

    # --- the rows ----------------------------------------------------------------------

    def building(self, row: int, local_id: str, values: tuple) -> None:
        """A building as first described in the file (every later row agrees: validate)."""
        self.seen_buildings[local_id] = values
        known = self.existing_buildings.get(local_id)
        if known is None:
            self.new_buildings.append((local_id, values))
            return
        if known[1] != values:
            self.building_updates.append((known[0], known[1], values))
            if known[1][0] != values[0]:
                if self._units_in is None:
                    self._units_in = Counter(building_id for _pk, building_id, _values in self.existing_units.values())
                units = self._units_in[known[0]]
                self.moving_buildings.add(local_id)
                self.moves.append((row, local_id, known[1][0], values[0], None, units))

    def __call__(self, row: int, unit_id: str, building_local_id: str, building: tuple, values: tuple) -> None:
        if self.stopped:
            return
        if self.errors:
            self.stop()
            return
        if building_local_id not in self.seen_buildings:
            self.building(row, building_local_id, building)
        known = self.existing_units.get(unit_id)
        if known is None:
            self.new_units.append((unit_id, building_local_id, values))
            if len(self.new_units) >= self.chunk_rows:
                self._flush()
            return
        stored_building = self.existing_buildings.get(building_local_id)
        building_id = stored_building[0] if stored_building is not None else None
        if building_id == known[1] and known[2] == values:
            self.result.unchanged_units += 1
            return
        self.unit_updates.append((known, building_local_id, values))
        old_building_local_id, old_comune = self.building_of_id[known[1]]
        new_comune = building[0]
        if old_comune != new_comune and not (
            old_building_local_id == building_local_id and building_local_id in self.moving_buildings
        ):
            self.moves.append((row, building_local_id, old_comune, new_comune, unit_id, 0))

    # --- writing -----------------------------------------------------------------------

    def _flush(self):
        if self.new_buildings or self.new_units:
            batch = (self.new_buildings, self.new_units)
            self.new_buildings, self.new_units = [], []
            self.result.created_buildings += len(batch[0])
            self.result.created_units += len(batch[1])
            self.writer.submit(lambda cursor: self._write_batch(cursor, *batch))

    def _write_batch(self, cursor, buildings, units):
        """Runs in the writer (a thread on PostgreSQL): ids, rows, history rows."""
        owner_id, now = self.owner.pk, self.now
        building_ids = self.new_building_ids
        new_ids = allocate_ids(Building, len(buildings), cursor)
        for (local_id, _values), pk in zip(buildings, new_ids):
            building_ids[local_id] = pk
        insert_rows(
            Building,
            _BUILDING_COLUMNS,
            [(pk, owner_id, local_id, *values, now, now) for (local_id, values), pk in zip(buildings, new_ids)],
            cursor=cursor,
        )
        existing = self.existing_buildings
        unit_ids = allocate_ids(Unit, len(units), cursor)
        prefix = self.owner.code + "-"
        if connection.vendor == "postgresql":
            _copy_units(cursor, units, unit_ids, existing, building_ids, prefix, owner_id, now, self.texts)
        else:
            insert_rows(
                Unit,
                _UNIT_COLUMNS,
                [
                    (
                        pk,
                        building_ids[building] if building in building_ids else existing[building][0],
                        prefix + local_id,
                        owner_id,
                        local_id,
                        *values,
                        now,
                        now,
                    )
                    for (local_id, building, values), pk in zip(units, unit_ids)
                ],
                cursor=cursor,
            )
        self._history(cursor, new_ids, None)
        self._history(cursor, None, unit_ids)

    def _history(self, cursor, building_ids, unit_ids):
        """One creation row per new building or unit."""
        ids = building_ids or unit_ids
        if not ids:
            return
        constants = [self.now, self.user_id, self.source, self.job_id]
        table = connection.ops.quote_name(PropertyChange._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(name) for name in (*_HISTORY_COLUMNS, "changes"))
        if connection.vendor == "postgresql":
            keys = "NULL, new.id" if building_ids is None else "new.id, NULL"
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {keys}, TRUE, %s, %s, %s, %s, '{{}}' "
                "FROM unnest(%s::bigint[]) AS new(id)",
                [*constants, ids],
            )
        else:
            rows = [(pk, None) if unit_ids is None else (None, pk) for pk in ids]
            insert_rows(
                PropertyChange,
                [*_HISTORY_COLUMNS, "changes"],
                [(*keys, True, *constants, "{}") for keys in rows],
                cursor=cursor,
            )

    # --- after the rows ----------------------------------------------------------------

    def finish(self, *, confirm_moves: bool = False) -> WriteResult:
        """Check the moves, update what changed, write its history. Call after the `with`
        block, inside the same transaction."""
        try:
            return self._finish(confirm_moves)
        finally:
            # A caller's transaction going on after a refusal keeps its deferred checks.
            _restore_foreign_keys(self.immediate)
            self.immediate = []

    def _finish(self, confirm_moves):
        result, now = self.result, self.now
        if self.moves and not confirm_moves:
            raise MovesNotConfirmed(self._named_moves())
        result.moves = self._named_moves() if self.moves else []
        building_ids = {local_id: known[0] for local_id, known in self.existing_buildings.items()}
        building_ids.update(self.new_building_ids)
        changes = []
        building_updates = []
        for pk, old, new in self.building_updates:
            building_updates.append((pk, *new, now))
            changes.append((pk, None, _json(_diff(BUILDING_FIELDS, old, new))))
        update_rows(Building, [*BUILDING_FIELDS, "updated_at"], building_updates)
        unit_updates = []
        for (pk, old_building_id, old), building_local_id, new in self.unit_updates:
            building_id = building_ids[building_local_id]
            diff = _diff(UNIT_FIELDS, old, new)
            if old_building_id != building_id:
                diff["building"] = [old_building_id, building_id]
            unit_updates.append((pk, building_id, *new, now))
            changes.append((None, pk, _json(diff)))
        update_rows(Unit, ["building_id", *UNIT_FIELDS, "updated_at"], unit_updates)
        insert_rows(
            PropertyChange,
            [*_HISTORY_COLUMNS, "changes"],
            [
                (building_id, unit_id, False, now, self.user_id, self.source, self.job_id, text)
                for building_id, unit_id, text in changes
            ],
        )
        result.updated_buildings, result.updated_units = len(building_updates), len(unit_updates)
        written = result.created_units + result.updated_units
        if connection.vendor == "postgresql" and written > 10_000 and written * 10 > len(self.existing_units):
            # A large load changes the tables' statistics (more than a tenth of the owner's
            # units); refresh them so that the planner keeps choosing the indexes for the
            # lists that follow.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE registry_unit")
                cursor.execute("ANALYZE registry_building")
        if written or result.created_buildings or result.updated_buildings:
            stock_changed()
        return result

    def _named_moves(self) -> list[Move]:
        comune_ids = {move[2] for move in self.moves} | {move[3] for move in self.moves}
        names = {
            pk: f"{name} ({code})"
            for pk, name, code in Entity.objects.filter(pk__in=comune_ids).values_list("pk", "name", "code")
        }
        moves = sorted(self.moves, key=lambda move: (move[0], move[4] or ""))
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


def _copy_units(cursor, units, unit_ids, existing, building_ids, prefix, owner_id, now, caches):
    """The new units as COPY text: each distinct value of a column formatted once."""
    stamp = copy_text(now)
    owner_text = str(owner_id)
    prefix_text = copy_text(prefix)
    lines = []
    append = lines.append
    for (local_id, building, values), pk in zip(units, unit_ids):
        # The COPY text of each value, looked up in one C-level pass; a miss is None (the
        # text of None itself is "\\N").
        fields = list(map(dict.get, caches, values))
        if None in fields:
            for position, text in enumerate(fields):
                if text is None:
                    value = values[position]
                    fields[position] = caches[position][value] = copy_text(value)
        building_id = building_ids[building] if building in building_ids else existing[building][0]
        local_text = copy_text(local_id)
        append(
            f"{pk}\t{building_id}\t{prefix_text}{local_text}\t{owner_text}\t{local_text}\t"
            f"{chr(9).join(fields)}\t{stamp}\t{stamp}\n"
        )
    copy_lines(cursor, Unit, _UNIT_COLUMNS, lines)


def _make_foreign_keys_immediate() -> list[str]:
    """On PostgreSQL, the deferrable foreign keys of units, buildings and their history (who,
    which import) checked at the end of each statement instead of all at commit: a load's
    checks then run batch by batch in the writer, while the next batch is validated. Returns
    their names, for _restore_foreign_keys."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferrable "
            "AND conrelid IN (%s::regclass, %s::regclass, %s::regclass)",
            [Unit._meta.db_table, Building._meta.db_table, PropertyChange._meta.db_table],
        )
        names = [row[0] for row in cursor.fetchall()]
        if names:
            cursor.execute(f"SET CONSTRAINTS {', '.join(connection.ops.quote_name(n) for n in names)} IMMEDIATE")
    return names


def _restore_foreign_keys(names: list[str]) -> None:
    if not names:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {', '.join(connection.ops.quote_name(n) for n in names)} DEFERRED")
    except DatabaseError:
        pass  # the transaction failed already: it is rolled back, its modes with it
