"""One specification per record type: what each field of a record accepts, written once.

A record type (a unit, a building, an applicant, an arrears case) reaches PUSH through a
spreadsheet import, an API write and an admin form, and leaves it through exports. Each of
those used to carry its own copy of the rules, and they drifted apart (the admin saved a
unit the importer then refused). Here the rules are data: a `FieldSpec` per field, a
`RecordSpec` per record type, and every entry point derives what it needs from them:

- import:      `spec.columns` (core.tabular.Column: header, aliases, parser) for
               `core.tabular.parse_rows`/`match_headers`, `spec.headers`, `spec.template_row()`;
- export:      `spec.export_row(values)`: each field's `export` (labels offices read), in
               column order, so that an export re-imports unchanged;
- validation:  `spec.check(values) -> [FieldProblem]`, the same parsers applied to values
               already typed (a model instance's, a form's), then the cross-field checks;
               `RecordValidation` gives a model `clean_fields()` that asks the spec, so admin
               model forms (which call `full_clean`) give the importer's verdict;
- API:         `spec.serializer_field(key)` / `spec.serializer(name)`: DRF fields whose
               `to_internal_value` is the field's parser and whose schema (type, range,
               enum, max length, nullable) is the field's.

The parser is the rule. It receives a raw value that is present (not None, not blank):
text from a CSV, a typed cell from XLSX (int, float, datetime, bool), a JSON value from the
API, or the stored Python value of a model field. It returns the Python value to store or
raises `core.tabular.CellError` with a message for the person. Because a stored value goes
through the same parser as a typed one, "valid in the admin" and "valid in a file" cannot
disagree. The constructors below (`text_field`, `decimal_field`, `integer_field`, ...) pair
core.tabular's parsers with the limits the API schema shows.

Example (a record type with three fields and one cross-field check; the framework's own
tests, tests/registry/test_record_specs.py, use it)::

    from decimal import Decimal
    from core.records import RecordSpec, decimal_field, text_field

    def _rent_needs_area(values):
        if values.get("monthly_rent") and not values.get("usable_area"):
            yield "usable_area", _("A let unit needs its usable area.")

    FLAT = RecordSpec(
        "flat",
        fields=[
            text_field("flat_id", "ID alloggio", max_length=40, required=True, attribute="local_id"),
            decimal_field("usable_area", "Superficie utile", places=2, digits=7,
                          minimum=Decimal("5"), maximum=Decimal("2000")),
            decimal_field("monthly_rent", "Canone mensile", places=2, digits=9,
                          minimum=Decimal("0"), maximum=Decimal("10000")),
        ],
        keys=("flat_id",),
        checks=[_rent_needs_area],
    )
    FLAT.check({"usable_area": "1"})      # [FieldProblem(usable_area, "1 is out of range ...")]
    FLAT.columns                          # for core.tabular.parse_rows(table, FLAT.columns)
    FLAT.export_row(flat)                 # values in column order, from attributes
    FLAT.serializer("FlatRecord")         # DRF serializer class, one field per FieldSpec
    FLAT.serializer("FlatPatch", all_optional=True, required=FLAT.keys)  # partial records

    class Flat(RecordValidation, models.Model):
        record_spec = "myapp.spec.FLAT"   # dotted path: the spec may import the model's choices

A field stored elsewhere than in an attribute of the same name says so: `attribute="local_id"`,
or `attribute=None, value_of=lambda building: building.comune.code` for a code the importer
resolves to an entity (exported, not checked on the instance).

`core` imports no app: specifications live beside their app (registry/stock/spec.py,
calls/applicants.py) and name their own choices and limits.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.tabular import CellError, Column, boolean, choice, date, decimal, integer, is_blank, text


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record: its key, its spreadsheet header, its parser and its limits.

    `key` is the record's key (JSON key of the API, internal key of the column);
    `attribute` the model field it is stored in (None: derived, e.g. a code resolved to an
    entity by the importer, not checked on an instance). `blank` is what an empty cell
    stores. `kind` and `limits` describe the parser for the API schema: `kind` one of text,
    decimal, integer, boolean, date, choice; `limits` e.g. {"minimum":, "maximum":,
    "places":, "digits":, "max_length":, "choices": [codes]}."""

    key: str
    header: str
    parse: Callable[[Any], Any]
    attribute: str | None = ""  # "" means: the same as key
    required: bool = False
    blank: Any = None
    kind: str = "text"
    limits: dict = field(default_factory=dict, hash=False, compare=False)
    export: Callable[[Any], Any] | None = None  # stored value -> cell value; None: unchanged
    value_of: Callable[[Any], Any] | None = None  # instance -> stored value, for fields without an attribute
    aliases: tuple[str, ...] = ()
    example: str = ""
    help: str = ""

    @property
    def stored_as(self) -> str | None:
        return self.key if self.attribute == "" else self.attribute

    @property
    def column(self) -> Column:
        return Column(
            self.key,
            self.header,
            self.parse,
            required=self.required,
            aliases=self.aliases,
            example=self.example,
            help=self.help,
        )

    def read(self, raw) -> Any:
        """The value to store for `raw` (blank: `blank`, or CellError when required)."""
        if is_blank(raw):
            if self.required:
                raise CellError(_required_message())
            return self.blank
        return self.parse(raw)

    def cell(self, value) -> Any:
        """The stored value as the export writes it."""
        if value is None or value == "":
            return value
        return self.export(value) if self.export is not None else value

    def problem(self, value) -> str | None:
        """The message refusing `value`, or None when it is accepted."""
        try:
            self.read(value)
        except CellError as error:
            return error.message
        return None


