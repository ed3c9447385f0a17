"""The buildings on the map (registry.stock.admin.map): scoped like the building list, filtered
by its filters, the image's data (what is passed to the drawing, not pixels) and its cache;
placing a building: coordinates inside its Comune by the form, the units file and the API, or
from its address through the geocoder (mocked)."""

import io
import json
import random
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient
from wagtail.users.models import UserProfile

from core.tabular import Table
from registry.geo.boundaries import random_point
from registry.models import Area, Building, Entity, Role
from registry.stock import services as stock
from registry.stock.admin import map as building_map
from registry.stock.spec import UNITS_FILE_SPEC, validate
from tests.conftest import ARCA_SUD_SALENTO, BARI, LECCE
from tests.factories import member
from tests.registry.test_italian_numbers import shown_values

MAP, IMAGE = "registry_building_map", "registry_building_map_image"
IN_BARI = ("41,127000", "16,872000")
IN_LECCE = ("40,352700", "18,172300")


@pytest.fixture
def stock_of_two(entities, load_stock):
    load_stock(ARCA_SUD_SALENTO, 60)
    load_stock(BARI, 40)
    # One building of each owner without coordinates: in the table's count, not on the map.
    for owner in (ARCA_SUD_SALENTO, BARI):
        building = Building.objects.filter(owner__code=owner).order_by("pk").last()
        Building.objects.filter(pk=building.pk).update(latitude=None, longitude=None)
    Building.objects.filter(owner__code=BARI).update(street="Via Sentinella")
    return entities


def points_of(**filters):
    return {
        (lon, lat)
        for lon, lat in Building.objects.filter(latitude__isnull=False, **filters).values_list("longitude", "latitude")
    }


