"""The demo dashboards (load_demo_data) on the real catalogue of indicators: the public
"Patrimonio ERP in Puglia" and the "Bando affitti" dashboard, where each Comune's people see
their own figures only (issue 11)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from dashboards.models import Chart, DashboardAudience, DashboardPage
from tests.dashboards.test_pages import block_ids, csv_rows, data_url, image_url


@pytest.fixture
def demo(db):
    call_command("load_demo_data", stock_scale=0.002)
    return {
        "public": DashboardPage.objects.get(slug="patrimonio-erp-in-puglia"),
        "calls": DashboardPage.objects.get(slug="bando-affitti"),
    }


def test_the_demo_loads_two_dashboards_once(demo):
    assert demo["public"].audience == DashboardAudience.PUBLIC and demo["public"].live
    assert demo["calls"].audience == DashboardAudience.ENTITY and demo["calls"].live
    charts = Chart.objects.count()
    call_command("load_demo_data", stock_scale=0.002)
    assert Chart.objects.count() == charts and DashboardPage.objects.count() == 2


def test_the_public_dashboard_shows_its_charts_tables_and_files(client, demo, django_assert_max_num_queries):
    page = demo["public"]
    client.get(page.url)
    with django_assert_max_num_queries(24):
        response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<img ") >= 3 and html.count("<table") == 3
    assert "Confini: Openpolis su dati ISTAT, CC BY 4.0" in html
    assert "Alloggi ERP censiti" in html
    for index in range(len(block_ids(page))):
        image = client.get(image_url(page, index))
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        assert client.get(data_url(page, index=index)).status_code == 200
    # A province filter narrows the per-Comune map's table and file.
    everything = csv_rows(client.get(data_url(page, index=2)))
    bari_only = csv_rows(client.get(data_url(page, index=2, query="?province=BA")))
    assert 1 < len(bari_only) < len(everything)
    assert {row[1][:3] for row in bari_only[1:]} == {"072"}


def test_the_calls_dashboard_is_the_regions_and_each_comunes_own(client, demo):
    page = demo["calls"]
    response = client.get(page.url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
    assert client.get(image_url(page)).status_code == 404
    users = get_user_model().objects
    client.force_login(users.get(username="regione.admin"))
    regional = csv_rows(client.get(data_url(page, query="?year=2024")))
    client.force_login(users.get(username="bari.referente"))
    assert client.get(page.url).status_code == 200
    own = csv_rows(client.get(data_url(page, query="?year=2024")))
    assert {row[0] for row in own[1:]} <= {"Bari"}
    assert len(regional) >= len(own)


def test_the_accessibility_check_finds_the_public_dashboard(client, demo):
    """scripts/check_accessibility.py asks the headless API for it (axe-core then checks it)."""
    response = client.get("/api/v2/pages/?type=dashboards.DashboardPage&slug=patrimonio-erp-in-puglia&limit=1")
    items = response.json()["items"]
    assert response.status_code == 200 and items[0]["meta"]["html_url"].endswith("/patrimonio-erp-in-puglia/")


def test_a_key_figure_compares_the_last_two_snapshots(client, entities, region_admin):
    """Real catalogue: units at each yearly snapshot; the figure is the latest with its change."""
    import datetime

    from cms import demo as site
    from registry.stock import services as stock
    from tests.conftest import BARI, LECCE
    from tests.dashboards.conftest import write_units

    write_units(BARI, [(BARI, "let", 12)])
    stock.take_snapshot(reference_date=datetime.date(2024, 12, 31), taken_by=region_admin)
    write_units(LECCE, [(LECCE, "let", 8)])
    stock.take_snapshot(reference_date=datetime.date(2025, 12, 31), taken_by=region_admin)
    page = DashboardPage(
        title="Patrimonio",
        slug="patrimonio",
        body=[("kpi", {"indicator": "stock_by_year", "label": "Alloggi censiti", "parameters": {}})],
    )
    site.load().add_child(instance=page)
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "Alloggi censiti" in html and ">20<" in html
    assert "+8" in html and "2024" in html


def test_the_headless_api_gives_each_charts_addresses(client, demo):
    page = demo["public"]
    data = client.get(f"/api/v2/pages/{page.pk}/").json()
    assert data["audience"] == "public" and len(data["charts"]) == 3
    first = data["charts"][0]
    assert first["image"] == image_url(page) and first["csv"] == data_url(page) and first["text_alternative"]
    assert client.get(first["image"]).status_code == 200


def test_an_editor_opens_a_dashboard_in_the_admin(client, demo):
    client.force_login(get_user_model().objects.get(username="regione.redattore"))
    response = client.get(reverse("wagtailadmin_pages:edit", args=[demo["public"].pk]))
    assert response.status_code == 200
    assert "stock_per_1000_residents" in response.content.decode()  # the key figure's indicator choices


def test_an_editor_previews_a_restricted_dashboard(client, demo):
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    page = demo["calls"]
    client.force_login(get_user_model().objects.get(username="regione.redattore"))
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "intro": rich_text("<p>Anteprima.</p>"),
            "audience": "entity",
            "body": streamfield([("text", rich_text("<p>Testo in anteprima.</p>"))]),
        }
    )
    assert client.post(url, data).json()["is_valid"] is True
    response = client.get(url)
    assert response.status_code == 200 and "Testo in anteprima." in response.content.decode()