def _required_message():
    from django.utils.translation import gettext as _

    return _("Required: this cell is empty.")


@dataclass(frozen=True)
class FieldProblem:
    """A field's value refused: which field, the value as given, why."""

    key: str
    value: Any
    message: str
    attribute: str | None = None

    def as_cell_problem(self, row: int, header: str):
        from core.tabular import CellProblem, shown

        return CellProblem(row, header, shown(self.value), self.message)


# A cross-field check takes the parsed values {key: value} (only the fields that parsed) and
# yields (key, message) for each problem, `key` being the field the message belongs to.
RecordCheck = Callable[[dict], Iterable[tuple[str, str]]]


class RecordSpec:
    """A record type: its fields in column order, the keys that identify a record, and the
    checks that involve more than one field."""

    def __init__(self, name: str, *, fields: Iterable[FieldSpec], keys=(), checks: Iterable[RecordCheck] = ()):
        self.name = name
        self.fields = tuple(fields)
        self.keys = tuple(keys)
        self.checks = tuple(checks)
        self.by_key = {spec.key: spec for spec in self.fields}
        self.by_attribute = {spec.stored_as: spec for spec in self.fields if spec.stored_as}
        if len(self.by_key) != len(self.fields):
            raise ValueError(f"{name}: two fields share a key")

    def __iter__(self):
        return iter(self.fields)

    def __getitem__(self, key) -> FieldSpec:
        return self.by_key[key]

    # --- import ---------------------------------------------------------------------

    @property
    def columns(self) -> list[Column]:
        return [spec.column for spec in self.fields]

    @property
    def headers(self) -> list[str]:
        return [spec.header for spec in self.fields]

    def template_row(self) -> list[str]:
        return [spec.example for spec in self.fields]

    # --- export ---------------------------------------------------------------------

    def export_row(self, values) -> list:
        """A record's cells in column order; `values` is a dict by key or an object read by
        attribute (or by the field's `value_of`; otherwise None)."""
        if isinstance(values, dict):
            return [spec.cell(values.get(spec.key)) for spec in self.fields]
        return [spec.cell(_value_of(spec, values)) for spec in self.fields]

    # --- validation -----------------------------------------------------------------

    def check(self, values: dict, *, by_attribute: bool = False) -> list[FieldProblem]:
        """Every problem of a record's values (raw or already typed), the import's verdict:
        each field present in `values` through its parser (absent fields are not checked),
        then the cross-field checks on the values that parsed. `by_attribute`: `values` is
        keyed by model attribute instead of record key."""
        lookup = self.by_attribute if by_attribute else self.by_key
        problems, parsed = [], {}
        for name, raw in values.items():
            spec = lookup.get(name)
            if spec is None:
                continue
            try:
                parsed[spec.key] = spec.read(raw)
            except CellError as error:
                problems.append(FieldProblem(spec.key, raw, error.message, spec.stored_as))
        refused = {problem.key for problem in problems}
        for check in self.checks:
            for key, message in check(parsed):
                if key not in refused:
                    spec = self.by_key[key]
                    problems.append(FieldProblem(key, parsed.get(key), message, spec.stored_as))
        return problems

    def check_instance(self, instance, *, exclude: Iterable[str] = ()) -> list[FieldProblem]:
        """`check` on a model instance's stored values (fields with an attribute, except
        `exclude`d attributes, as a model form excludes the fields it does not show)."""
        skipped = set(exclude or ())
        values = {
            spec.stored_as: getattr(instance, spec.stored_as)
            for spec in self.fields
            if spec.stored_as and spec.stored_as not in skipped
        }
        return [problem for problem in self.check(values, by_attribute=True) if problem.attribute not in skipped]

    # --- API ------------------------------------------------------------------------

    def serializer_field(self, key: str, **overrides):
        return serializer_field(self.by_key[key], **overrides)

    def serializer(self, name: str, *, keys: Iterable[str] | None = None, all_optional: bool = False, required=None):
        """A DRF serializer class with one field per FieldSpec (or per `keys`). With
        `all_optional`, no field is required (a partial record, merged into the stored one)
        except those listed in `required`."""
        from rest_framework import serializers

        chosen = [self.by_key[key] for key in keys] if keys is not None else list(self.fields)
        attrs = {}
        for spec in chosen:
            overrides = {}
            if all_optional:
                overrides["required"] = spec.key in set(required or ())
            attrs[spec.key] = serializer_field(spec, **overrides)
        return type(name, (serializers.Serializer,), attrs)


