"""The property-register API: /api/v1/buildings and /api/v1/units (scoped lists, filters,
pagination), the all-or-nothing bulk upsert of an owner's units, and the open-data counts."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import roles
from registry.models import Area, Building, ChangeSource, Entity, Membership, PropertyChange, Role, Unit
from registry.stock.spec import COLUMNS_BY_KEY
from tests.conftest import ARCA_SUD_SALENTO, BARI, LECCE
from tests.factories import member

PROBLEM = "application/problem+json"
UNITS, BUILDINGS, BULK, COUNTS = (
    "/api/v1/units",
    "/api/v1/buildings",
    "/api/v1/units/bulk-upsert",
    "/api/v1/stock/counts",
)
HOUSEHOLD_FIELDS = ("household_size", "income_band", "monthly_rent", "push_id")


@pytest.fixture
def two_owners(entities, load_stock):
    """Stock of two owners: ARCA Sud Salento (Comuni of Lecce province) and the Comune di Bari."""
    load_stock(ARCA_SUD_SALENTO, 40)
    load_stock(BARI, 25)
    return entities


def get_all(api, url, **params):
    response = api.get(url, {"limit": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()


def record(unit_id, **fields):
    """A valid bulk-upsert record (keys of registry.stock.spec.UNIT_COLUMNS)."""
    return {
        "unit_id": unit_id,
        "building_id": "F-1",
        "comune_code": LECCE,
        "building_street": "Via Giuseppe Fanelli",
        "building_street_number": "12",
        "usable_area": "68,40",
        "conventional_area": "79,85",
        "energy_class": "E",
        "status": "locato",
        **fields,
    }


def arca_payload():
    return [record("A1"), record("A2", status="sfitto disponibile"), record("A3", building_id="F-2", usable_area="50")]


def post_units(api, units, **extra):
    return api.post(BULK, {"units": units, **extra}, format="json")


def nothing_written():
    return not Unit.objects.exists() and not Building.objects.exists() and not PropertyChange.objects.exists()


# --- lists and details: scoped by owner -----------------------------------------------


def test_officer_lists_only_own_units(api, two_owners, arca_officer):
    api.force_authenticate(arca_officer)
    body = get_all(api, UNITS)
    assert body["count"] == Unit.objects.filter(owner__code=ARCA_SUD_SALENTO).count() == 40
    assert {row["owner"] for row in body["results"]} == {ARCA_SUD_SALENTO}
    assert all(row["push_id"].startswith(ARCA_SUD_SALENTO + "-") for row in body["results"])


def test_officer_lists_only_own_buildings(api, two_owners, bari_officer):
    api.force_authenticate(bari_officer)
    body = get_all(api, BUILDINGS)
    own = Building.objects.filter(owner__code=BARI)
    assert body["count"] == own.count() > 0
    assert {row["id"] for row in body["results"]} == set(own.values_list("id", flat=True))
    assert {row["owner"] for row in body["results"]} == {BARI}


def test_officer_reads_own_unit_and_building_but_not_another_owners(api, two_owners, bari_officer):
    api.force_authenticate(bari_officer)
    own_unit = Unit.objects.filter(owner__code=BARI).first()
    other_unit = Unit.objects.filter(owner__code=ARCA_SUD_SALENTO).first()

    detail = api.get(f"{UNITS}/{own_unit.push_id}")
    assert detail.status_code == 200
    assert detail.json()["push_id"] == own_unit.push_id and detail.json()["building"]["id"] == own_unit.building_id
    assert api.get(f"{BUILDINGS}/{own_unit.building_id}").status_code == 200

    assert api.get(f"{UNITS}/{other_unit.push_id}").status_code == 404
    assert api.get(f"{BUILDINGS}/{other_unit.building_id}").status_code == 404


def test_regional_reviewer_sees_every_owners_stock(api, two_owners, reviewer):
    api.force_authenticate(reviewer)
    units = get_all(api, UNITS)
    assert units["count"] == Unit.objects.count() == 65
    assert {row["owner"] for row in units["results"]} == {ARCA_SUD_SALENTO, BARI}
    assert get_all(api, BUILDINGS)["count"] == Building.objects.count()


def _first(queryset, field):
    return queryset.order_by("push_id").values_list(field, flat=True).first()


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "let"}, lambda: Unit.objects.filter(status="let")),
        (
            {"status": ["vacant_ready", "vacant_needs_works", "occupied_without_title"]},
            lambda: Unit.objects.filter(status__in=["vacant_ready", "vacant_needs_works", "occupied_without_title"]),
        ),
        ({"owner": BARI}, lambda: Unit.objects.filter(owner__code=BARI)),
        (
            {"comune": lambda: _first(Unit.objects.filter(owner__code=ARCA_SUD_SALENTO), "building__comune__code")},
            lambda: Unit.objects.filter(
                building__comune__code=_first(
                    Unit.objects.filter(owner__code=ARCA_SUD_SALENTO), "building__comune__code"
                )
            ),
        ),
        ({"province": "LE"}, lambda: Unit.objects.filter(building__comune__province="LE")),
        ({"province": "BA"}, lambda: Unit.objects.filter(building__comune__province="BA")),
        ({"energy_class": ["G", "F"]}, lambda: Unit.objects.filter(energy_class__in=["G", "F"])),
        ({"accessible": "true"}, lambda: Unit.objects.filter(accessible=True)),
        ({"accessible": "false"}, lambda: Unit.objects.filter(accessible=False)),
        (
            {"building": lambda: _first(Unit.objects.filter(owner__code=BARI), "building_id")},
            lambda: Unit.objects.filter(building_id=_first(Unit.objects.filter(owner__code=BARI), "building_id")),
        ),
    ],
    ids=[
        "status",
        "several-statuses",
        "owner",
        "comune",
        "province-LE",
        "province-BA",
        "energy",
        "accessible",
        "not-accessible",
        "building",
    ],
)
def test_unit_filters_match_the_database(api, two_owners, reviewer, params, expected):
    api.force_authenticate(reviewer)
    params = {key: value() if callable(value) else value for key, value in params.items()}
    wanted = expected()
    # Each filter must select a proper, non-empty part of the stock, or the test proves nothing.
    assert 0 < wanted.count() < Unit.objects.count()
    body = get_all(api, UNITS, **params)
    assert body["count"] == wanted.count()
    assert {row["push_id"] for row in body["results"]} == set(wanted.values_list("push_id", flat=True))


def test_building_filters_match_the_database(api, two_owners, reviewer):
    api.force_authenticate(reviewer)
    assert get_all(api, BUILDINGS, owner=BARI)["count"] == Building.objects.filter(owner__code=BARI).count()
    assert get_all(api, BUILDINGS, province="LE")["count"] == Building.objects.filter(comune__province="LE").count()
    comune = Building.objects.filter(owner__code=ARCA_SUD_SALENTO).values_list("comune__code", flat=True).first()
    assert get_all(api, BUILDINGS, comune=comune)["count"] == Building.objects.filter(comune__code=comune).count()
    assert get_all(api, BUILDINGS, has_lift="true")["count"] == Building.objects.filter(has_lift=True).count()


def test_invalid_filter_value_is_a_problem_json_400(api, two_owners, reviewer):
    api.force_authenticate(reviewer)
    response = api.get(UNITS, {"status": "boh"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert "status" in response.json()["errors"]


def test_units_are_paginated_with_limit_and_offset(api, two_owners, reviewer):
    api.force_authenticate(reviewer)
    ordered = list(Unit.objects.order_by("push_id").values_list("push_id", flat=True))
    first = api.get(UNITS, {"limit": 10}).json()
    page = api.get(UNITS, {"limit": 10, "offset": 10}).json()
    assert first["count"] == page["count"] == 65
    assert [row["push_id"] for row in first["results"]] == ordered[:10]
    assert [row["push_id"] for row in page["results"]] == ordered[10:20]
    assert page["next"].endswith("limit=10&offset=20") and page["previous"].endswith("limit=10")
    last = api.get(UNITS, {"limit": 10, "offset": 60}).json()
    assert [row["push_id"] for row in last["results"]] == ordered[60:] and last["next"] is None


def test_unknown_unit_is_a_problem_json_404(api, two_owners, reviewer):
    api.force_authenticate(reviewer)
    response = api.get(f"{UNITS}/{ARCA_SUD_SALENTO}-999999")
    assert response.status_code == 404
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["status"] == 404


@pytest.mark.parametrize("url", [UNITS, BUILDINGS, f"{UNITS}/{BARI}-1", f"{BUILDINGS}/1"])
def test_anonymous_calls_get_401(api, two_owners, url):
    response = api.get(url)
    assert response.status_code == 401
    assert response["Content-Type"].startswith(PROBLEM)
    assert BARI.encode() + b"-" not in response.content


def test_anonymous_bulk_upsert_gets_401_and_writes_nothing(api, entities):
    response = post_units(api, arca_payload(), owner=ARCA_SUD_SALENTO)
    assert response.status_code == 401
    assert nothing_written()


# --- bulk upsert ----------------------------------------------------------------------


def test_officer_creates_units_in_bulk(api, entities, arca_officer):
    api.force_authenticate(arca_officer)
    response = post_units(api, arca_payload())
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created_units": 3,
        "updated_units": 0,
        "unchanged_units": 0,
        "created_buildings": 2,
        "updated_buildings": 0,
    }
    units = Unit.objects.filter(owner__code=ARCA_SUD_SALENTO)
    assert sorted(units.values_list("push_id", flat=True)) == ["750000-A1", "750000-A2", "750000-A3"]
    assert units.get(local_id="A2").status == "vacant_ready"
    assert str(units.get(local_id="A3").usable_area) == "50.00"
    assert Building.objects.filter(owner__code=ARCA_SUD_SALENTO).count() == 2
    creations = PropertyChange.objects.filter(unit__owner__code=ARCA_SUD_SALENTO, created=True)
    assert creations.count() == 3
    assert set(creations.values_list("source", "changed_by")) == {(ChangeSource.API, arca_officer.pk)}


def test_resending_the_same_payload_changes_nothing(api, entities, arca_officer):
    api.force_authenticate(arca_officer)
    assert post_units(api, arca_payload()).status_code == 200
    before_changes = PropertyChange.objects.count()
    before_units = dict(Unit.objects.values_list("push_id", "updated_at"))

    response = post_units(api, arca_payload())

    assert response.status_code == 200
    assert response.json() == {
        "created_units": 0,
        "updated_units": 0,
        "unchanged_units": 3,
        "created_buildings": 0,
        "updated_buildings": 0,
    }
    assert PropertyChange.objects.count() == before_changes
    assert dict(Unit.objects.values_list("push_id", "updated_at")) == before_units


def test_changing_one_field_updates_exactly_that_unit_and_records_the_diff(api, entities, arca_officer):
    api.force_authenticate(arca_officer)
    assert post_units(api, arca_payload()).status_code == 200
    before = dict(Unit.objects.values_list("push_id", "updated_at"))
    changed = arca_payload()
    changed[0]["status"] = "in ristrutturazione"

    response = post_units(api, changed)

    assert response.status_code == 200
    assert response.json()["updated_units"] == 1 and response.json()["unchanged_units"] == 2
    assert response.json()["created_units"] == 0
    unit = Unit.objects.get(push_id="750000-A1")
    assert unit.status == "under_renovation"
    assert unit.updated_at > before["750000-A1"]
    after = dict(Unit.objects.values_list("push_id", "updated_at"))
    assert {push_id for push_id in after if after[push_id] != before[push_id]} == {"750000-A1"}
    update = PropertyChange.objects.get(created=False)
    assert update.unit_id == unit.pk
    assert update.changes == {"status": ["let", "under_renovation"]}
    assert (update.source, update.changed_by_id) == (ChangeSource.API, arca_officer.pk)


@pytest.mark.parametrize(
    "key, value",
    [("status", "boh"), ("usable_area", "-20"), ("comune_code", "099999")],
)
def test_one_invalid_record_refuses_the_whole_payload(api, entities, arca_officer, key, value):
    api.force_authenticate(arca_officer)
    units = arca_payload()
    units[1][key] = value

    response = post_units(api, units)

    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == 400
    assert len(body["errors"]) == 1
    error = body["errors"][0]
    assert error["record"] == 2  # the second record, counting from 1
    # Named by key or by file header; which of the two is pinned by the test below.
    assert error["field"] in (key, COLUMNS_BY_KEY[key].header)
    assert error["message"]
    assert error["value"] == value
    assert nothing_written()


def test_an_invalid_record_also_blocks_the_valid_updates_sent_with_it(api, entities, arca_officer):
    api.force_authenticate(arca_officer)
    assert post_units(api, arca_payload()).status_code == 200
    before = list(Unit.objects.order_by("pk").values_list("push_id", "status", "updated_at"))
    changes_before = PropertyChange.objects.count()
    units = arca_payload()
    units[0]["status"] = "alienato"  # a valid change...
    units[2]["usable_area"] = "-20"  # ...sent with an invalid record

    assert post_units(api, units).status_code == 400

    assert list(Unit.objects.order_by("pk").values_list("push_id", "status", "updated_at")) == before
    assert PropertyChange.objects.count() == changes_before


def test_bulk_upsert_errors_name_the_field_as_the_client_sent_it(api, entities, arca_officer):
    """The client sends `usable_area`; the error must point at `usable_area`, not at a
    column header of the spreadsheet ("Superficie utile") the client never used."""
    api.force_authenticate(arca_officer)
    units = arca_payload()
    units[2]["usable_area"] = "-20"
    response = post_units(api, units)
    assert response.status_code == 400
    assert [(error["record"], error["field"]) for error in response.json()["errors"]] == [(3, "usable_area")]


def test_every_invalid_record_is_reported(api, entities, arca_officer):
    api.force_authenticate(arca_officer)
    units = arca_payload()
    units[0]["status"] = "boh"
    units[2]["comune_code"] = "099999"
    response = post_units(api, units)
    assert response.status_code == 400
    assert sorted(error["record"] for error in response.json()["errors"]) == [1, 3]
    assert nothing_written()


def test_unit_id_with_another_owners_prefix_is_refused(api, entities, load_stock, bari_officer):
    load_stock(ARCA_SUD_SALENTO, 5)
    target = Unit.objects.get(push_id=f"{ARCA_SUD_SALENTO}-1")
    changes_before = PropertyChange.objects.count()
    api.force_authenticate(bari_officer)

    response = post_units(
        api,
        [record(f"{BARI}-9", comune_code=BARI), record(f"{ARCA_SUD_SALENTO}-1", comune_code=BARI, status="alienato")],
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert [error["record"] for error in response.json()["errors"]] == [2]
    assert not Unit.objects.filter(owner__code=BARI).exists()
    assert not Building.objects.filter(owner__code=BARI).exists()
    target_after = Unit.objects.get(pk=target.pk)
    assert (target_after.status, target_after.updated_at, target_after.owner_id) == (
        target.status,
        target.updated_at,
        target.owner_id,
    )
    assert PropertyChange.objects.count() == changes_before


def test_unknown_field_names_are_refused(api, entities, arca_officer):
    api.force_authenticate(arca_officer)
    units = arca_payload()
    units[1]["colour"] = "red"
    response = post_units(api, units)
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert "colour" in " ".join(error["field"] for error in response.json()["errors"])
    assert nothing_written()


@pytest.mark.parametrize("payload", [{}, {"units": "A1"}, {"units": ["A1"]}])
def test_malformed_payload_is_a_problem_json_400(api, entities, arca_officer, payload):
    api.force_authenticate(arca_officer)
    response = api.post(BULK, payload, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert "units" in response.json()["errors"]


@pytest.fixture
def two_entity_officer(entities):
    """A property-register officer of ARCA Sud Salento who is also one of the Comune di Bari."""
    user = member(ARCA_SUD_SALENTO, Role.OFFICER, Area.PROPERTY_REGISTER)
    Membership.objects.create(user=user, entity=entities[BARI], role=Role.OFFICER, area=Area.PROPERTY_REGISTER)
    roles.sync_user_groups(user)
    return user


def test_owner_is_required_when_acting_for_more_than_one_entity(api, two_entity_officer):
    api.force_authenticate(two_entity_officer)
    response = post_units(api, arca_payload())
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert "owner" in response.json()["errors"]
    assert nothing_written()


def test_owner_chooses_which_of_ones_entities_gets_the_units(api, two_entity_officer):
    api.force_authenticate(two_entity_officer)
    response = post_units(api, [record("B1", comune_code=BARI)], owner=BARI)
    assert response.status_code == 200, response.content
    assert list(Unit.objects.values_list("push_id", "owner__code")) == [(f"{BARI}-B1", BARI)]


def test_legal_representative_keeps_own_stock_through_the_api(api, entities, bari_legal_rep):
    api.force_authenticate(bari_legal_rep)
    response = post_units(api, [record("B1", comune_code=BARI)])
    assert response.status_code == 200, response.content
    assert Unit.objects.get().push_id == f"{BARI}-B1"


@pytest.mark.parametrize("who", ["region_admin", "reviewer"])
def test_the_region_only_reads_the_stock(api, request, entities, who):
    api.force_authenticate(request.getfixturevalue(who))
    response = post_units(api, arca_payload(), owner=ARCA_SUD_SALENTO)
    assert response.status_code == 403
    assert response["Content-Type"].startswith(PROBLEM)
    assert nothing_written()


# --- open data: counts per Comune and status ----------------------------------------


def test_counts_are_open_and_match_the_database(api, two_owners):
    response = api.get(COUNTS)
    assert response.status_code == 200
    got = {(row["comune"], row["status"]): row["units"] for row in response.json()}
    expected = Counter(Unit.objects.values_list("building__comune__code", "status"))
    assert got == dict(expected)
    assert sum(got.values()) == 65
    names = dict(Entity.objects.filter(kind="comune").values_list("code", "name"))
    assert all(row["comune_name"] == names[row["comune"]] for row in response.json())


def test_counts_never_contain_unit_or_household_data(api, two_owners):
    response = api.get(COUNTS)
    assert all(set(row) == {"comune", "comune_name", "status", "units"} for row in response.json())
    body = response.content.decode()
    for field in HOUSEHOLD_FIELDS:
        assert field not in body
    assert f"{BARI}-" not in body and f"{ARCA_SUD_SALENTO}-" not in body


def test_counts_ignore_credentials(api, two_owners, outsider):
    """Open data answers the same to anyone, signed in or not."""
    anonymous = api.get(COUNTS).json()
    api.force_authenticate(outsider)
    assert api.get(COUNTS).json() == anonymous


@pytest.mark.parametrize("province, owner", [("BA", BARI), ("LE", ARCA_SUD_SALENTO)])
def test_counts_filtered_by_province(api, two_owners, province, owner):
    rows = api.get(COUNTS, {"province": province}).json()
    assert rows
    provinces = dict(Entity.objects.filter(code__in=[row["comune"] for row in rows]).values_list("code", "province"))
    assert set(provinces.values()) == {province}
    assert sum(row["units"] for row in rows) == Unit.objects.filter(owner__code=owner).count()


def test_counts_with_an_unknown_province_are_a_problem_json_400(api, two_owners):
    response = api.get(COUNTS, {"province": "XX"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert "province" in response.json()["errors"]


# --- performance ----------------------------------------------------------------------


def test_units_list_makes_the_same_number_of_queries_for_5_and_for_60_units(api, entities, load_stock, reviewer):
    api.force_authenticate(reviewer)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = api.get(UNITS, {"limit": 100})
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    load_stock(ARCA_SUD_SALENTO, 5)
    queries()  # warm caches
    few, count_few = queries()
    load_stock(BARI, 55)
    many, count_many = queries()
    assert (count_few, count_many) == (5, 60)
    assert many == few


# --- the contract the schema states (issue 10) ------------------------------------------


@pytest.fixture
def schema(api):
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("offset", ["-17:00", "+15:30"])
def test_updated_since_with_an_impossible_offset_is_a_problem_json_400(api, two_owners, reviewer, offset):
    api.force_authenticate(reviewer)
    response = api.get(UNITS, {"updated_since": f"2020-01-01T00:00:00{offset}"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert "updated_since" in response.json()["errors"]


def test_updated_since_with_a_real_offset_filters(api, two_owners, reviewer):
    api.force_authenticate(reviewer)
    assert get_all(api, UNITS, updated_since="2020-01-01T00:00:00+14:00")["count"] == Unit.objects.count()


@pytest.mark.parametrize("name", ["income_band", "energy_class", "cadastral_category"])
def test_schema_admits_the_empty_string_that_optional_choices_answer(schema, name):
    unit = schema["components"]["schemas"]["Unit"]["properties"][name]
    allowed = []
    for option in unit.get("oneOf", unit.get("allOf", [])):
        target = schema["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]] if "$ref" in option else option
        allowed.extend(target.get("enum", []))
    assert "" in allowed


def test_schema_documents_the_counts_filters(schema):
    parameters = {parameter["name"] for parameter in schema["paths"][COUNTS]["get"].get("parameters", [])}
    assert {"province", "comune"} <= parameters


def test_bulk_upsert_advertises_and_accepts_json_only(api, entities, arca_officer, schema):
    assert set(schema["paths"][BULK]["post"]["requestBody"]["content"]) == {"application/json"}
    api.force_authenticate(arca_officer)
    response = api.post(BULK, {"units": "A1"}, format="multipart")
    assert response.status_code == 415
    assert nothing_written()


def test_bulk_upsert_schema_types_each_record_field(schema):
    record = schema["components"]["schemas"]["UnitRecordRequest"]
    assert record["required"] == ["unit_id"]
    area = record["properties"]["conventional_area"]["oneOf"]
    assert {"type": "number", "minimum": 5.0, "maximum": 2500.0} in area and {"type": "string", "maxLength": 40} in area
    assert record["properties"]["building_floors"]["oneOf"][0]["maximum"] == 60
    assert "let" in record["properties"]["status"]["description"]
    assert "mode" in schema["components"]["schemas"]["UnitBulkUpsertSchemaRequest"]["properties"]


def test_a_record_with_only_its_keys_keeps_every_stored_value(api, entities, arca_officer):
    """The bug: the keys alone wiped the building's coordinates and cadastral data."""
    api.force_authenticate(arca_officer)
    full = record("A1", building_latitude="40,35", building_cadastral_sheet="41", rooms="4,5", monthly_rent="86,52")
    assert post_units(api, [full]).status_code == 200
    before_unit = Unit.objects.values().get(local_id="A1")
    before_building = Building.objects.values().get(local_id="F-1")

    response = post_units(api, [{"unit_id": "A1", "building_id": "F-1"}])

    assert response.status_code == 200, response.content
    assert response.json()["unchanged_units"] == 1 and response.json()["updated_buildings"] == 0
    assert Unit.objects.values().get(local_id="A1") == before_unit
    assert Building.objects.values().get(local_id="F-1") == before_building


