"""The lists of interventions cost the same queries however many interventions they show."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import ARCA_SUD_SALENTO

from .conftest import fund


def _cost(get):
    get()  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert get().status_code == 200
    return len(queries)


def test_the_admin_list_and_the_api_list_do_not_grow_with_the_interventions(
    client, arca_officer, region_admin, programme, salento_intervention
):
    client.force_login(arca_officer)
    api = APIClient()
    api.force_authenticate(arca_officer)
    index = reverse("programmes_intervention_modeladmin_index")
    pages = {
        "admin": lambda: client.get(index),
        "api": lambda: api.get("/api/v1/interventions"),
        "programmes": lambda: api.get("/api/v1/programmes"),
    }
    before = {name: _cost(get) for name, get in pages.items()}
    for number in range(6):
        fund(programme, ARCA_SUD_SALENTO, f"Altro {number}", region_admin)
    after = {name: _cost(get) for name, get in pages.items()}
    assert after == before
