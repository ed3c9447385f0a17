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


def test_dashboard_shows_pending_requests_to_the_region_only(client, region_admin, bari_legal_rep, entities, pdf_file):
    from registry.models import Role
    from registry.services import AccreditationApplication, submit_accreditation_request
    from tests.factories import valid_fiscal_code

    submit_accreditation_request(
        AccreditationApplication(
            first_name="Ada",
            last_name="Pendente",
            email="ada@example.it",
            fiscal_code=valid_fiscal_code(),
            entity=entities[BARI],
            role=Role.LEGAL_REPRESENTATIVE,
            area="",
            designation_act=pdf_file(),
        )
    )
    client.force_login(region_admin)
    assert "Ada Pendente" in client.get("/admin/").content.decode()
    client.force_login(bari_legal_rep)
    assert "Ada Pendente" not in client.get("/admin/").content.decode()


def test_export_follows_the_active_filters_in_italian_csv(client, region_admin, entities):
    client.force_login(region_admin)
    response = client.get(reverse("registry_entity_modeladmin_index") + "?kind__exact=arca&export=csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 1 + 5
    assert lines[0].split(";")[0] == "Codice PUSH"
    assert any(line.startswith("750000;ARCA Sud Salento;Agenzia per la casa (ARCA);Lecce") for line in lines)


def test_xlsx_export_follows_the_active_filters(client, region_admin, entities):
    import io

    import openpyxl

    client.force_login(region_admin)
    response = client.get(
        reverse("registry_entity_modeladmin_index") + "?province__exact=BT&kind__exact=comune&export=xlsx"
    )
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 10
    assert {row[3] for row in rows[1:]} == {"Barletta-Andria-Trani"}
