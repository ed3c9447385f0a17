"""/api/v1/open-data: the public indicators with their data dictionary and licence, each one's
table as JSON and as an Italian CSV, computed for the public whoever asks (small counts
suppressed, restricted indicators absent), errors as problem+json."""

import pytest
from rest_framework.authtoken.models import Token

from dashboards import indicators
from dashboards.results import Level
from tests.api.conftest import PROBLEM
from tests.conftest import BARI, LECCE
from tests.dashboards.conftest import GALLIPOLI

LIST = "/api/v1/open-data"


def url(key):
    return f"/api/v1/open-data/{key}"


def csv_lines(response):
    return response.content.decode("utf-8-sig").splitlines()


def test_the_listing_gives_the_public_indicators_with_dictionary_and_licence(api, db):
    response = api.get(LIST)
    assert response.status_code == 200
    listed = {item["key"]: item for item in response.json()}
    public = {key for key, indicator in indicators.INDICATORS.items() if indicator.level == Level.PUBLIC}
    assert set(listed) == public
    item = listed["stock_by_comune"]
    assert item["licence"]["name"] == "CC BY 4.0"
    assert [parameter["name"] for parameter in item["parameters"]] == ["province", "arca"]
    assert {field["name"] for field in item["fields"]} == {"code", "category", "units"}
    assert item["csv_url"].endswith("/api/v1/open-data/stock_by_comune?format=csv")
    assert item["url"].endswith("/api/v1/open-data/stock_by_comune")


def test_an_indicator_as_json_with_small_counts_suppressed(api, small_register):
    response = api.get(url("stock_by_comune"), {"province": "LE"})
    assert response.status_code == 200
    body = response.json()
    values = dict(zip(body["codes"], body["series"][0]["values"]))
    assert values == {LECCE: None, GALLIPOLI: None}
    assert body["suppressed"] == 2 and body["note"]
    assert body["parameters"] == {"province": "LE"}
    assert body["licence"]["name"] == "CC BY 4.0"
    everywhere = api.get(url("stock_by_comune")).json()
    assert dict(zip(everywhere["codes"], everywhere["series"][0]["values"]))[BARI] == 24


def test_rates_are_decimal_text(api, small_register):
    body = api.get(url("stock_per_1000_residents")).json()
    value = dict(zip(body["codes"], body["series"][0]["values"]))[BARI]
    assert isinstance(value, str) and "." in value


@pytest.mark.parametrize("headers,query", [({"HTTP_ACCEPT": "text/csv"}, {}), ({}, {"format": "csv"})])
def test_an_indicator_as_an_italian_csv_with_the_same_numbers(api, small_register, headers, query):
    response = api.get(url("stock_by_status"), query, **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = csv_lines(response)
    assert lines[0] == "code;category;units"
    rows = {line.split(";")[0]: line.split(";")[2] for line in lines[1:]}
    assert rows["let"] == "27"
    assert rows["vacant_ready"] == ""  # 4: hidden
    assert rows["for_sale"] == "0"


def test_csv_amounts_have_the_decimal_comma(api, small_register):
    lines = csv_lines(api.get(url("stock_per_1000_residents"), {"format": "csv"}))
    bari = next(line for line in lines if line.startswith(BARI))
    assert "," in bari.split(";")[2]


def test_signed_in_readers_get_the_same_open_data(api, small_register, bari_officer, region_admin):
    anonymous = api.get(url("stock_by_status")).json()
    for user in (bari_officer, region_admin):
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        assert api.get(url("stock_by_status")).json() == anonymous


def test_restricted_and_unknown_indicators_are_not_found(api, small_register):
    for key in ("register_completeness", "call_participation", "nothing"):
        response = api.get(url(key))
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM
        assert api.get(url(key), {"format": "csv"}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [{"province": "XX"}, {"comune": BARI}, {"call": "1"}, {"colour": "red"}, {"arca": "999999"}],
)
def test_wrong_parameters_are_a_problem_400_naming_them(api, small_register, query):
    response = api.get(url("stock_by_comune"), query)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert set(response.json()["errors"]) == set(query)


def test_errors_are_problem_json_when_the_csv_was_asked_for(api, small_register):
    for query in ({"format": "csv", "province": "XX"}, {"format": "csv", "call": "1"}):
        response = api.get(url("stock_by_comune"), query)
        assert response.status_code == 400
        assert response["Content-Type"] == PROBLEM
        assert response.json()["status"] == 400
    response = api.get(url("register_completeness"), {"format": "csv"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 404 and response.json()["status"] == 404


def test_a_format_it_does_not_write_is_a_problem_404(api, small_register):
    response = api.get(url("stock_by_owner"), {"format": "xml"})
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


def test_an_unpublished_riparto_is_no_open_data(api, call_figures):
    from calls.models import Call

    assert api.get(url("call_allocation_by_comune")).status_code == 200
    Call.objects.filter(pk=call_figures.pk).update(riparto_published_at=None)
    response = api.get(url("call_allocation_by_comune"), {"call": str(call_figures.pk)})
    assert response.status_code == 400 and "call" in response.json()["errors"]


def test_the_schema_documents_the_open_data(api, db):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/v1/open-data" in paths
    detail = paths["/api/v1/open-data/{key}"]["get"]
    assert set(detail["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert PROBLEM in detail["responses"]["400"]["content"]
