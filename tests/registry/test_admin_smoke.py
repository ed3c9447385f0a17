import pytest
from django.urls import reverse

from tests.conftest import BARI


@pytest.mark.parametrize(
    "name",
    [
        "registry_entity_modeladmin_index",
        "registry_membership_modeladmin_index",
        "registry_accreditationrequest_modeladmin_index",
    ],
)
def test_region_admin_lists_render(client, region_admin, name):
    client.force_login(region_admin)
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_entity_inspect_edit_history_render_for_region(client, region_admin, entities):
    client.force_login(region_admin)
    pk = entities[BARI].pk
    for action in ("inspect", "edit", "history"):
        response = client.get(reverse(f"registry_entity_modeladmin_{action}", args=[pk]))
        assert response.status_code == 200, action
