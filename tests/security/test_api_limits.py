"""One client must not be able to take the API down: throttles per client address and per
user, a largest page, a largest JSON body (refused before it is read), and the open counts
served from the shared cache yet never stale."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.api import LimitOffsetPagination
from registry.models import Unit
from registry.stock import selectors
from registry.stock import services as stock
from tests.conftest import ARCA_SUD_SALENTO, LECCE

UNITS, BULK, COUNTS = "/api/v1/units", "/api/v1/units/bulk-upsert", "/api/v1/stock/counts"
PROBLEM = "application/problem+json"


@pytest.fixture
def tiny_rates(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "3/min"}}


# --- throttles ----------------------------------------------------------------------------


def test_anonymous_calls_beyond_the_rate_get_429(api, entities, tiny_rates):
    statuses = [api.get(COUNTS).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get(COUNTS)
    assert response.status_code == 429
    assert response["Content-Type"] == PROBLEM and response.json()["status"] == 429
    assert int(response["Retry-After"]) > 0


def test_a_forged_forwarded_for_header_does_not_reset_the_anonymous_count(api, entities, tiny_rates):
    for _ in range(3):
        assert api.get(COUNTS).status_code == 200
    assert api.get(COUNTS, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429


def test_a_user_beyond_the_rate_gets_429_and_others_do_not(api, entities, tiny_rates, arca_officer, bari_officer):
    api.force_authenticate(arca_officer)
    assert [api.get(UNITS).status_code for _ in range(4)] == [200, 200, 200, 429]
    api.force_authenticate(bari_officer)
    assert api.get(UNITS).status_code == 200


def test_throttles_are_on_by_default(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "core.api.AnonymousThrottle",
        "core.api.UserThrottle",
    ]
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"anon": "120/minute", "user": "1200/minute"}


# --- largest page -------------------------------------------------------------------------


def test_a_huge_limit_gives_at_most_the_largest_page(api, entities, load_stock, arca_officer, settings):
    load_stock(ARCA_SUD_SALENTO, 12)
    settings.PUSH_API_MAX_PAGE_SIZE = 5
    api.force_authenticate(arca_officer)
    body = api.get(UNITS, {"limit": 100000}).json()
    assert body["count"] == 12 and len(body["results"]) == 5


def test_the_largest_page_is_500_by_default():
    assert LimitOffsetPagination().max_limit == 500


# --- largest JSON body --------------------------------------------------------------------


def test_an_oversized_body_gets_413_without_being_parsed(api, entities, arca_officer, settings, monkeypatch):
    from rest_framework import parsers

    parsed = []
    original = parsers.JSONParser.parse
    monkeypatch.setattr(parsers.JSONParser, "parse", lambda *args, **kwargs: parsed.append(1) or original(*args))
    settings.PUSH_MAX_JSON_BYTES = 1000
    api.force_authenticate(arca_officer)
    body = '{"units": [' + ",".join(['{"unit_id": "x"}'] * 200) + "]}"
    response = api.generic("POST", BULK, body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert "1000" in response.json()["detail"]
    assert parsed == []
    assert not Unit.objects.exists()


def test_a_body_lying_about_its_length_is_read_no_further_than_the_limit(api, entities, arca_officer, settings):
    """Django never lets a view read past CONTENT_LENGTH; the parser reads at most the limit."""
    settings.PUSH_MAX_JSON_BYTES = 1000
    api.force_authenticate(arca_officer)
    body = '{"units": [' + ",".join(['{"unit_id": "x"}'] * 200) + "]}"
    response = api.generic("POST", BULK, body, content_type="application/json", CONTENT_LENGTH="10")
    assert response.status_code == 400  # ten bytes of JSON: a parse error, nothing more was read


def test_a_body_within_the_limit_is_read(api, entities, arca_officer, settings):
    settings.PUSH_MAX_JSON_BYTES = 10_000
    api.force_authenticate(arca_officer)
    record = {"unit_id": "A1", "building_id": "F-1", "comune_code": LECCE, "building_street": "Via Roma"}
    response = api.post(BULK, {"units": [{**record, "status": "locato"}]}, format="json")
    assert response.status_code == 200, response.content


# --- cached open counts ---------------------------------------------------------------------


def lecce_units(api):
    return sum(row["units"] for row in api.get(COUNTS, {"comune": LECCE}).json())


def test_counts_are_served_from_the_cache(api, entities, load_stock, django_assert_num_queries):
    load_stock(ARCA_SUD_SALENTO, 10)
    first = api.get(COUNTS).json()
    with django_assert_num_queries(0):
        assert api.get(COUNTS).json() == first


def units_file(unit_id, comune, status="locato"):
    from registry.stock.spec import UNIT_COLUMNS

    headers = [column.header for column in UNIT_COLUMNS]
    values = {"unit_id": unit_id, "building_id": "F-1", "comune_code": comune, "building_street": "Via Roma"}
    values["status"] = status
    row = [values.get(column.key, "") for column in UNIT_COLUMNS]
    return (";".join(headers) + "\r\n" + ";".join(row) + "\r\n").encode()


def test_counts_change_right_after_an_import(api, entities, django_capture_on_commit_callbacks):
    assert lecce_units(api) == 0
    with django_capture_on_commit_callbacks(execute=True):
        stock.import_file(content=units_file("A1", LECCE), filename="a.csv", owner=entities[ARCA_SUD_SALENTO])
    assert lecce_units(api) == 1


def test_counts_change_right_after_an_api_write(api, entities, arca_officer, django_capture_on_commit_callbacks):
    assert lecce_units(api) == 0
    writer = APIClient()
    writer.force_authenticate(arca_officer)
    record = {"unit_id": "A1", "building_id": "F-1", "comune_code": LECCE, "building_street": "Via Roma"}
    with django_capture_on_commit_callbacks(execute=True):
        assert writer.post(BULK, {"units": [{**record, "status": "locato"}]}, format="json").status_code == 200
    assert lecce_units(api) == 1


def test_counts_change_right_after_an_admin_edit(
    api, client, entities, arca_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stock.import_file(content=units_file("A1", LECCE), filename="a.csv", owner=entities[ARCA_SUD_SALENTO])
    assert [row["status"] for row in api.get(COUNTS, {"comune": LECCE}).json()] == ["let"]
    unit = Unit.objects.get()
    client.force_login(arca_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry_unit_modeladmin_edit", args=[unit.pk]),
            {"status": "vacant_ready", "use": unit.use, "accessible": ""},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [row["status"] for row in api.get(COUNTS, {"comune": LECCE}).json()] == ["vacant_ready"]


def test_the_cache_key_is_the_data_version_not_a_timer(entities, django_capture_on_commit_callbacks):
    from registry.stock.writer import stock_changed, stock_version

    before = stock_version()
    with django_capture_on_commit_callbacks(execute=True):
        stock_changed()
    assert stock_version() != before
    assert json.dumps(selectors.cached_counts()) == "[]"
