"""Every filter of every endpoint (core.api.FilterBackend) refuses a value no database column
can hold with a 400 problem, instead of letting the database raise a 500."""

import pytest

from tests.api.conftest import PROBLEM
from tests.conftest import BARI


@pytest.mark.parametrize(
    "query",
    [
        "building=99999999999999999999999",
        "building=1e30",
        "updated_since=9999-12-31T23:59:59-10:00",
        "updated_since=0001-01-01T00:00:00%2B10:00",
    ],
)
def test_unit_filters_beyond_the_database_are_400(entities, bari_officer, api, load_stock, query):
    load_stock(BARI, 3)
    api.force_authenticate(bari_officer)
    response = api.get(f"/api/v1/units?{query}")
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert list(response.json()["errors"]) == [query.split("=")[0]]


def test_call_and_submission_filters_beyond_the_database_are_400(entities, reviewer, api):
    assert api.get("/api/v1/calls?year=99999999999999999999").status_code == 400
    api.force_authenticate(reviewer)
    assert api.get("/api/v1/submissions?call=99999999999999999999").status_code == 400
    assert api.get("/api/v1/submissions?call=7").status_code == 200