def login_in_english(client, user):
    """Signs `user` in with English as their admin language: messages asserted in their
    source language, whatever the Italian catalogue says."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)


@pytest.fixture
def drawn():
    """The points each rendering of the image was given."""
    calls = []
    real = building_map.render_building_map

    def spy(points, **kwargs):
        calls.append(set(points))
        return real(points, **kwargs)

    with mock.patch.object(building_map, "render_building_map", side_effect=spy):
        yield calls


# --- who sees what ---------------------------------------------------------------------------


def test_an_arca_officer_sees_on_the_map_and_in_the_table_only_its_own_buildings(client, stock_of_two, arca_officer):
    client.force_login(arca_officer)
    response = client.get(reverse(MAP))
    assert response.status_code == 200
    shown = list(response.context["paginator"].object_list)
    assert shown and {building.owner.code for building in shown} == {ARCA_SUD_SALENTO}
    assert response.context["result_count"] == len(points_of(owner__code=ARCA_SUD_SALENTO))
    assert response.context["unplaced_count"] == 1
    html = response.content.decode()
    assert "Via Sentinella" not in html
    assert "Bari" not in html.split("<tbody>")[1].split("</tbody>")[0]


def test_the_image_draws_only_the_officers_own_buildings(client, stock_of_two, arca_officer, drawn):
    client.force_login(arca_officer)
    response = client.get(reverse(IMAGE))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert response["Cache-Control"].startswith("private")
    assert drawn == [points_of(owner__code=ARCA_SUD_SALENTO)]
    assert not drawn[0] & points_of(owner__code=BARI)


def test_the_other_owners_image_differs(client, stock_of_two, arca_officer, bari_officer):
    client.force_login(arca_officer)
    theirs = client.get(reverse(IMAGE)).content
    client.force_login(bari_officer)
    assert client.get(reverse(IMAGE)).content != theirs


def test_asking_for_another_owner_by_filter_shows_nothing(client, stock_of_two, arca_officer, drawn):
    bari = Entity.objects.get(code=BARI)
    client.force_login(arca_officer)
    query = f"?owner__id__exact={bari.pk}"
    page = client.get(reverse(MAP) + query)
    assert page.status_code == 200 and page.context["result_count"] == 0
    assert list(page.context["object_list"]) == []
    assert client.get(reverse(IMAGE) + query).status_code == 200
    assert drawn == [set()]


@pytest.mark.parametrize("name", [MAP, IMAGE])
def test_parameters_the_list_does_not_declare_are_refused(client, stock_of_two, arca_officer, name):
    client.force_login(arca_officer)
    response = client.get(reverse(name) + f"?owner__code={BARI}")
    assert response.status_code == 400
    assert not response.content.startswith(b"\x89PNG")


def test_the_region_sees_every_owners_buildings(client, stock_of_two, region_admin, drawn):
    client.force_login(region_admin)
    page = client.get(reverse(MAP))
    assert page.context["result_count"] == len(points_of()) == page.context["all_count"] - 2
    client.get(reverse(IMAGE))
    assert drawn == [points_of()]
    assert points_of(owner__code=BARI) and points_of(owner__code=BARI) <= drawn[0]


def test_a_person_without_the_register_gets_no_map(client, stock_of_two, outsider):
    client.force_login(outsider)
    for name in (MAP, IMAGE):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403)
        assert not response.content.startswith(b"\x89PNG")


# --- filters ------------------------------------------------------------------------------


def test_the_list_filters_apply_to_the_table_and_the_image(client, stock_of_two, region_admin, drawn):
    client.force_login(region_admin)
    bari = Entity.objects.get(code=BARI)
    query = f"?owner__id__exact={bari.pk}"
    page = client.get(reverse(MAP) + query)
    assert {building.owner_id for building in page.context["object_list"]} == {bari.pk}
    assert f'src="{reverse(IMAGE)}{query}"' in page.content.decode()
    client.get(reverse(IMAGE) + query)
    comune = Building.objects.filter(owner__code=ARCA_SUD_SALENTO).values_list("comune", flat=True).first()
    client.get(reverse(IMAGE) + f"?comune__id__exact={comune}&q=Via")
    assert drawn == [
        points_of(owner=bari),
        points_of(comune=comune, street__icontains="Via"),
    ]


def test_the_building_list_links_to_the_map_with_its_filters(client, stock_of_two, region_admin):
    client.force_login(region_admin)
    page = client.get(reverse("registry_building_modeladmin_index") + "?province=LE")
    assert f'href="{reverse(MAP)}?province=LE"' in page.content.decode()


def test_the_page_carries_the_attribution_the_alt_text_and_the_way_to_unplaced_buildings(
    client, stock_of_two, arca_officer
):
    login_in_english(client, arca_officer)
    html = client.get(reverse(MAP) + "?province=LE").content.decode()
    assert "<figcaption>Confini: Openpolis su dati ISTAT, CC BY 4.0</figcaption>" in html
    count = len(points_of(owner__code=ARCA_SUD_SALENTO, comune__province="LE"))
    assert f'alt="Map of Puglia with the boundaries of the Comuni and {count} buildings' in html
    assert "Filters: province: Lecce." in html, html[html.find('alt="') : html.find('alt="') + 300]
    assert "<caption>Buildings on the map</caption>" in html
    assert "?province=LE&amp;coordinates=no" in html


def test_the_map_page_makes_the_same_queries_however_many_buildings(client, entities, load_stock, region_admin):
    load_stock(BARI, 20)
    client.force_login(region_admin)
    client.get(reverse(MAP))  # warm the person's first-request queries (session, access)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(MAP)).status_code == 200
    load_stock(ARCA_SUD_SALENTO, 200)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(MAP)).status_code == 200
    # The register's own: the three filters' choices, the counts, the table's page.
    assert len(many) == len(few)
    assert sum('"registry_building"' in query["sql"] for query in few.captured_queries) == 5
    assert sum('"registry_building"' in query["sql"] for query in many.captured_queries) == 5


# --- the image's cache ------------------------------------------------------------------


def test_the_image_is_cached_and_a_building_edit_draws_it_again(
    client, stock_of_two, arca_officer, drawn, django_capture_on_commit_callbacks
):
    client.force_login(arca_officer)
    first = client.get(reverse(IMAGE)).content
    assert client.get(reverse(IMAGE)).content == first
    assert len(drawn) == 1
    building = Building.objects.filter(owner__code=ARCA_SUD_SALENTO, latitude__isnull=True).get()
    edit = reverse("registry_building_modeladmin_edit", args=[building.pk])
    data = shown_values(client.get(edit).context["form"])
    latitude, longitude = (f"{value:.6f}".replace(".", ",") for value in point_in(building.comune.code))
    data.update(latitude=latitude, longitude=longitude)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit, data).status_code == 302
    client.get(reverse(IMAGE))
    assert len(drawn) == 2
    building.refresh_from_db()
    assert drawn[1] == drawn[0] | {(building.longitude, building.latitude)}


def point_in(code):
    """(lat, lon) of a point inside the Comune `code`."""
    return random_point(code, random.Random(5))


# --- placing a building: the form ------------------------------------------------------


@pytest.fixture
def bari_building(entities, load_stock):
    load_stock(BARI, 5)
    building = Building.objects.filter(owner__code=BARI).order_by("pk").first()
    Building.objects.filter(pk=building.pk).update(latitude=None, longitude=None)
    building.refresh_from_db()
    return building


def post_building(client, building, **values):
    edit = reverse("registry_building_modeladmin_edit", args=[building.pk])
    data = shown_values(client.get(edit).context["form"])
    data.update(values)
    return client.post(edit, data)


def test_the_form_refuses_coordinates_outside_the_buildings_comune(client, bari_building, bari_officer):
    login_in_english(client, bari_officer)
    response = post_building(client, bari_building, latitude=IN_LECCE[0], longitude=IN_LECCE[1])
    assert response.status_code == 200
    assert response.context["form"].errors["latitude"] == [
        "The point (latitude 40,352700, longitude 18,172300) lies in Lecce, not in Bari: check the coordinates."
    ]
    bari_building.refresh_from_db()
    assert bari_building.latitude is None


def test_the_form_accepts_a_point_in_bari_with_a_decimal_comma(client, bari_building, bari_officer):
    client.force_login(bari_officer)
    response = post_building(client, bari_building, latitude=IN_BARI[0], longitude=IN_BARI[1])
    assert response.status_code == 302
    bari_building.refresh_from_db()
    assert (bari_building.latitude, bari_building.longitude) == (Decimal("41.127000"), Decimal("16.872000"))


def test_the_form_asks_for_both_coordinates(client, bari_building, bari_officer):
    login_in_english(client, bari_officer)
    response = post_building(client, bari_building, latitude=IN_BARI[0], longitude="")
    assert response.context["form"].errors["longitude"] == ["Enter both latitude and longitude, or neither."]


def geocoder_answer(lat, lon):
    response = mock.MagicMock()
    response.__enter__.return_value = io.BytesIO(json.dumps([{"lat": lat, "lon": lon}]).encode())
    return response


def test_without_a_geocoder_the_form_offers_no_address_lookup(client, bari_building, bari_officer, settings):
    settings.PUSH_GEOCODER_URL = ""
    client.force_login(bari_officer)
    edit = reverse("registry_building_modeladmin_edit", args=[bari_building.pk])
    assert "place_from_address" not in client.get(edit).context["form"].fields


def test_the_form_places_a_building_from_its_address(client, bari_building, bari_officer, settings):
    settings.PUSH_GEOCODER_URL = "https://geocoder.example.it/search"
    client.force_login(bari_officer)
    with mock.patch("registry.geo.geocoder.urlopen", return_value=geocoder_answer("41.1270", "16.8720")) as urlopen:
        response = post_building(
            client, bari_building, place_from_address="on", latitude="", longitude="", street="Via Sparano da Bari"
        )
    assert response.status_code == 302
    asked = urlopen.call_args.args[0].full_url
    assert "city=Bari" in asked and "Via+Sparano+da+Bari" in asked
    bari_building.refresh_from_db()
    assert (bari_building.latitude, bari_building.longitude) == (Decimal("41.127000"), Decimal("16.872000"))


def test_an_address_placed_outside_the_comune_is_refused(client, bari_building, bari_officer, settings):
    settings.PUSH_GEOCODER_URL = "https://geocoder.example.it/search"
    login_in_english(client, bari_officer)
    with mock.patch("registry.geo.geocoder.urlopen", return_value=geocoder_answer("40.3527", "18.1723")):
        response = post_building(client, bari_building, place_from_address="on", latitude="", longitude="")
    assert response.status_code == 200
    assert response.context["form"].errors["place_from_address"] == [
        "The geocoder placed this address outside Bari: check the address or enter the coordinates."
    ]
    bari_building.refresh_from_db()
    assert bari_building.latitude is None


# --- placing a building: the units file and the API ------------------------------------------


def file_row(**values):
    record = {column.key: column.example for column in UNITS_FILE_SPEC.columns}
    record.update({"unit_id": "101", "building_id": "F1", "comune_code": LECCE, "manager_code": ""} | values)
    return [record[column.key] for column in UNITS_FILE_SPEC.columns]


def test_the_units_file_refuses_coordinates_outside_the_comune_naming_row_and_column(entities, english):
    owner = Entity.objects.get(code=ARCA_SUD_SALENTO)
    rows = [
        file_row(building_latitude=IN_LECCE[0], building_longitude=IN_LECCE[1]),
        file_row(unit_id="102", building_id="F2", building_latitude=IN_BARI[0], building_longitude=IN_BARI[1]),
    ]
    parsed = validate(Table(headers=UNITS_FILE_SPEC.headers, rows=rows), owner)
    assert [(error.row, error.column, error.value, error.message) for error in parsed.errors] == [
        (
            3,
            "Latitudine",
            "41.127000",
            "The point (latitude 41,127000, longitude 16,872000) lies in Bari, not in Lecce: check the coordinates.",
        )
    ]


def test_an_import_with_a_building_outside_its_comune_writes_nothing(entities):
    owner = Entity.objects.get(code=ARCA_SUD_SALENTO)
    header = ";".join(UNITS_FILE_SPEC.headers)
    line = ";".join(str(cell) for cell in file_row(building_latitude=IN_BARI[0], building_longitude=IN_BARI[1]))
    parsed, result = stock.import_file(content=f"{header}\n{line}\n".encode(), filename="a.csv", owner=owner)
    assert result is None and parsed.errors[0].column == "Latitudine"
    assert not Building.objects.exists()


def test_the_api_refuses_coordinates_outside_the_comune(entities, arca_officer):
    api = APIClient()  # the API answers in Italian, the product's language
    api.force_authenticate(arca_officer)
    record = {
        "unit_id": "A1",
        "building_id": "F-1",
        "comune_code": LECCE,
        "building_street": "Via Giuseppe Fanelli",
        "status": "locato",
        "building_latitude": IN_BARI[0],
        "building_longitude": IN_BARI[1],
    }
    response = api.post("/api/v1/units/bulk-upsert", {"units": [record]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "record": 1,
            "field": "building_latitude",
            "value": "41.127000",
            "message": "Il punto (latitudine 41,127000, longitudine 16,872000) ricade in Bari, non in Lecce: verificare le coordinate.",
        }
    ]
    assert not Building.objects.exists()
    good = api.post(
        "/api/v1/units/bulk-upsert",
        {"units": [record | {"building_latitude": IN_LECCE[0], "building_longitude": IN_LECCE[1]}]},
        format="json",
    )
    assert good.status_code == 200, good.content
    assert Building.objects.get().latitude == Decimal("40.352700")


def test_the_admin_menu_offers_the_map_to_those_who_see_the_building_list(client, entities, arca_officer):
    # The side menu is carried as the sidebar's JSON.
    item = '"name": "registry-map"'
    client.force_login(arca_officer)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert item in page and f'"url": "{reverse(MAP)}"' in page

    # An officer of the calls only, of the same ARCA, has the admin but not the register.
    client.force_login(member(ARCA_SUD_SALENTO, Role.OFFICER, Area.CALLS))
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200 and item not in response.content.decode()