def _value_of(spec: FieldSpec, instance):
    if spec.value_of is not None:
        return spec.value_of(instance)
    return getattr(instance, spec.stored_as) if spec.stored_as else None


class RecordValidation:
    """Model mixin: `clean_fields()` (what `full_clean()` and every ModelForm run) also asks
    the record's specification, so that a form refuses what an import refuses. Set
    `record_spec` to the dotted path of the RecordSpec (its module may import the model's
    choices, so it is loaded lazily)."""

    record_spec: str = ""

    @classmethod
    def get_record_spec(cls) -> RecordSpec:
        from django.utils.module_loading import import_string

        return import_string(cls.record_spec)

    def clean_fields(self, exclude=None):
        from django.core.exceptions import ValidationError

        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        skipped = set(exclude or ()) | set(errors)
        for problem in self.get_record_spec().check_instance(self, exclude=skipped):
            errors.setdefault(problem.attribute, []).append(ValidationError(problem.message, code="record_spec"))
        if errors:
            raise ValidationError(errors)


# --- constructors: a parser from core.tabular and the limits the API schema shows -----------


def text_field(key, header, *, max_length: int, parse=None, **options) -> FieldSpec:
    """Text up to `max_length` characters; `parse` replaces the plain text parser (an id's
    alphabet, a code's shape) and must enforce the length itself."""
    options.setdefault("blank", "")
    limits = {"max_length": max_length, **options.pop("limits", {})}
    return FieldSpec(key, header, parse or text(max_length), kind="text", limits=limits, **options)


def decimal_field(key, header, *, places: int, digits: int, minimum: Decimal, maximum: Decimal, **options):
    """A decimal with at most `places` decimals within [minimum, maximum]; `digits` is the
    model field's max_digits (shown in the schema)."""
    limits = {"places": places, "digits": digits, "minimum": minimum, "maximum": maximum}
    return FieldSpec(
        key, header, decimal(places=places, minimum=minimum, maximum=maximum), kind="decimal", limits=limits, **options
    )


def integer_field(key, header, *, minimum: int, maximum: int, **options) -> FieldSpec:
    limits = {"minimum": minimum, "maximum": maximum}
    return FieldSpec(key, header, integer(minimum=minimum, maximum=maximum), kind="integer", limits=limits, **options)


def boolean_field(key, header, **options) -> FieldSpec:
    return FieldSpec(key, header, boolean, kind="boolean", **options)


def date_field(key, header, **options) -> FieldSpec:
    return FieldSpec(key, header, date, kind="date", **options)


def choice_field(key, header, *, codes: Iterable[str], spellings: dict[str, str], described: str, **options):
    """One of `codes` (what is stored); `spellings` maps normalised spellings
    (core.tabular.normalise_header) to codes; `described` lists them in messages."""
    options.setdefault("blank", "")
    return FieldSpec(
        key, header, choice(spellings, described), kind="choice", limits={"choices": list(codes)}, **options
    )


# --- DRF fields -------------------------------------------------------------------------------


def serializer_field(spec: FieldSpec, **overrides):
    """A DRF field for `spec`: the schema says its type and limits, `to_internal_value` is
    the field's parser (CellError becomes a DRF ValidationError), so an API write gets the
    import's verdict. Blank values (null, "") are accepted when the field is not required
    and read as `spec.blank`."""

    base, kwargs = _drf_base(spec)
    kwargs.update(
        required=spec.required,
        allow_null=not spec.required,
        help_text=_help_text(spec),
    )
    kwargs.update(overrides)
    field_class = _spec_field_class(base)
    return field_class(spec=spec, **kwargs)


