"""Listing pages make a fixed number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import Area, Role
from tests.conftest import BARI, LECCE
from tests.factories import member


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name",
    [
        "registry_membership_modeladmin_index",
        "registry_accreditationrequest_modeladmin_index",
        "registry_entity_modeladmin_index",
    ],
)
def test_listing_query_count_does_not_grow_with_rows(client, region_admin, entities, name, pdf_file):
    from registry.services import AccreditationApplication, submit_accreditation_request
    from tests.factories import valid_fiscal_code

    client.force_login(region_admin)
    url = reverse(name)

    def add_rows(how_many):
        for index in range(how_many):
            member(BARI if index % 2 else LECCE, Role.OFFICER, Area.CALLS)
            submit_accreditation_request(
                AccreditationApplication(
                    first_name="A",
                    last_name=f"B{index}",
                    email=f"a{index}-{name[:5]}@example.it",
                    fiscal_code=valid_fiscal_code(),
                    entity=entities[LECCE],
                    role=Role.OFFICER,
                    area=Area.HELPDESK,
                    designation_act=pdf_file(),
                )
            )

    add_rows(3)
    count_queries(client, url)  # warm caches (content types, site)
    few = count_queries(client, url)
    add_rows(30)
    many = count_queries(client, url)
    assert many == few
    assert many <= 20