def test_merge_changes_only_the_fields_sent_and_null_clears(api, entities, arca_officer):
    api.force_authenticate(arca_officer)
    assert post_units(api, [record("A1", rooms="4,5", monthly_rent="86,52")]).status_code == 200

    response = post_units(api, [{"unit_id": "750000-A1", "status": "sfitto disponibile", "monthly_rent": None}])

    assert response.status_code == 200, response.content
    unit = Unit.objects.get(local_id="A1")
    assert (unit.status, unit.monthly_rent, unit.rooms) == ("vacant_ready", None, Decimal("4.5"))
    assert unit.building.street == "Via Giuseppe Fanelli"


def test_replace_mode_blanks_what_the_record_omits(api, entities, arca_officer):
    api.force_authenticate(arca_officer)
    assert post_units(api, [record("A1", building_latitude="40,35", rooms="4,5")]).status_code == 200

    response = post_units(api, [record("A1")], mode="replace")

    assert response.status_code == 200, response.content
    unit = Unit.objects.select_related("building").get(local_id="A1")
    assert unit.rooms is None and unit.building.latitude is None


def test_a_new_unit_still_needs_its_building_in_merge_mode(api, entities, arca_officer):
    api.force_authenticate(arca_officer)
    response = post_units(api, [{"unit_id": "A9", "building_id": "F-9", "status": "locato"}])
    assert response.status_code == 400
    assert {"comune_code", "building_street"} <= {error["field"] for error in response.json()["errors"]}
    assert nothing_written()


@pytest.mark.parametrize(
    "extra",
    [
        {"confirm_moves": "yes"},
        {"confirm_moves": 1},
        {"mode": "patch"},
    ],
)
def test_bulk_upsert_options_are_strict(api, entities, arca_officer, extra):
    api.force_authenticate(arca_officer)
    response = post_units(api, arca_payload(), **extra)
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert nothing_written()


@pytest.mark.parametrize(
    "key, value",
    [
        ("unit_id", 1.5),
        ("unit_id", True),
        ("building_id", False),
        ("building_street", {"name": "Via Roma"}),
        ("staircase", ["A"]),
        ("conventional_area", "NaN"),
        ("conventional_area", "Infinity"),
        ("conventional_area", "1E+30"),
        ("conventional_area", 1e20),
        ("conventional_area", "79,855"),
        ("monthly_rent", "sNaN"),
    ],
)
def test_records_are_not_coerced(api, entities, arca_officer, key, value):
    api.force_authenticate(arca_officer)
    response = post_units(api, [record("A1") | {key: value}])
    assert response.status_code == 400, response.content
    assert key in {error["field"] for error in response.json()["errors"]}
    assert nothing_written()
