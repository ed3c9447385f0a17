"""The unit and the building as records (core.records): one specification each, from which
the units file, its export, the admin forms' validation (Unit/Building.clean_fields) and
the API's record fields are all derived, so that they give the same verdict.

The units file: one row per unit, with the columns of its building repeated on each row
(the way offices keep their "elenco alloggi"), `UNITS_FILE_SPEC`. The same columns are used
by the template, the admin export and the API bulk upsert, so that an export re-imports
unchanged.

`validate(table, owner)` returns the parsed buildings and units and the list of errors
(row, column, value, message); it never writes. Besides every cell, it checks that each
building lies in the owner's territory (registry.territory), that no row has values past
the header (core.tabular.RowShape) and that the template's example row is not loaded.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.records import (
    RecordSpec,
    boolean_field,
    choice_field,
    date_field,
    decimal_field,
    integer_field,
    text_field,
)
from core.tabular import (
    CellError,
    CellProblem,
    Column,
    RowShape,
    Table,
    is_blank,
    match_headers,
    normalise_header,
    shown,
    text,
)
from registry.geo import coordinates_problem
from registry.models import (
    CADASTRAL_CATEGORY_CHOICES,
    EnergyClass,
    Entity,
    EntityKind,
    IncomeBand,
    OccupancyStatus,
    UnitUse,
)
from registry.territory import outside_territory_message, territory_comune_ids

MAX_ERRORS_KEPT = 5000


def _choices_mapping(choices, extra=None):
    mapping = {}
    for code, label in choices:
        mapping[normalise_header(code)] = code
        mapping[normalise_header(str(label))] = code
    for spelling, code in (extra or {}).items():
        mapping[normalise_header(spelling)] = code
    return mapping


def _category_mapping():
    mapping = {}
    for code, _label in CADASTRAL_CATEGORY_CHOICES:
        mapping[code] = code
        group, number = code.split("/")
        for spelling in (
            code,
            f"{group}{number}",
            f"{group} {number}",
            f"{group}/{int(number):02d}",
            f"{group}{int(number):02d}",
        ):
            mapping[normalise_header(spelling)] = code
    return mapping


STATUS_SPELLINGS = {
    "locato": OccupancyStatus.LET,
    "assegnato": OccupancyStatus.LET,
    "locato assegnato": OccupancyStatus.LET,
    "occupato": OccupancyStatus.LET,
    "sfitto disponibile": OccupancyStatus.VACANT_READY,
    "disponibile": OccupancyStatus.VACANT_READY,
    "sfitto": OccupancyStatus.VACANT_READY,
    "sfitto da ristrutturare": OccupancyStatus.VACANT_NEEDS_WORKS,
    "inagibile": OccupancyStatus.VACANT_NEEDS_WORKS,
    "da ristrutturare": OccupancyStatus.VACANT_NEEDS_WORKS,
    "in ristrutturazione": OccupancyStatus.UNDER_RENOVATION,
    "in manutenzione": OccupancyStatus.UNDER_RENOVATION,
    "occupato senza titolo": OccupancyStatus.OCCUPIED_WITHOUT_TITLE,
    "abusivo": OccupancyStatus.OCCUPIED_WITHOUT_TITLE,
    "occupato abusivamente": OccupancyStatus.OCCUPIED_WITHOUT_TITLE,
    "riservato emergenza": OccupancyStatus.RESERVED_EMERGENCY,
    "riservato emergenza abitativa": OccupancyStatus.RESERVED_EMERGENCY,
    "emergenza abitativa": OccupancyStatus.RESERVED_EMERGENCY,
    "in vendita": OccupancyStatus.FOR_SALE,
    "venduto": OccupancyStatus.SOLD,
    "alienato": OccupancyStatus.SOLD,
    "non abitativo": OccupancyStatus.NON_RESIDENTIAL,
}
# Labels written in the template and in exports: the Italian words offices use.
STATUS_LABELS_IT = {
    OccupancyStatus.LET: "locato",
    OccupancyStatus.VACANT_READY: "sfitto disponibile",
    OccupancyStatus.VACANT_NEEDS_WORKS: "sfitto da ristrutturare",
    OccupancyStatus.UNDER_RENOVATION: "in ristrutturazione",
    OccupancyStatus.OCCUPIED_WITHOUT_TITLE: "occupato senza titolo",
    OccupancyStatus.RESERVED_EMERGENCY: "riservato emergenza",
    OccupancyStatus.FOR_SALE: "in vendita",
    OccupancyStatus.SOLD: "alienato",
    OccupancyStatus.NON_RESIDENTIAL: "non abitativo",
}
USE_LABELS_IT = {UnitUse.RESIDENTIAL: "abitativo", UnitUse.NON_RESIDENTIAL: "non abitativo"}
INCOME_LABELS_IT = {
    IncomeBand.PROTECTION: "protezione",
    IncomeBand.ACCESS: "accesso",
    IncomeBand.PERMANENCE: "permanenza",
    IncomeBand.OVER_LIMIT: "decadenza",
}

# No "/" or spaces: the PUSH id appears in addresses (/api/v1/units/750000-34455).

_LOCAL_ID_RE = re.compile(r"[A-Za-z0-9._-]+")
_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")  # an id cell that needs no trimming
_text_40 = text(40)


def _local_id(value):
    # An id typed as a number in a workbook is an id (3122, or 3122.0 as Excel stores it);
    # a fraction or a truth value is not.
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise CellError(_("An id may contain only letters, digits and . _ -"))
    raw = _text_40(value)
    if not _LOCAL_ID_RE.fullmatch(raw):
        raise CellError(_("An id may contain only letters, digits and . _ -"))
    return raw


# The template's example row has ids that no owner uses, marked as an example, and the
# importer refuses it by name: uploading the template unchanged must never touch real units.
EXAMPLE_PREFIX = "ESEMPIO"


def _unit_id(value):
    raw = _local_id(value)
    if raw.upper().startswith(EXAMPLE_PREFIX):
        raise CellError(
            _("This is the template's example row: replace it with your units or delete it before uploading.")
        )
    return raw


def _istat_code(value):
    raw = text(6)(value).replace(" ", "")
    # Excel drops the leading zero of ISTAT codes stored as numbers (72006 for 072006).
    if raw.isdigit() and len(raw) == 5:
        raw = "0" + raw
    if not (raw.isdigit() and len(raw) == 6):
        raise CellError(_("An ISTAT code has 6 digits (e.g. 072006)."))
    return raw


def _postcode(value):
    raw = text(5)(value)
    if not (raw.isdigit() and len(raw) == 5):
        raise CellError(_("A CAP has 5 digits."))
    return raw


ZERO = Decimal(0)


def _conventional_area_at_least_half_usable(values):
    usable, conventional = values.get("usable_area"), values.get("conventional_area")
    if usable is not None and conventional is not None and conventional < usable * Decimal("0.5"):
        yield "conventional_area", _("The conventional area cannot be less than half the usable area.")


def _code(attribute):
    return lambda building: getattr(building, attribute).code


# A building as the units file and the API describe it. Keys are the record's keys (the
# building's own fields carry the "building_" prefix, the unit's fields having the same
# names); attributes are the model's fields. The Comune and the manager are given by code
# and resolved to entities by the importer (validate): they have no attribute here.
BUILDING_SPEC = RecordSpec(
    "building",
    keys=("building_id",),
    fields=[
        text_field(
            "building_id",
            "Codice fabbricato",
            max_length=40,
            parse=_local_id,
            attribute="local_id",
            required=True,
            blank=None,
            aliases=("id fabbricato", "fabbricato"),
            example=EXAMPLE_PREFIX + "-F1",
        ),
        text_field(
            "comune_code",
            "Comune ISTAT",
            max_length=6,
            parse=_istat_code,
            attribute=None,
            value_of=_code("comune"),
            required=True,
            blank=None,
            aliases=("codice istat", "istat", "codice comune"),
            example="072006",
        ),
        text_field(
            "building_street",
            "Indirizzo",
            max_length=150,
            attribute="street",
            required=True,
            aliases=("via", "indirizzo fabbricato"),
            example="Via Giuseppe Fanelli",
        ),
        text_field(
            "building_street_number",
            "Civico",
            max_length=20,
            attribute="street_number",
            aliases=("numero civico", "n civico"),
            example="206/14",
        ),
        text_field("building_postcode", "CAP", max_length=5, parse=_postcode, attribute="postcode", example="70125"),
        text_field("building_neighbourhood", "Quartiere", max_length=100, attribute="neighbourhood", example="Japigia"),
        decimal_field(
            "building_latitude",
            "Latitudine",
            places=6,
            digits=9,
            minimum=Decimal("39.7"),
            maximum=Decimal("42.3"),
            attribute="latitude",
            aliases=("lat",),
            example="41,108500",
        ),
        decimal_field(
            "building_longitude",
            "Longitudine",
            places=6,
            digits=9,
            minimum=Decimal("14.8"),
            maximum=Decimal("18.6"),
            attribute="longitude",
            aliases=("lon", "lng"),
            example="16,888300",
        ),
        text_field(
            "building_cadastral_section",
            "Sezione urbana",
            max_length=10,
            attribute="cadastral_section",
            aliases=("sezione",),
        ),
        text_field(
            "building_cadastral_sheet", "Foglio fabbricato", max_length=10, attribute="cadastral_sheet", example="41"
        ),
        text_field(
            "building_cadastral_parcel",
            "Particella fabbricato",
            max_length=20,
            attribute="cadastral_parcel",
            example="1234",
        ),
        integer_field(
            "building_year_built",
            "Anno costruzione",
            minimum=1800,
            maximum=2100,
            attribute="year_built",
            aliases=("anno di costruzione",),
            example="1978",
        ),
        integer_field(
            "building_last_renovation_year",
            "Anno ultima ristrutturazione",
            minimum=1800,
            maximum=2100,
            attribute="last_renovation_year",
            example="2015",
        ),
        integer_field(
            "building_floors",
            "Piani fabbricato",
            minimum=1,
            maximum=60,
            attribute="floors",
            aliases=("numero piani", "piani"),
            example="6",
        ),
        boolean_field("building_has_lift", "Ascensore", attribute="has_lift", example="sì"),
        integer_field(
            "building_declared_units",
            "Alloggi nel fabbricato",
            minimum=1,
            maximum=5000,
            attribute="declared_units",
            aliases=("numero alloggi",),
            example="24",
        ),
        text_field(
            "building_financing_programme",
            "Programma di finanziamento",
            max_length=150,
            attribute="financing_programme",
            aliases=("finanziamento", "legge di finanziamento"),
            example="L. 457/1978",
        ),
        text_field(
            "manager_code",
            "Codice ente gestore",
            max_length=6,
            attribute=None,
            value_of=_code("manager"),
            blank=None,
            aliases=("gestore", "ente gestore"),
            example="720000",
        ),
    ],
)

# A unit without its building. The unit's id is the owner's id; exports write the PUSH id
# (owner code-owner's id), which the importer reads back for the same owner.
UNIT_SPEC = RecordSpec(
    "unit",
    keys=("unit_id",),
    checks=[_conventional_area_at_least_half_usable],
    fields=[
        text_field(
            "unit_id",
            "ID alloggio",
            max_length=40,
            parse=_unit_id,
            attribute="local_id",
            value_of=lambda unit: unit.push_id,
            required=True,
            blank=None,
            aliases=("id unita", "id immobile", "codice alloggio", "id push"),
            example=EXAMPLE_PREFIX + "-1",
        ),
        text_field("staircase", "Scala", max_length=10, example="B"),
        text_field("floor", "Piano", max_length=10, example="3"),
        text_field("internal_number", "Interno", max_length=10, example="12"),
        text_field("cadastral_sheet", "Foglio", max_length=10, aliases=("foglio catastale",), example="41"),
        text_field(
            "cadastral_parcel",
            "Particella",
            max_length=20,
            aliases=("particella catastale", "mappale"),
            example="1234",
        ),
        text_field("cadastral_subunit", "Subalterno", max_length=10, aliases=("sub",), example="27"),
        choice_field(
            "cadastral_category",
            "Categoria catastale",
            codes=[code for code, _label in CADASTRAL_CATEGORY_CHOICES],
            spellings=_category_mapping(),
            described=gettext_lazy("a cadastral category such as A/3, A/4 or C/6"),
            aliases=("categoria",),
            example="A/4",
        ),
        text_field("cadastral_class", "Classe catastale", max_length=4, aliases=("classe",), example="3"),
        decimal_field(
            "rooms",
            "Vani",
            places=1,
            digits=4,
            minimum=Decimal("0.5"),
            maximum=Decimal("50"),
            aliases=("vani catastali", "consistenza"),
            example="4,5",
        ),
        decimal_field(
            "usable_area",
            "Superficie utile",
            places=2,
            digits=7,
            minimum=Decimal("5"),
            maximum=Decimal("2000"),
            aliases=("superficie utile mq", "superficie utile m2", "mq utili"),
            example="68,40",
        ),
        decimal_field(
            "conventional_area",
            "Superficie convenzionale",
            places=2,
            digits=7,
            minimum=Decimal("5"),
            maximum=Decimal("2500"),
            aliases=("superficie convenzionale mq", "superficie convenzionale m2"),
            example="79,85",
        ),
        choice_field(
            "energy_class",
            "Classe energetica",
            codes=EnergyClass.values,
            spellings=_choices_mapping(
                EnergyClass.choices, {"n c": "NC", "non classificato": "NC", "non classificabile": "NC"}
            ),
            described="A4, A3, A2, A1, B, C, D, E, F, G, NC",
            aliases=("ape", "classe ape"),
            example="E",
        ),
        boolean_field(
            "accessible",
            "Accessibile",
            blank=False,
            aliases=("accessibilita", "accessibile disabili"),
            example="no",
        ),
        choice_field(
            "use",
            "Destinazione",
            codes=UnitUse.values,
            spellings=_choices_mapping(
                UnitUse.choices,
                {
                    "abitativo": UnitUse.RESIDENTIAL,
                    "residenziale": UnitUse.RESIDENTIAL,
                    "non abitativo": UnitUse.NON_RESIDENTIAL,
                    "commerciale": UnitUse.NON_RESIDENTIAL,
                },
            ),
            described="abitativo, non abitativo",
            blank=UnitUse.RESIDENTIAL,
            export=lambda code: USE_LABELS_IT.get(code, code),
            aliases=("destinazione d uso", "uso"),
            example="abitativo",
        ),
        choice_field(
            "status",
            "Stato",
            codes=OccupancyStatus.values,
            spellings=_choices_mapping(OccupancyStatus.choices, STATUS_SPELLINGS),
            described=", ".join(STATUS_LABELS_IT.values()),
            required=True,
            blank=None,
            export=lambda code: STATUS_LABELS_IT.get(code, code),
            aliases=("stato occupazione", "stato alloggio"),
            example="locato",
        ),
        decimal_field(
            "monthly_rent",
            "Canone mensile",
            places=2,
            digits=9,
            minimum=ZERO,
            maximum=Decimal("10000"),
            aliases=("canone", "canone mensile euro"),
            example="86,52",
        ),
        integer_field(
            "household_size",
            "Componenti nucleo",
            minimum=1,
            maximum=20,
            aliases=("componenti", "nucleo familiare"),
            example="3",
        ),
        choice_field(
            "income_band",
            "Fascia di reddito",
            codes=IncomeBand.values,
            spellings=_choices_mapping(
                IncomeBand.choices,
                {v: k for k, v in INCOME_LABELS_IT.items()}
                | {
                    "area di protezione": "protection",
                    "area di accesso": "access",
                    "area di permanenza": "permanence",
                    "oltre il limite": "over_limit",
                },
            ),
            described=", ".join(INCOME_LABELS_IT.values()),
            export=lambda code: INCOME_LABELS_IT.get(code, code),
            aliases=("area reddito", "fascia reddito"),
            example="protezione",
        ),
        date_field(
            "last_update",
            "Data aggiornamento",
            aliases=("aggiornato al", "data ultimo aggiornamento"),
            example="15/01/2026",
        ),
    ],
)

# The units file (and a record of the API's bulk upsert): one row per unit, its building's
# columns repeated on each row, in this order.
UNITS_FILE_SPEC = RecordSpec(
    "units file",
    keys=("unit_id",),
    checks=UNIT_SPEC.checks,
    fields=[UNIT_SPEC["unit_id"], *BUILDING_SPEC.fields, *UNIT_SPEC.fields[1:]],
)
UNIT_COLUMNS = UNITS_FILE_SPEC.columns
COLUMNS_BY_KEY = {column.key: column for column in UNIT_COLUMNS}

# What the writer stores, in order: the building's Comune and manager (resolved from their
# codes), then its own fields; the unit's fields after its id.
# A building's own record fields (what its export, its API and the writer carry), in the
# specification's order.
BUILDING_RECORD_FIELDS = tuple(
    spec.attribute for spec in BUILDING_SPEC.fields if spec.attribute not in (None, "local_id")
)
BUILDING_FIELDS = ("comune_id", "manager_id", *BUILDING_RECORD_FIELDS)
UNIT_FIELDS = tuple(spec.stored_as for spec in UNIT_SPEC.fields[1:])
_BLANK = {spec.stored_as: spec.blank for spec in (*BUILDING_SPEC.fields, *UNIT_SPEC.fields) if spec.stored_as}


@dataclass
class ParsedFile:
    buildings: dict = field(default_factory=dict)  # building local id -> tuple of BUILDING_FIELDS
    units: dict = field(default_factory=dict)  # unit local id -> (building local id, tuple of UNIT_FIELDS)
    errors: list = field(default_factory=list)
    error_rows: set = field(default_factory=set)
    total_rows: int = 0
    unit_rows: dict = field(default_factory=dict)  # unit local id -> row number, for messages
    building_rows: dict = field(default_factory=dict)  # building local id -> first row
    valid_count: int = 0  # valid rows (also when they were handed to a sink, not kept in `units`)

    @property
    def valid_rows(self):
        return max(self.valid_count, len(self.units))

    @property
    def header_broken(self) -> bool:
        return any(error.row == 1 for error in self.errors)

    def may_be_written(self, *, only_valid_rows: bool) -> bool:
        """Nothing is written while any row is wrong, unless the officer asked for the valid
        rows only; a file whose headers are wrong is never written."""
        return not self.header_broken and (not self.errors or only_valid_rows)


class OwnerContext:
    """What validation needs to know about the database, loaded once per file."""

    def __init__(self, owner: Entity):
        self.owner = owner
        codes = dict(Entity.objects.values_list("code", "id"))
        comuni = list(Entity.objects.filter(kind=EntityKind.COMUNE).values_list("code", "id", "name"))
        self.comuni = {code: pk for code, pk, _name in comuni}
        self.comune_names = {code: name for code, _pk, name in comuni}
        self.entities = codes
        self.territory = territory_comune_ids(owner)  # None: anywhere


class _Failure:
    __slots__ = ("message",)

    def __init__(self, message):
        self.message = message


_MISSING = object()


def _parse_one(column, cell, default):
    """The parsed value of a cell, its default when blank, or a _Failure."""
    if cell is None or (type(cell) is str and (cell == "" or cell.isspace())):
        return _Failure(_("Required: this cell is empty.")) if column.required else default
    try:
        return column.parse(cell)
    except CellError as error:
        return _Failure(error.message)


def _shown_cell(cell) -> str:
    return "" if is_blank(cell) else shown(cell)


# Building part of a row: the building code, the Comune and manager codes, then the
# building fields in BUILDING_FIELDS order (after comune_id and manager_id).
_BUILDING_KEYS = ["building_id", "comune_code", "manager_code"] + ["building_" + name for name in BUILDING_FIELDS[2:]]
_UNIT_KEYS = ["unit_id", *UNIT_FIELDS]
_DEFAULTS = {key: None for key in ("building_id", "comune_code", "manager_code", "unit_id")}
_DEFAULTS.update({"building_" + name: _BLANK[name] for name in BUILDING_FIELDS[2:]})
_DEFAULTS.update({name: _BLANK[name] for name in UNIT_FIELDS})


class _BuildingParser:
    """Parses the building columns of a row; identical building cells (every unit of a
    building repeats them) are parsed once."""

    def __init__(self, positions, owner, context):
        self.present = [(slot, COLUMNS_BY_KEY[key]) for slot, key in enumerate(_BUILDING_KEYS) if key in positions]
        indices = [positions[column.key] for _slot, column in self.present]
        self.cells = itemgetter(*indices)
        self.defaults = [_DEFAULTS[key] for key in _BUILDING_KEYS]
        self.owner = owner
        self.owner_id = owner.pk
        self.comuni, self.entities = context.comuni, context.entities
        self.comune_names, self.territory = context.comune_names, context.territory
        self.cache = {}

    def __call__(self, raw):
        cells = self.cells(raw)
        try:
            return self.cache[cells]
        except KeyError:
            pass
        values = list(self.defaults)
        problems = []  # (header, shown value, message)
        for (slot, column), cell in zip(self.present, cells):
            value = _parse_one(column, cell, values[slot])
            if type(value) is _Failure:
                problems.append((column.header, _shown_cell(cell), value.message))
            else:
                values[slot] = value
        building_id, comune_code, manager_code = values[0], values[1], values[2]
        comune_id = self.comuni.get(comune_code) if comune_code else None
        if comune_code and comune_id is None:
            problems.append(
                (COLUMNS_BY_KEY["comune_code"].header, comune_code, _("No Comune of Puglia has this ISTAT code."))
            )
        elif comune_id is not None and self.territory is not None and comune_id not in self.territory:
            label = f"{self.comune_names[comune_code]} ({comune_code})"
            problems.append(
                (COLUMNS_BY_KEY["comune_code"].header, comune_code, outside_territory_message(self.owner, label))
            )
        if comune_id is not None:
            latitude = values[_BUILDING_KEYS.index("building_latitude")]
            problem = coordinates_problem(comune_code, latitude, values[_BUILDING_KEYS.index("building_longitude")])
            if problem:
                problems.append((COLUMNS_BY_KEY["building_latitude"].header, shown(latitude), problem))
        manager_id = self.owner_id
        if manager_code:
            manager_id = self.entities.get(manager_code.zfill(6))
            if manager_id is None:
                problems.append(
                    (COLUMNS_BY_KEY["manager_code"].header, manager_code, _("No entity has this PUSH code."))
                )
        result = (building_id, (comune_id, manager_id, *values[3:]), problems)
        self.cache[cells] = result
        return result


def validate(
    table: Table,
    owner: Entity,
    *,
    progress=None,
    context: OwnerContext | None = None,
    sink=None,
    parsed: "ParsedFile | None" = None,
) -> ParsedFile:
    """Check every row and cell. Rows with any error are left out of the result and
    reported; the caller decides whether anything may be written.

    With `sink`, each valid row is handed to `sink(row, unit_id, building_id, building,
    unit_values)` as soon as it is checked (building and unit_values: tuples of
    BUILDING_FIELDS and UNIT_FIELDS) instead of being kept in `units`: a file of a million
    rows is then validated and written in one pass (registry.stock.writer.StockSink), with
    `table.rows` an iterator. The caller sees `parsed.errors` grow as it goes (pass `parsed`
    to fill a ParsedFile of its own).

    Written for speed (a region's stock is hundreds of thousands of rows): the building
    columns, repeated on every unit, are parsed once per building, and every other column
    keeps a cache of the values it has already parsed (but the unit's id, different on
    every row)."""
    context = context or OwnerContext(owner)
    parsed = parsed if parsed is not None else ParsedFile()
    match = match_headers(table.headers, UNIT_COLUMNS)
    if match.errors:
        for message in match.errors:
            parsed.errors.append(CellProblem(1, "", "", message))
        parsed.error_rows.add(1)
        parsed.total_rows = len(table.rows) if isinstance(table.rows, list) else sum(1 for _row in table.rows)
        return parsed
    positions = match.positions
    width = len(table.headers)
    shape = RowShape(table.headers)
    headed_width = shape.width if not shape.unnamed else -1  # -1: check every row
    building_of = _BuildingParser(positions, owner, context)
    unit_id_column = COLUMNS_BY_KEY["unit_id"]
    unit_id_index = positions["unit_id"]
    unit_plan = [
        (slot, positions[key], COLUMNS_BY_KEY[key], {})
        for slot, key in enumerate(_UNIT_KEYS)
        if key in positions and key != "unit_id"
    ]
    unit_defaults = [_DEFAULTS[key] for key in _UNIT_KEYS]
    fast = table.format == "csv" and len(unit_plan) == len(_UNIT_KEYS) - 1
    if fast:
        unit_cells = itemgetter(*[index for _slot, index, _column, _cache in unit_plan])
        unit_caches = [cache for _slot, _index, _column, cache in unit_plan]
        fill = [_MISSING] * len(unit_plan)
        usable_index, conventional_index = positions["usable_area"], positions["conventional_area"]
        checked = {}  # (usable, conventional) cells -> the unit's cross-field problems
    plain_id = _PLAIN_ID.fullmatch
    # With XLSX and the API, True == 1 == 1.0 as dictionary keys: keep the type in the key.
    typed = table.format != "csv"
    owner_prefix = owner.code + "-"
    unit_id_header = COLUMNS_BY_KEY["unit_id"].header
    usable_slot, conventional_slot = _UNIT_KEYS.index("usable_area"), _UNIT_KEYS.index("conventional_area")
    # The unit's cross-field checks involve the two areas only: run them when both are given.
    record_checks = _unit_checks
    building_rows, unit_rows = {}, {}
    buildings, units, errors, error_rows = parsed.buildings, parsed.units, parsed.errors, parsed.error_rows
    missing = _MISSING
    row_number, total_rows, valid_count = table.first_data_row - 1, 0, 0

    for row_number, raw in enumerate(table.rows, start=table.first_data_row):
        if progress is not None and row_number % 10000 == 0:
            progress(row_number - table.first_data_row)
        if not any(raw) or (is_blank(raw[0]) and all(is_blank(cell) for cell in raw)):
            continue
        total_rows += 1
        row_errors = []
        if len(raw) > headed_width:
            for problem in shape.stray_cells(raw, row_number):
                row_errors.append(CellProblem(problem.row, problem.column, problem.value, problem.message))
        if len(raw) < width:
            raw = list(raw) + [None] * (width - len(raw))
        building_id, building, problems = building_of(raw)
        for header, value, message in problems:
            row_errors.append(CellProblem(row_number, header, value, message))

        cell = raw[unit_id_index]
        if type(cell) is str and plain_id(cell) and cell[:7].upper() != EXAMPLE_PREFIX:
            unit_value = cell  # what _unit_id would return, without its checks' cost
        else:
            unit_value = _parse_one(unit_id_column, cell, None)
            if type(unit_value) is _Failure:
                row_errors.append(CellProblem(row_number, unit_id_header, _shown_cell(cell), unit_value.message))
                unit_value = None
        if fast:
            # Every unit column is there and cells are text: the cached values of the row's
            # cells in one C-level pass; only cells never seen before are parsed.
            cells = unit_cells(raw)
            got = list(map(dict.get, unit_caches, cells, fill))
            if missing in got:
                for position, value in enumerate(got):
                    if value is missing:
                        slot, _index, column, cache = unit_plan[position]
                        cell = cells[position]
                        value = _parse_one(column, cell, unit_defaults[slot])
                        if type(value) is _Failure:
                            row_errors.append(CellProblem(row_number, column.header, _shown_cell(cell), value.message))
                            got[position] = unit_defaults[slot]
                        else:
                            got[position] = cache[cell] = value
            values = [unit_value, *got]
        elif typed:
            values = unit_defaults.copy()
            values[0] = unit_value
            for slot, index, column, cache in unit_plan:
                cell = raw[index]
                key = (type(cell), cell)
                value = cache.get(key, missing)
                if value is missing:
                    value = cache[key] = _parse_one(column, cell, unit_defaults[slot])
                if type(value) is _Failure:
                    row_errors.append(CellProblem(row_number, column.header, _shown_cell(cell), value.message))
                else:
                    values[slot] = value
        else:
            values = unit_defaults.copy()
            values[0] = unit_value
            for slot, index, column, cache in unit_plan:
                value = cache.get(raw[index], missing)
                if value is missing:
                    value = cache[raw[index]] = _parse_one(column, raw[index], unit_defaults[slot])
                if type(value) is _Failure:
                    row_errors.append(CellProblem(row_number, column.header, _shown_cell(raw[index]), value.message))
                else:
                    values[slot] = value

        unit_id = values[0]
        if unit_id and unit_id[6:7] == "-" and unit_id[:6].isdigit():
            if unit_id.startswith(owner_prefix):
                unit_id = unit_id[len(owner_prefix) :]
            else:
                row_errors.append(
                    CellProblem(
                        row_number,
                        unit_id_header,
                        unit_id,
                        _("This unit belongs to another owner (code %(code)s): you can load only units of %(owner)s.")
                        % {"code": unit_id[:6], "owner": owner},
                    )
                )
                unit_id = None
        if values[usable_slot] is not None and values[conventional_slot] is not None:
            if fast:
                pair = (raw[usable_index], raw[conventional_index])
                found = checked.get(pair)
                if found is None:
                    found = checked[pair] = list(record_checks(_RowValues(values)))
            else:
                found = record_checks(_RowValues(values))
            for key, message in found:
                column = COLUMNS_BY_KEY[key]
                row_errors.append(CellProblem(row_number, column.header, shown(values[_UNIT_KEYS.index(key)]), message))
        if unit_id and unit_id in unit_rows:
            row_errors.append(
                CellProblem(
                    row_number,
                    unit_id_header,
                    unit_id,
                    _("The same unit appears also at row %(row)d.") % {"row": unit_rows[unit_id]},
                )
            )
        if row_errors:
            errors.extend(row_errors)
            error_rows.add(row_number)
            continue

        known = buildings.get(building_id)
        if known is None:
            buildings[building_id] = building
            building_rows[building_id] = row_number
        elif known != building:
            differing = next(name for name, old, new in zip(BUILDING_FIELDS, known, building) if old != new)
            column = _column_for_building_field(differing)
            errors.append(
                CellProblem(
                    row_number,
                    column.header,
                    shown(raw[positions[column.key]]) if column.key in positions else "",
                    _(
                        "Building %(building)s is described differently at row %(row)d: the building columns must be the same on every row of the building."
                    )
                    % {"building": building_id, "row": building_rows[building_id]},
                )
            )
            error_rows.add(row_number)
            continue
        unit_rows[unit_id] = row_number
        valid_count += 1
        if sink is None:
            units[unit_id] = (building_id, tuple(values[1:]))
        else:
            sink(row_number, unit_id, building_id, building, tuple(values[1:]))
    parsed.unit_rows, parsed.building_rows = unit_rows, building_rows
    parsed.total_rows, parsed.valid_count = total_rows, valid_count
    if progress is not None:
        progress(row_number - table.first_data_row + 1)
    return parsed


_UNIT_SLOTS = {key: slot for slot, key in enumerate(_UNIT_KEYS)}


class _RowValues:
    """A row's unit values read by key, without building a dict for every row."""

    __slots__ = ("values",)

    def __init__(self, values):
        self.values = values

    def get(self, key, default=None):
        slot = _UNIT_SLOTS.get(key)
        return default if slot is None else self.values[slot]

    __getitem__ = get


def _unit_checks(values):
    for check in UNIT_SPEC.checks:
        yield from check(values)


def _column_for_building_field(name: str) -> Column:
    if name == "comune_id":
        return COLUMNS_BY_KEY["comune_code"]
    if name == "manager_id":
        return COLUMNS_BY_KEY["manager_code"]
    return COLUMNS_BY_KEY["building_" + name]


# --- writing the same format back -------------------------------------------------------


def template_rows():
    """The template: headers and one example row."""
    return UNITS_FILE_SPEC.headers, [UNITS_FILE_SPEC.template_row()]


def unit_export_rows(units):
    """Rows of the units file for a queryset of units (with building, comune, manager and
    owner selected), in the import format: the specification's export of the unit's id, its
    building's fields and its own."""
    unit_id, unit_rest = UNIT_SPEC["unit_id"], UNIT_SPEC.fields[1:]
    building_row = BUILDING_SPEC.export_row
    for unit in units:
        yield [
            unit_id.cell(unit.push_id),
            *building_row(unit.building),
            *(spec.cell(getattr(unit, spec.stored_as)) for spec in unit_rest),
        ]


EXPORT_HEADERS = UNITS_FILE_SPEC.headers
IMPORT_HELP = gettext_lazy(
    "One row per unit. The building columns (code, Comune, address, cadastral data…) are repeated on every unit of the building."
)
