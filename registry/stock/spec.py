"""The units file: its columns, and the validation of every row before anything is written.

One row per unit, with the columns of its building repeated on each row (the way offices
keep their "elenco alloggi"). The same columns are used by the template, the admin export
and the API bulk upsert, so that an export re-imports unchanged.

`validate(table, owner)` returns the parsed buildings and units and the list of errors
(row, column, value, message); it never writes. Besides every cell, it checks that each
building lies in the owner's territory (registry.territory), that no row has values past
the header (core.tabular.RowShape) and that the template's example row is not loaded.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.tabular import (
    CellError,
    Column,
    RowShape,
    Table,
    boolean,
    choice,
    date,
    decimal,
    integer,
    is_blank,
    match_headers,
    normalise_header,
    shown,
    text,
)
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

_status = choice(_choices_mapping(OccupancyStatus.choices, STATUS_SPELLINGS), ", ".join(STATUS_LABELS_IT.values()))
_use = choice(
    _choices_mapping(
        UnitUse.choices,
        {
            "abitativo": UnitUse.RESIDENTIAL,
            "residenziale": UnitUse.RESIDENTIAL,
            "non abitativo": UnitUse.NON_RESIDENTIAL,
            "commerciale": UnitUse.NON_RESIDENTIAL,
        },
    ),
    "abitativo, non abitativo",
)
_energy = choice(
    _choices_mapping(EnergyClass.choices, {"n c": "NC", "non classificato": "NC", "non classificabile": "NC"}),
    "A4, A3, A2, A1, B, C, D, E, F, G, NC",
)
_income = choice(
    _choices_mapping(
        IncomeBand.choices,
        {v: k for k, v in INCOME_LABELS_IT.items()}
        | {
            "area di protezione": "protection",
            "area di accesso": "access",
            "area di permanenza": "permanence",
            "oltre il limite": "over_limit",
        },
    ),
    ", ".join(INCOME_LABELS_IT.values()),
)
_category = choice(_category_mapping(), _("a cadastral category such as A/3, A/4 or C/6"))

# No "/" or spaces: the PUSH id appears in addresses (/api/v1/units/750000-34455).
_LOCAL_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def _local_id(value):
    raw = text(40)(value)
    if not raw or not set(raw) <= _LOCAL_ID_CHARS:
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

# Units: (key, header, parser, required, example). Keys are model field names, except
# the building keys prefixed with "building_" and the two codes resolved to entities.
UNIT_COLUMNS = [
    Column(
        "unit_id",
        "ID alloggio",
        _unit_id,
        required=True,
        aliases=("id unita", "id immobile", "codice alloggio", "id push"),
        example=EXAMPLE_PREFIX + "-1",
    ),
    Column(
        "building_id",
        "Codice fabbricato",
        _local_id,
        required=True,
        aliases=("id fabbricato", "fabbricato"),
        example=EXAMPLE_PREFIX + "-F1",
    ),
    Column(
        "comune_code",
        "Comune ISTAT",
        _istat_code,
        required=True,
        aliases=("codice istat", "istat", "codice comune"),
        example="072006",
    ),
    Column(
        "building_street",
        "Indirizzo",
        text(150),
        required=True,
        aliases=("via", "indirizzo fabbricato"),
        example="Via Giuseppe Fanelli",
    ),
    Column("building_street_number", "Civico", text(20), aliases=("numero civico", "n civico"), example="206/14"),
    Column("building_postcode", "CAP", _postcode, example="70125"),
    Column("building_neighbourhood", "Quartiere", text(100), example="Japigia"),
    Column(
        "building_latitude",
        "Latitudine",
        decimal(places=6, minimum=Decimal("39.7"), maximum=Decimal("42.3")),
        aliases=("lat",),
        example="41,108500",
    ),
    Column(
        "building_longitude",
        "Longitudine",
        decimal(places=6, minimum=Decimal("14.8"), maximum=Decimal("18.6")),
        aliases=("lon", "lng"),
        example="16,888300",
    ),
    Column("building_cadastral_section", "Sezione urbana", text(10), aliases=("sezione",), example=""),
    Column("building_cadastral_sheet", "Foglio fabbricato", text(10), example="41"),
    Column("building_cadastral_parcel", "Particella fabbricato", text(20), example="1234"),
    Column(
        "building_year_built",
        "Anno costruzione",
        integer(minimum=1800, maximum=2100),
        aliases=("anno di costruzione",),
        example="1978",
    ),
    Column(
        "building_last_renovation_year",
        "Anno ultima ristrutturazione",
        integer(minimum=1800, maximum=2100),
        example="2015",
    ),
    Column(
        "building_floors",
        "Piani fabbricato",
        integer(minimum=1, maximum=60),
        aliases=("numero piani", "piani"),
        example="6",
    ),
    Column("building_has_lift", "Ascensore", boolean, example="sì"),
    Column(
        "building_declared_units",
        "Alloggi nel fabbricato",
        integer(minimum=1, maximum=5000),
        aliases=("numero alloggi",),
        example="24",
    ),
    Column(
        "building_financing_programme",
        "Programma di finanziamento",
        text(150),
        aliases=("finanziamento", "legge di finanziamento"),
        example="L. 457/1978",
    ),
    Column("manager_code", "Codice ente gestore", text(6), aliases=("gestore", "ente gestore"), example="720000"),
    Column("staircase", "Scala", text(10), example="B"),
    Column("floor", "Piano", text(10), example="3"),
    Column("internal_number", "Interno", text(10), example="12"),
    Column("cadastral_sheet", "Foglio", text(10), aliases=("foglio catastale",), example="41"),
    Column("cadastral_parcel", "Particella", text(20), aliases=("particella catastale", "mappale"), example="1234"),
    Column("cadastral_subunit", "Subalterno", text(10), aliases=("sub",), example="27"),
    Column("cadastral_category", "Categoria catastale", _category, aliases=("categoria",), example="A/4"),
    Column("cadastral_class", "Classe catastale", text(4), aliases=("classe",), example="3"),
    Column(
        "rooms",
        "Vani",
        decimal(places=1, minimum=Decimal("0.5"), maximum=Decimal("50")),
        aliases=("vani catastali", "consistenza"),
        example="4,5",
    ),
    Column(
        "usable_area",
        "Superficie utile",
        decimal(places=2, minimum=Decimal("5"), maximum=Decimal("2000")),
        aliases=("superficie utile mq", "superficie utile m2", "mq utili"),
        example="68,40",
    ),
    Column(
        "conventional_area",
        "Superficie convenzionale",
        decimal(places=2, minimum=Decimal("5"), maximum=Decimal("2500")),
        aliases=("superficie convenzionale mq", "superficie convenzionale m2"),
        example="79,85",
    ),
    Column("energy_class", "Classe energetica", _energy, aliases=("ape", "classe ape"), example="E"),
    Column("accessible", "Accessibile", boolean, aliases=("accessibilita", "accessibile disabili"), example="no"),
    Column("use", "Destinazione", _use, aliases=("destinazione d uso", "uso"), example="abitativo"),
    Column(
        "status", "Stato", _status, required=True, aliases=("stato occupazione", "stato alloggio"), example="locato"
    ),
    Column(
        "monthly_rent",
        "Canone mensile",
        decimal(places=2, minimum=ZERO, maximum=Decimal("10000")),
        aliases=("canone", "canone mensile euro"),
        example="86,52",
    ),
    Column(
        "household_size",
        "Componenti nucleo",
        integer(minimum=1, maximum=20),
        aliases=("componenti", "nucleo familiare"),
        example="3",
    ),
    Column(
        "income_band", "Fascia di reddito", _income, aliases=("area reddito", "fascia reddito"), example="protezione"
    ),
    Column(
        "last_update",
        "Data aggiornamento",
        date,
        aliases=("aggiornato al", "data ultimo aggiornamento"),
        example="15/01/2026",
    ),
]
COLUMNS_BY_KEY = {column.key: column for column in UNIT_COLUMNS}

BUILDING_FIELDS = (
    "comune_id",
    "manager_id",
    "street",
    "street_number",
    "postcode",
    "neighbourhood",
    "latitude",
    "longitude",
    "cadastral_section",
    "cadastral_sheet",
    "cadastral_parcel",
    "year_built",
    "last_renovation_year",
    "floors",
    "has_lift",
    "declared_units",
    "financing_programme",
)
UNIT_FIELDS = (
    "staircase",
    "floor",
    "internal_number",
    "cadastral_sheet",
    "cadastral_parcel",
    "cadastral_subunit",
    "cadastral_category",
    "cadastral_class",
    "rooms",
    "usable_area",
    "conventional_area",
    "energy_class",
    "accessible",
    "use",
    "status",
    "monthly_rent",
    "household_size",
    "income_band",
    "last_update",
)
# What a blank cell means for each field (text fields are "", booleans default, others null).
_TEXT_FIELDS = {
    "street_number",
    "postcode",
    "neighbourhood",
    "cadastral_section",
    "cadastral_sheet",
    "cadastral_parcel",
    "financing_programme",
    "staircase",
    "floor",
    "internal_number",
    "cadastral_subunit",
    "cadastral_category",
    "cadastral_class",
    "energy_class",
    "income_band",
}
_BLANK = {name: ("" if name in _TEXT_FIELDS else None) for name in (*BUILDING_FIELDS, *UNIT_FIELDS)}
_BLANK.update({"accessible": False, "use": UnitUse.RESIDENTIAL})


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_list(self):
        return [self.row, self.column, self.value, self.message]


@dataclass
class ParsedFile:
    buildings: dict = field(default_factory=dict)  # building local id -> tuple of BUILDING_FIELDS
    units: dict = field(default_factory=dict)  # unit local id -> (building local id, tuple of UNIT_FIELDS)
    errors: list = field(default_factory=list)
    error_rows: set = field(default_factory=set)
    total_rows: int = 0
    unit_rows: dict = field(default_factory=dict)  # unit local id -> row number, for messages
    building_rows: dict = field(default_factory=dict)  # building local id -> first row

    @property
    def valid_rows(self):
        return len(self.units)

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


def validate(table: Table, owner: Entity, *, progress=None, context: OwnerContext | None = None) -> ParsedFile:
    """Check every row and cell. Rows with any error are left out of the result and
    reported; the caller decides whether anything may be written.

    Written for speed (a region's stock is hundreds of thousands of rows): the building
    columns, repeated on every unit, are parsed once per building, and every other column
    keeps a cache of the values it has already parsed."""
    context = context or OwnerContext(owner)
    parsed = ParsedFile(total_rows=len(table.rows))
    match = match_headers(table.headers, UNIT_COLUMNS)
    if match.errors:
        for message in match.errors:
            parsed.errors.append(RowError(1, "", "", message))
        parsed.error_rows.add(1)
        return parsed
    positions = match.positions
    width = len(table.headers)
    shape = RowShape(table.headers)
    headed_width = shape.width if not shape.unnamed else -1  # -1: check every row
    building_of = _BuildingParser(positions, owner, context)
    unit_plan = [
        (slot, positions[key], COLUMNS_BY_KEY[key], {}) for slot, key in enumerate(_UNIT_KEYS) if key in positions
    ]
    unit_defaults = [_DEFAULTS[key] for key in _UNIT_KEYS]
    # With XLSX and the API, True == 1 == 1.0 as dictionary keys: keep the type in the key.
    typed = table.format != "csv"
    owner_prefix = owner.code + "-"
    unit_id_header = COLUMNS_BY_KEY["unit_id"].header
    area_header = COLUMNS_BY_KEY["conventional_area"].header
    usable_slot, conventional_slot = _UNIT_KEYS.index("usable_area"), _UNIT_KEYS.index("conventional_area")
    half = Decimal("0.5")
    building_rows, unit_rows = {}, {}
    buildings, units, errors, error_rows = parsed.buildings, parsed.units, parsed.errors, parsed.error_rows
    missing = _MISSING

    for row_number, raw in enumerate(table.rows, start=table.first_data_row):
        if progress is not None and row_number % 10000 == 0:
            progress(row_number - table.first_data_row)
        if not any(raw) or (is_blank(raw[0]) and all(is_blank(cell) for cell in raw)):
            parsed.total_rows -= 1
            continue
        row_errors = []
        if len(raw) > headed_width:
            for problem in shape.stray_cells(raw, row_number):
                row_errors.append(RowError(problem.row, problem.column, problem.value, problem.message))
        if len(raw) < width:
            raw = list(raw) + [None] * (width - len(raw))
        building_id, building, problems = building_of(raw)
        for header, value, message in problems:
            row_errors.append(RowError(row_number, header, value, message))

        values = unit_defaults.copy()
        if typed:
            for slot, index, column, cache in unit_plan:
                cell = raw[index]
                key = (type(cell), cell)
                value = cache.get(key, missing)
                if value is missing:
                    value = cache[key] = _parse_one(column, cell, unit_defaults[slot])
                if type(value) is _Failure:
                    row_errors.append(RowError(row_number, column.header, _shown_cell(cell), value.message))
                else:
                    values[slot] = value
        else:
            for slot, index, column, cache in unit_plan:
                value = cache.get(raw[index], missing)
                if value is missing:
                    value = cache[raw[index]] = _parse_one(column, raw[index], unit_defaults[slot])
                if type(value) is _Failure:
                    row_errors.append(RowError(row_number, column.header, _shown_cell(raw[index]), value.message))
                else:
                    values[slot] = value

        unit_id = values[0]
        if unit_id and unit_id[6:7] == "-" and unit_id[:6].isdigit():
            if unit_id.startswith(owner_prefix):
                unit_id = unit_id[len(owner_prefix) :]
            else:
                row_errors.append(
                    RowError(
                        row_number,
                        unit_id_header,
                        unit_id,
                        _("This unit belongs to another owner (code %(code)s): you can load only units of %(owner)s.")
                        % {"code": unit_id[:6], "owner": owner},
                    )
                )
                unit_id = None
        usable, conventional = values[usable_slot], values[conventional_slot]
        if usable is not None and conventional is not None and conventional < usable * half:
            row_errors.append(
                RowError(
                    row_number,
                    area_header,
                    shown(conventional),
                    _("The conventional area cannot be less than half the usable area."),
                )
            )
        if unit_id and unit_id in unit_rows:
            row_errors.append(
                RowError(
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
                RowError(
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
        units[unit_id] = (building_id, tuple(values[1:]))
    parsed.unit_rows, parsed.building_rows = unit_rows, building_rows
    if progress is not None:
        progress(len(table.rows))
    return parsed


def _column_for_building_field(name: str) -> Column:
    if name == "comune_id":
        return COLUMNS_BY_KEY["comune_code"]
    if name == "manager_id":
        return COLUMNS_BY_KEY["manager_code"]
    return COLUMNS_BY_KEY["building_" + name]


# --- writing the same format back -------------------------------------------------------


def template_rows():
    """The template: headers and one example row."""
    return [column.header for column in UNIT_COLUMNS], [[column.example for column in UNIT_COLUMNS]]


def unit_export_rows(units):
    """Rows of the units file for a queryset of units (with building, comune, manager and
    owner selected), in the import format."""
    for unit in units:
        building = unit.building
        yield [
            unit.push_id,
            building.local_id,
            building.comune.code,
            building.street,
            building.street_number,
            building.postcode,
            building.neighbourhood,
            building.latitude,
            building.longitude,
            building.cadastral_section,
            building.cadastral_sheet,
            building.cadastral_parcel,
            building.year_built,
            building.last_renovation_year,
            building.floors,
            building.has_lift,
            building.declared_units,
            building.financing_programme,
            building.manager.code,
            unit.staircase,
            unit.floor,
            unit.internal_number,
            unit.cadastral_sheet,
            unit.cadastral_parcel,
            unit.cadastral_subunit,
            unit.cadastral_category,
            unit.cadastral_class,
            unit.rooms,
            unit.usable_area,
            unit.conventional_area,
            unit.energy_class,
            unit.accessible,
            USE_LABELS_IT.get(unit.use, unit.use),
            STATUS_LABELS_IT.get(unit.status, unit.status),
            unit.monthly_rent,
            unit.household_size,
            INCOME_LABELS_IT.get(unit.income_band, unit.income_band),
            unit.last_update,
        ]


EXPORT_HEADERS = [column.header for column in UNIT_COLUMNS]
IMPORT_HELP = gettext_lazy(
    "One row per unit. The building columns (code, Comune, address, cadastral data…) are repeated on every unit of the building."
)