def _help_text(spec: FieldSpec) -> str:
    text_value = f"{spec.header}. {spec.help}".strip().rstrip(".") + "."
    if spec.kind == "choice":
        # The enum lists the stored codes; the spreadsheet's spellings are read as well.
        text_value += " One of: " + ", ".join(spec.limits["choices"]) + "; the spreadsheet's spellings are read too."
    elif spec.kind == "decimal":
        text_value += " A JSON number or a string, decimal comma or point."
    return text_value


_FIELD_CLASSES: dict = {}


class SpecFieldMixin:
    """Marks the DRF fields made from a FieldSpec (`serializer_field`), for their schema."""

    spec: FieldSpec


def _spec_field_class(base):
    if not _FIELD_CLASSES:
        _register_schema_extension()
    if base not in _FIELD_CLASSES:
        from rest_framework import serializers

        class SpecField(SpecFieldMixin, base):
            def __init__(self, *, spec: FieldSpec, **kwargs):
                self.spec = spec
                super().__init__(**kwargs)

            def run_validation(self, data=serializers.empty):
                if data is not serializers.empty and data is not None and is_blank(data) and not self.spec.required:
                    return self.spec.blank
                return super().run_validation(data)

            def validate_empty_values(self, data):
                is_empty, data = super().validate_empty_values(data)
                if is_empty and data is None:
                    return True, self.spec.blank
                return is_empty, data

            def to_internal_value(self, data):
                try:
                    return self.spec.read(data)
                except CellError as error:
                    raise serializers.ValidationError(error.message, code="invalid")

            def to_representation(self, value):
                return super().to_representation(value) if value not in (None, "") else None

        SpecField.__name__ = f"Spec{base.__name__}"
        _FIELD_CLASSES[base] = SpecField
    return _FIELD_CLASSES[base]


def _register_schema_extension():
    """The schema of a spec field says what its parser reads: a decimal as a JSON number or
    a string (decimal comma or point), an integer or a truth value also as the text a
    spreadsheet cell holds; choices as text (the codes, and the spreadsheet's spellings)."""
    from drf_spectacular.extensions import OpenApiSerializerFieldExtension
    from drf_spectacular.plumbing import build_basic_type
    from drf_spectacular.types import OpenApiTypes

    class SpecFieldSchema(OpenApiSerializerFieldExtension):
        target_class = SpecFieldMixin
        match_subclasses = True

        def map_serializer_field(self, auto_schema, direction):
            spec = self.target.spec
            limits = spec.limits
            if spec.kind == "decimal":
                number = {"type": "number", "minimum": float(limits["minimum"]), "maximum": float(limits["maximum"])}
                schema = {"oneOf": [number, {"type": "string", "maxLength": 40}]}
            elif spec.kind == "integer":
                number = {"type": "integer", "minimum": limits["minimum"], "maximum": limits["maximum"]}
                schema = {"oneOf": [number, {"type": "string", "maxLength": 20}]}
            elif spec.kind == "boolean":
                schema = {
                    "oneOf": [
                        {"type": "boolean"},
                        {"type": "string", "maxLength": 10},
                        {"type": "integer", "enum": [0, 1]},
                    ]
                }
            elif spec.kind == "date":
                schema = {**build_basic_type(OpenApiTypes.STR), "maxLength": 30}
            elif spec.kind == "choice":
                schema = {"type": "string", "maxLength": 60}
            else:
                schema = {"type": "string", "maxLength": limits.get("max_length") or 200}
            if not spec.required:
                schema["nullable"] = True
            return schema

    return SpecFieldSchema


def _drf_base(spec: FieldSpec):
    from rest_framework import serializers

    limits = spec.limits
    if spec.kind == "decimal":
        return serializers.DecimalField, {
            "max_digits": limits["digits"],
            "decimal_places": limits["places"],
            "min_value": limits["minimum"],
            "max_value": limits["maximum"],
            "coerce_to_string": True,
        }
    if spec.kind == "integer":
        return serializers.IntegerField, {"min_value": limits["minimum"], "max_value": limits["maximum"]}
    if spec.kind == "boolean":
        return serializers.BooleanField, {}
    if spec.kind == "date":
        return serializers.DateField, {}
    if spec.kind == "choice":
        return serializers.ChoiceField, {"choices": limits["choices"], "allow_blank": not spec.required}
    return serializers.CharField, {"max_length": limits.get("max_length"), "allow_blank": not spec.required}
