"""One specification per record type (core.records, registry.stock.spec): the admin's edit
form, the API's bulk upsert and the file import give the same verdict on the same value,
for every field of the unit and of the building; and what the admin exports, the importer
takes back."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.records import RecordSpec, decimal_field, text_field
from core.tabular import Table, italian_cell, read_table
from registry.models import Entity, Unit
from registry.stock.spec import BUILDING_SPEC, UNIT_SPEC, UNITS_FILE_SPEC, unit_export_rows, validate
from tests.conftest import ARCA_SUD_SALENTO
from tests.registry.test_italian_numbers import shown_values

TOO_LONG = "X" * 200

# (record key, value typed in the admin form, the same value in a file cell / API record).
# Each field has values both refused and accepted; booleans cannot be refused.
UNIT_CASES = [
    ("staircase", "B", "B"),
    ("staircase", TOO_LONG[:11], TOO_LONG[:11]),
    ("floor", TOO_LONG[:11], TOO_LONG[:11]),
    ("internal_number", "12", "12"),
    ("internal_number", TOO_LONG[:11], TOO_LONG[:11]),
    ("cadastral_sheet", TOO_LONG[:11], TOO_LONG[:11]),
    ("cadastral_parcel", TOO_LONG[:21], TOO_LONG[:21]),
    ("cadastral_subunit", TOO_LONG[:11], TOO_LONG[:11]),
    ("cadastral_category", "A/3", "A/3"),
    ("cadastral_category", "Z/9", "Z/9"),
    ("cadastral_class", TOO_LONG[:5], TOO_LONG[:5]),
    ("rooms", "4,5", "4,5"),
    ("rooms", "0,4", "0,4"),
    ("rooms", "51", "51"),
    ("rooms", "4,55", "4,55"),
    ("usable_area", "60", "60"),
    ("usable_area", "4", "4"),
    ("usable_area", "60,123", "60,123"),
    ("conventional_area", "1", "1"),  # the admin saved it, the importer refused its export
    ("conventional_area", "79,85", "79,85"),
    ("conventional_area", "2600", "2600"),
    ("conventional_area", "20", "20"),  # less than half the usable area
    ("energy_class", "E", "E"),
    ("energy_class", "Z", "Z"),
    ("accessible", "on", "sì"),
    ("use", "non_residential", "non_residential"),
    ("use", "garage", "garage"),
    ("status", "let", "let"),
    ("status", "gone", "gone"),
    ("status", "", ""),
    ("monthly_rent", "86,52", "86,52"),
    ("monthly_rent", "-1", "-1"),
    ("monthly_rent", "10001", "10001"),
    ("household_size", "3", "3"),
    ("household_size", "0", "0"),
    ("household_size", "21", "21"),
    ("income_band", "access", "access"),
    ("income_band", "rich", "rich"),
    ("last_update", "15/01/2026", "15/01/2026"),
    ("last_update", "31/02/2026", "31/02/2026"),
]
BUILDING_CASES = [
    ("building_street", "Via Roma", "Via Roma"),
    ("building_street", "", ""),
    ("building_street", TOO_LONG[:151], TOO_LONG[:151]),
    ("building_street_number", TOO_LONG[:21], TOO_LONG[:21]),
    ("building_postcode", "73100", "73100"),
    ("building_postcode", "7310", "7310"),
    ("building_neighbourhood", TOO_LONG[:101], TOO_LONG[:101]),
    ("building_latitude", "40,35", "40,35"),
    ("building_latitude", "45", "45"),
    ("building_longitude", "18,17", "18,17"),
    ("building_longitude", "12", "12"),
    ("building_longitude", "18,1234567", "18,1234567"),
    ("building_cadastral_section", TOO_LONG[:11], TOO_LONG[:11]),
    ("building_cadastral_sheet", TOO_LONG[:11], TOO_LONG[:11]),
    ("building_cadastral_parcel", TOO_LONG[:21], TOO_LONG[:21]),
    ("building_year_built", "1978", "1978"),
    ("building_year_built", "1700", "1700"),
    ("building_last_renovation_year", "2200", "2200"),
    ("building_floors", "6", "6"),
    ("building_floors", "0", "0"),
    ("building_floors", "61", "61"),
    ("building_has_lift", "true", "sì"),
    ("building_declared_units", "24", "24"),
    ("building_declared_units", "0", "0"),
    ("building_declared_units", "5001", "5001"),
    ("building_financing_programme", TOO_LONG[:151], TOO_LONG[:151]),
]


def test_every_field_has_a_case():
    """A field added to a specification without a case here would go unchecked."""
    keys = {key for key, _form, _file in UNIT_CASES + BUILDING_CASES}
    editable = {spec.key for spec in (*UNIT_SPEC.fields[1:], *BUILDING_SPEC.fields) if spec.stored_as != "local_id"}
    assert editable - {"comune_code", "manager_code"} <= keys


@pytest.fixture
def unit(entities, load_stock):
    load_stock(ARCA_SUD_SALENTO, 2)
    unit = Unit.objects.select_related("building__comune", "building__manager", "owner").order_by("pk").first()
    Unit.objects.filter(pk=unit.pk).update(usable_area=Decimal("60"), conventional_area=Decimal("70"))
    unit.refresh_from_db()
    return unit


def exported_record(unit) -> dict:
    """The unit as the admin exports it to CSV: {record key: cell text}."""
    unit = Unit.objects.select_related("building__comune", "building__manager", "owner").get(pk=unit.pk)
    row = next(unit_export_rows([unit]))
    return {spec.key: italian_cell(value) for spec, value in zip(UNITS_FILE_SPEC.fields, row)}


def import_verdict(unit, key, value) -> bool:
    record = exported_record(unit) | {key: value}
    table = Table(headers=UNITS_FILE_SPEC.headers, rows=[[record[spec.key] for spec in UNITS_FILE_SPEC.fields]])
    parsed = validate(table, unit.owner)
    return not parsed.errors


def api_verdict(user, unit, key, value) -> bool:
    api = APIClient()
    api.force_authenticate(user)
    record = exported_record(unit) | {key: value}
    response = api.post("/api/v1/units/bulk-upsert", {"units": [record]}, format="json")
    assert response.status_code in (200, 400), response.content
    return response.status_code == 200


def admin_verdict(client, user, instance, attribute, value) -> bool:
    client.force_login(user)
    url = reverse(f"registry_{instance._meta.model_name}_modeladmin_edit", args=[instance.pk])
    data = shown_values(client.get(url).context["form"])
    if value == "on":
        data[attribute] = "on"
    else:
        data[attribute] = value
    data["confirm_unusual"] = "on"  # an unusual value is confirmed: the verdict is on validity
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    return response.status_code == 302


@pytest.mark.parametrize(("key", "form_value", "file_value"), UNIT_CASES)
def test_unit_field_same_verdict_in_admin_api_and_import(client, arca_officer, unit, key, form_value, file_value):
    by_import = import_verdict(unit, key, file_value)
    by_admin = admin_verdict(client, arca_officer, unit, UNIT_SPEC[key].stored_as, form_value)
    unit.refresh_from_db()
    by_api = api_verdict(arca_officer, unit, key, file_value)
    assert by_admin == by_import == by_api, {"admin": by_admin, "import": by_import, "api": by_api}


@pytest.mark.parametrize(("key", "form_value", "file_value"), BUILDING_CASES)
def test_building_field_same_verdict_in_admin_api_and_import(client, arca_officer, unit, key, form_value, file_value):
    by_import = import_verdict(unit, key, file_value)
    by_admin = admin_verdict(client, arca_officer, unit.building, BUILDING_SPEC[key].stored_as, form_value)
    unit.refresh_from_db()
    by_api = api_verdict(arca_officer, unit, key, file_value)
    assert by_admin == by_import == by_api, {"admin": by_admin, "import": by_import, "api": by_api}


def test_admin_cannot_save_what_the_importer_refuses(client, arca_officer, unit):
    """The bug: conventional_area = 1 saved in the admin, its export then refused."""
    assert not admin_verdict(client, arca_officer, unit, "conventional_area", "1")
    unit.refresh_from_db()
    assert unit.conventional_area == Decimal("70")


def test_admin_export_is_accepted_by_the_importer(client, arca_officer, unit):
    client.force_login(arca_officer)
    admin_verdict(client, arca_officer, unit, "rooms", "3,5")
    response = client.get(reverse("registry_unit_modeladmin_index") + "?export=csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    table = read_table(content, "alloggi.csv")
    parsed = validate(table, Entity.objects.get(code=ARCA_SUD_SALENTO))
    assert parsed.errors == []
    assert len(parsed.units) == Unit.objects.filter(owner__code=ARCA_SUD_SALENTO).count()


# --- the framework on its own ---------------------------------------------------------


def _rent_needs_area(values):
    if values.get("monthly_rent") and not values.get("usable_area"):
        yield "usable_area", "A let unit needs its usable area."


FLAT = RecordSpec(
    "flat",
    keys=("flat_id",),
    checks=[_rent_needs_area],
    fields=[
        text_field("flat_id", "ID", max_length=5, required=True, attribute="local_id"),
        decimal_field("usable_area", "Superficie", places=2, digits=7, minimum=Decimal(5), maximum=Decimal(2000)),
        decimal_field("monthly_rent", "Canone", places=2, digits=9, minimum=Decimal(0), maximum=Decimal(10000)),
    ],
)


def test_check_reports_each_field_then_the_cross_field_checks():
    problems = FLAT.check({"flat_id": "TOO-LONG", "monthly_rent": "86,52"})
    assert [(problem.key, problem.attribute) for problem in problems] == [
        ("flat_id", "local_id"),
        ("usable_area", "usable_area"),
    ]
    assert FLAT.check({"flat_id": "A1", "usable_area": "60", "monthly_rent": Decimal("86.52")}) == []


def test_serializer_fields_use_the_parsers_and_show_the_limits():
    serializer = FLAT.serializer("FlatRecord")(data={"flat_id": "A1", "usable_area": "1.000,5"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["usable_area"] == Decimal("1000.50")
    for refused in ("NaN", "Infinity", "1E+30", 1e20, True, "0,001"):
        serializer = FLAT.serializer("FlatRecord")(data={"flat_id": "A1", "monthly_rent": refused})
        assert not serializer.is_valid(), refused
    field = FLAT.serializer_field("usable_area")
    assert (field.max_digits, field.decimal_places, field.min_value, field.max_value) == (7, 2, 5, 2000)


def test_export_row_and_template_follow_the_column_order():
    assert FLAT.headers == ["ID", "Superficie", "Canone"]
    assert FLAT.export_row({"flat_id": "A1", "monthly_rent": Decimal("1")}) == ["A1", None, Decimal("1")]
    assert UNITS_FILE_SPEC.headers[:3] == ["ID alloggio", "Codice fabbricato", "Comune ISTAT"]
