"""The units file of a list, fast enough for the Region's whole stock: the same cells as
`spec.unit_export_rows` (the import format, so that the file re-imports unchanged), read
as plain values instead of model instances, and formatted column by column.

- The units are read with `values_list(...).iterator(chunk_size=…)` (a server-side cursor
  on PostgreSQL): one row of plain values per unit, never a model instance.
- The buildings are read once, apart (a few thousand for a hundred thousand units), and
  each building's cells are formatted once, not once per unit.
- Within a chunk each column is formatted per distinct value (a dictionary lookup per cell,
  done by `map` in C): Comuni, statuses, surfaces and dates repeat a lot.
- CSV: the Italian CSV of core.tabular.writing (BOM, `;`, CRLF, decimal comma, dd/mm/yyyy,
  formula-like text neutralised), written by `csv.writer.writerows` chunk by chunk and
  streamed. XLSX: the sheet's XML written directly (core.tabular.writing.write_xlsx_rows),
  each cell's XML made once per distinct value of its column.

`unit_export_rows` stays the statement of what each cell holds; tests compare the two on
every kind of value (tests/registry/test_export_streaming.py). Should a field of the
specification come to be computed by a function this module does not know, `fast_columns`
answers None and the export goes the general way."""

import csv
import io

from core.tabular.writing import italian_cell, neutralise_formula, xlsx_cell

from .models import Building
from .spec import BUILDING_SPEC, EXPORT_HEADERS, UNIT_SPEC

CHUNK_ROWS = 5000
# The building fields computed by a function (spec: `value_of`), as database paths.
_BUILDING_PATHS = {"comune_code": "comune__code", "manager_code": "manager__code"}
_MAX_CACHED = 20_000  # distinct values kept per column between chunks


def fast_columns():
    """(building fields and paths, unit fields and paths), or None when a field cannot be
    read as a plain database value."""
    building = []
    for field in BUILDING_SPEC.fields:
        path = _BUILDING_PATHS.get(field.key) if field.value_of is not None else field.stored_as
        if not path:
            return None
        building.append((field, path))
    unit = []
    for field in UNIT_SPEC.fields[1:]:
        if field.value_of is not None or not field.stored_as:
            return None
        unit.append((field, field.stored_as))
    if UNIT_SPEC.fields[0].key != "unit_id":
        return None
    return building, unit


def _csv_text(field):
    """The cell as the Italian CSV writes it (core.tabular.writing.csv_lines)."""
    return lambda value: neutralise_formula(italian_cell(field.cell(value)))


def _xlsx_xml(field):
    """The cell as the XLSX's XML (core.tabular.writing.xlsx_cell of the export value)."""
    return lambda value: xlsx_cell(field.cell(value))


class _Column:
    """One column's formatter, applied once per distinct value."""

    __slots__ = ("format", "done")

    def __init__(self, format):
        self.format = format
        self.done = {}

    def apply(self, values):
        done = self.done
        if len(done) > _MAX_CACHED:
            done.clear()
        missing = set(values).difference(done)
        if missing:
            format = self.format
            for value in missing:
                done[value] = format(value)
        return map(done.__getitem__, values)


def _rows(queryset, columns, formatter):
    """Chunks of rows (lists of tuples) of the units of `queryset`, ordered by PUSH id, each
    cell made by `formatter(field)`."""
    building_fields, unit_fields = columns
    unit_id = UNIT_SPEC.fields[0]
    building_ids = queryset.order_by().values("building_id")
    building_formats = [formatter(field) for field, _ in building_fields]
    buildings = {
        values[0]: tuple(format(value) for format, value in zip(building_formats, values[1:]))
        for values in Building.objects.filter(pk__in=building_ids).values_list(
            "pk", *(path for _, path in building_fields)
        )
    }
    no_building = tuple(format(None) for format in building_formats)
    id_column = _Column(formatter(unit_id))
    unit_columns = [_Column(formatter(field)) for field, _ in unit_fields]
    values = (
        queryset.order_by("push_id")
        .values_list("push_id", "building_id", *(path for _, path in unit_fields))
        .iterator(chunk_size=CHUNK_ROWS)
    )
    chunk = []
    for row in values:
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            yield _format_chunk(chunk, buildings, no_building, id_column, unit_columns)
            chunk = []
    if chunk:
        yield _format_chunk(chunk, buildings, no_building, id_column, unit_columns)


def _format_chunk(chunk, buildings, no_building, id_column, unit_columns):
    by_column = list(zip(*chunk))
    building_cells = zip(*(buildings.get(building, no_building) for building in by_column[1]))
    return list(
        zip(
            id_column.apply(by_column[0]),
            *building_cells,
            *(column.apply(values) for column, values in zip(unit_columns, by_column[2:])),
        )
    )


def csv_chunks(queryset, columns):
    """The units file as Italian CSV text, a chunk of lines at a time (for a streamed
    response): the same text as core.tabular.writing.csv_lines over unit_export_rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([str(header) for header in EXPORT_HEADERS])
    for rows in _rows(queryset, columns, _csv_text):
        writer.writerows(rows)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def xlsx_chunks(queryset, columns):
    """The units file's rows as chunks of rows of cell XML, for
    core.tabular.writing.write_xlsx_rows: the typed cells of unit_export_rows."""
    return _rows(queryset, columns, _xlsx_xml)
