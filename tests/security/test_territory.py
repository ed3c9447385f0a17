"""A building lies in its owner's territory: a Comune's own, the Comuni an ARCA covers. An
attacker who is an officer of one entity tries to place stock in another's territory (which
would change that Comune's public counts), to move existing units across the region without
saying so, and to touch another owner's units, through the API, the file import and the
admin form."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from registry.models import Building, Entity, ImportJob, ImportStatus, Unit
from registry.stock import services as stock
from registry.stock.spec import UNIT_COLUMNS
from registry.stock.writer import MovesNotConfirmed
from registry.territory import building_in_territory, outside_territory_message
from tests.conftest import ARCA_SUD_SALENTO, BARI, LECCE

FOGGIA, GALLIPOLI = "071024", "075031"
BULK, COUNTS = "/api/v1/units/bulk-upsert", "/api/v1/stock/counts"
HEADERS = [column.header for column in UNIT_COLUMNS]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def api():
    client = APIClient()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def record(unit_id, comune, building_id="F-1", **fields):
    return {
        "unit_id": unit_id,
        "building_id": building_id,
        "comune_code": comune,
        "building_street": "Via Giuseppe Fanelli",
        "status": "locato",
        **fields,
    }


def units_file(records) -> bytes:
    keys = [column.key for column in UNIT_COLUMNS]
    lines = [";".join(HEADERS)] + [";".join(str(rec.get(key, "")) for key in keys) for rec in records]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def public_counts(api, comune):
    response = api.get(COUNTS, {"comune": comune})
    assert response.status_code == 200
    return response.json()


# --- the rule ----------------------------------------------------------------------------


def test_the_rule_comune_own_territory_arca_covered_comuni_region_anywhere(entities):
    bari, lecce, arca = entities[BARI], entities[LECCE], entities[ARCA_SUD_SALENTO]
    foggia, gallipoli = Entity.objects.get(code=FOGGIA), Entity.objects.get(code=GALLIPOLI)
    assert building_in_territory(bari, bari) and not building_in_territory(bari, foggia)
    assert building_in_territory(arca, lecce) and building_in_territory(arca, gallipoli)
    assert not building_in_territory(arca, bari) and not building_in_territory(arca, foggia)
    assert building_in_territory(entities["160000"], foggia)


# --- API ---------------------------------------------------------------------------------


def test_a_comune_cannot_place_its_building_in_foggia_through_the_api(api, entities, bari_officer):
    before = public_counts(api, FOGGIA)
    api.force_authenticate(bari_officer)
    response = api.post(BULK, {"units": [record("B1", FOGGIA)]}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert (error["record"], error["field"], error["value"]) == (1, "comune_code", FOGGIA)
    with translation.override(settings.LANGUAGE_CODE):  # the API answers in the site's language
        assert error["message"] == outside_territory_message(entities[BARI], "Foggia (071024)")
    assert not Unit.objects.exists() and not Building.objects.exists()
    api.force_authenticate(None)
    assert public_counts(api, FOGGIA) == before == []


def test_an_arca_cannot_place_a_building_outside_the_comuni_it_covers(api, entities, arca_officer):
    api.force_authenticate(arca_officer)
    response = api.post(BULK, {"units": [record("A1", LECCE), record("A2", BARI, "F-2")]}, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["record"], error["value"]) == (2, BARI)
    with translation.override(settings.LANGUAGE_CODE):
        assert error["message"] == outside_territory_message(entities[ARCA_SUD_SALENTO], "Bari (072006)")
    assert not Unit.objects.exists()


def test_a_comune_building_in_its_own_territory_is_accepted(api, entities, bari_officer):
    api.force_authenticate(bari_officer)
    response = api.post(BULK, {"units": [record("B1", BARI)]}, format="json")
    assert response.status_code == 200, response.content
    assert Unit.objects.get().building.comune.code == BARI


# --- file import -------------------------------------------------------------------------


def test_a_comune_cannot_place_its_building_in_foggia_through_a_file(entities):
    parsed, result = stock.import_file(
        content=units_file([record("B1", BARI), record("B2", FOGGIA, "F-2")]), filename="a.csv", owner=entities[BARI]
    )
    assert result is None
    assert [(e.row, e.column, e.value) for e in parsed.errors] == [(3, "Comune ISTAT", FOGGIA)]
    assert "outside the territory of Comune di Bari" in parsed.errors[0].message
    assert not Unit.objects.exists()


def test_the_import_command_refuses_a_building_outside_the_territory(entities, tmp_path):
    path = tmp_path / "alloggi.csv"
    path.write_bytes(units_file([record("B1", FOGGIA)]))
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="1 rows have errors: nothing written"):
        call_command("import_units", str(path), owner=BARI, stderr=stderr)
    assert "outside the territory of Comune di Bari" in stderr.getvalue()


# --- admin form --------------------------------------------------------------------------


def test_the_building_form_cannot_move_a_building_to_another_comune(client, entities, bari_officer, load_stock):
    load_stock(BARI, 3)
    building = Building.objects.get()
    foggia = Entity.objects.get(code=FOGGIA)
    client.force_login(bari_officer)
    url = reverse("registry_building_modeladmin_edit", args=[building.pk])
    response = client.post(
        url,
        {"comune": foggia.pk, "manager": building.manager_id, "street": "Via Nuova", "street_number": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    building.refresh_from_db()
    assert building.street == "Via Nuova" and building.comune.code == BARI
    assert public_counts(APIClient(), FOGGIA) == []


def test_the_edit_view_refuses_a_building_placed_outside_the_territory(entities, load_stock):
    """The form does not offer the Comune today; the view checks the rule anyway, so a
    future form field cannot reopen the hole."""
    from django import forms

    from registry.stock.admin import RecordingEditView

    load_stock(BARI, 3)
    building = Building.objects.get()

    class BuildingForm(forms.ModelForm):
        class Meta:
            model = Building
            fields = ["street"]

    form = BuildingForm(instance=building, data={"street": "Via X"})
    assert form.is_valid()
    form.instance.comune = Entity.objects.get(code=FOGGIA)
    view = RecordingEditView.__new__(RecordingEditView)
    view.form_invalid = lambda form: "refused"
    assert view.form_valid(form) == "refused"
    assert form.non_field_errors() == [
        "Foggia (071024) is outside the territory of Comune di Bari: its buildings must lie in its own territory."
    ]
    building.refresh_from_db()
    assert building.comune.code == BARI and building.street != "Via X"


# --- moves to another Comune need confirmation ---------------------------------------------


@pytest.fixture
def arca_unit(entities):
    """Unit A1 of ARCA Sud Salento, in building F-1 in Lecce."""
    stock.import_file(content=units_file([record("A1", LECCE)]), filename="a.csv", owner=entities[ARCA_SUD_SALENTO])
    return Unit.objects.get(local_id="A1")


def test_an_import_moving_a_unit_to_another_comune_is_refused_naming_the_row(entities, arca_unit):
    content = units_file([record("A0", LECCE, "F-1"), record("A1", GALLIPOLI, "F-9")])
    with pytest.raises(MovesNotConfirmed) as caught:
        stock.import_file(content=content, filename="a.csv", owner=entities[ARCA_SUD_SALENTO])
    [move] = caught.value.moves
    assert (move.row, move.unit_id) == (3, "A1")
    assert move.message == (
        "Unit A1 would move from Lecce (075035) to Gallipoli (075031) (building F-9): "
        "confirm the moves to import the file."
    )
    arca_unit.refresh_from_db()
    assert arca_unit.building.local_id == "F-1" and not Unit.objects.filter(local_id="A0").exists()


def test_a_building_changing_comune_is_a_move_of_all_its_units(entities, arca_unit):
    with pytest.raises(MovesNotConfirmed) as caught:
        stock.import_file(
            content=units_file([record("A1", GALLIPOLI)]), filename="a.csv", owner=entities[ARCA_SUD_SALENTO]
        )
    [move] = caught.value.moves
    assert (move.row, move.unit_id, move.building_id, move.units) == (2, None, "F-1", 1)
    assert Building.objects.get().comune.code == LECCE


def test_confirmed_moves_are_made_and_reported(entities, arca_unit):
    parsed, result = stock.import_file(
        content=units_file([record("A1", GALLIPOLI, "F-9")]),
        filename="a.csv",
        owner=entities[ARCA_SUD_SALENTO],
        confirm_moves=True,
    )
    assert [move.done_message for move in result.moves] == ["Unit moved from Lecce (075035) to Gallipoli (075031)."]
    arca_unit.refresh_from_db()
    assert arca_unit.building.comune.code == GALLIPOLI


def test_the_api_needs_confirm_moves_to_move_a_unit(api, entities, arca_unit, arca_officer):
    api.force_authenticate(arca_officer)
    response = api.post(BULK, {"units": [record("A1", GALLIPOLI, "F-9")]}, format="json")
    assert response.status_code == 409
    [error] = response.json()["errors"]
    assert (error["record"], error["field"], error["value"]) == (1, "unit_id", "A1")
    arca_unit.refresh_from_db()
    assert arca_unit.building.comune.code == LECCE
    response = api.post(BULK, {"units": [record("A1", GALLIPOLI, "F-9")], "confirm_moves": True}, format="json")
    assert response.status_code == 200
    arca_unit.refresh_from_db()
    assert arca_unit.building.comune.code == GALLIPOLI


def test_the_command_needs_confirm_moves(entities, arca_unit, tmp_path):
    path = tmp_path / "alloggi.csv"
    path.write_bytes(units_file([record("A1", GALLIPOLI, "F-9")]))
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="would move to another Comune: nothing written"):
        call_command("import_units", str(path), owner=ARCA_SUD_SALENTO, stderr=stderr)
    assert "row 2: Unit A1 would move from Lecce (075035) to Gallipoli (075031)" in stderr.getvalue()
    out = io.StringIO()
    call_command("import_units", str(path), owner=ARCA_SUD_SALENTO, confirm_moves=True, stdout=out)
    assert "row 2: Unit moved from Lecce (075035) to Gallipoli (075031)." in out.getvalue()


def test_the_upload_screen_lists_the_moves_and_imports_after_confirmation(
    client, entities, arca_unit, arca_officer, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(arca_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry_importjob_modeladmin_create"),
            {
                "owner": entities[ARCA_SUD_SALENTO].pk,
                "file": SimpleUploadedFile("a.csv", units_file([record("A1", GALLIPOLI, "F-9")])),
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.INVALID
    assert [error[:3] for error in job.errors] == [[2, "ID alloggio", "A1"]]
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>A1</td>" in page and "Lecce (075035)" in page and "Gallipoli (075031)" in page
    assert 'value="confirm_moves"' in page
    arca_unit.refresh_from_db()
    assert arca_unit.building.comune.code == LECCE

    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"action": "confirm_moves"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.updated_units == 1
    arca_unit.refresh_from_db()
    assert arca_unit.building.comune.code == GALLIPOLI


def test_another_owner_cannot_confirm_the_moves(client, entities, arca_unit, arca_officer, bari_officer):
    job = ImportJob.objects.create(
        owner=entities[ARCA_SUD_SALENTO],
        uploaded_by=arca_officer,
        file_format="csv",
        original_name="a.csv",
        sha256="0",
        size=1,
        status=ImportStatus.INVALID,
        errors=[[2, "ID alloggio", "A1", "Unit A1 would move", "move"]],
    )
    client.force_login(bari_officer)
    url = reverse("registry_importjob_modeladmin_inspect", args=[job.pk])
    response = client.post(url, {"action": "confirm_moves"})
    # Out of Bari's scope: the import does not exist for Bari's officer.
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID


# --- another owner's units ----------------------------------------------------------------


def test_a_comune_cannot_touch_a_unit_of_an_arca_by_its_push_id(api, entities, arca_unit, bari_officer):
    api.force_authenticate(bari_officer)
    response = api.post(BULK, {"units": [record(arca_unit.push_id, BARI)]}, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["value"] == arca_unit.push_id
    assert error["field"] == "unit_id" and "750000" in error["message"]
    assert Unit.objects.get() == arca_unit and arca_unit.building.comune.code == LECCE


def test_the_same_local_id_at_another_owner_is_a_different_unit(api, entities, arca_unit, bari_officer):
    api.force_authenticate(bari_officer)
    response = api.post(BULK, {"units": [record("A1", BARI)]}, format="json")
    assert response.status_code == 200
    assert sorted(Unit.objects.values_list("push_id", "building__comune__code")) == [
        ("072006-A1", BARI),
        ("750000-A1", LECCE),
    ]
