"""The Chart snippet: what an editor may save, who may manage charts, revisions and preview
(issue 11). On the stand-in catalogue of test_pages.py."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dashboards.models import Chart
from registry import roles
from registry.models import Area, Role
from tests.conftest import BARI, REGION
from tests.dashboards import test_pages
from tests.dashboards.test_pages import make_chart
from tests.factories import member

catalogue = test_pages.catalogue  # the fixture


@pytest.fixture
def editor(entities):
    roles.sync_role_groups()
    return member(REGION, Role.EDITOR)


def chart_form(**fields):
    return {
        "title": "Alloggi per Comune",
        "indicator": "units_by_comune",
        "kind": "map",
        "parameters": '{"province": "BA"}',
        "caption": "Gli alloggi ERP per Comune.",
        "source_note": "Anagrafe PUSH",
        "text_alternative": "Mappa: Bari ha più alloggi.",
        "show_buildings": "on",
        **fields,
    }


@pytest.mark.parametrize(
    "fields,wrong",
    [
        ({"parameters": {"comune": "072006"}}, "parameters"),  # not declared by the indicator
        ({"parameters": ["BA"]}, "parameters"),
        ({"parameters": {"province": {"code": "BA"}}}, "parameters"),
        ({"parameters": {"province": "XX"}}, "parameters"),  # the indicators' own check of values
        ({"parameters": {"arca": "072006"}}, "parameters"),  # a Comune is no ARCA
        ({"show_buildings": True}, "show_buildings"),  # a bar chart has no buildings
        ({"text_alternative": ""}, "text_alternative"),  # the image's alt is required
        ({"indicator": "no_such_indicator"}, "indicator"),
    ],
)
def test_a_chart_is_refused_what_its_indicator_does_not_take(entities, catalogue, fields, wrong):
    chart = Chart(
        **{"title": "Alloggi", "indicator": "units_by_comune", "kind": "bar", "text_alternative": "Barre.", **fields}
    )
    with pytest.raises(ValidationError) as refused:
        chart.full_clean()
    assert wrong in refused.value.message_dict


def test_a_chart_with_declared_parameters_is_saved(catalogue):
    chart = Chart(
        title="Alloggi",
        indicator="units_by_comune",
        kind="map",
        text_alternative="Mappa.",
        parameters={"year": 2025},
        show_buildings=True,
    )
    chart.full_clean()


def test_the_regions_editors_manage_charts_with_revisions(client, editor, catalogue):
    client.force_login(editor)
    viewset = Chart.snippet_viewset
    assert client.get(reverse(viewset.get_url_name("list"))).status_code == 200
    response = client.post(reverse(viewset.get_url_name("add")), chart_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    chart = Chart.objects.get()
    assert chart.parameters == {"province": "BA"} and chart.latest_revision is not None
    edited = client.post(reverse(viewset.get_url_name("edit"), args=[chart.pk]), chart_form(title="Alloggi ERP"))
    assert edited.status_code == 302
    assert chart.revisions.count() == 2


def test_an_undeclared_parameter_is_refused_in_the_form(client, editor, catalogue):
    client.force_login(editor)
    response = client.post(reverse(Chart.snippet_viewset.get_url_name("add")), chart_form(parameters='{"call": 1}'))
    assert response.status_code == 200 and not Chart.objects.exists()


def test_entity_officers_do_not_manage_charts(client, entities, catalogue):
    roles.sync_role_groups()
    client.force_login(member(BARI, Role.OFFICER, Area.CALLS))
    viewset = Chart.snippet_viewset
    for url in (reverse(viewset.get_url_name("list")), reverse(viewset.get_url_name("add"))):
        assert client.get(url).status_code in (302, 403), url
    assert client.post(reverse(viewset.get_url_name("add")), chart_form()).status_code in (302, 403)
    assert not Chart.objects.exists()


def test_the_preview_shows_the_chart_as_a_dashboard_does(client, editor, catalogue):
    client.force_login(editor)
    url = reverse(Chart.snippet_viewset.get_url_name("preview_on_add"))
    posted = client.post(url, chart_form(kind="bar", show_buildings=""))
    assert posted.json()["is_valid"] is True
    html = client.get(url).content.decode()
    assert 'src="data:image/png;base64,' in html
    assert 'alt="Mappa: Bari ha più alloggi."' in html
    assert '<th scope="row">Bari</th>' in html and "1.234" in html
    assert "Provincia: BA" in html or "Province: BA" in html


def test_the_preview_of_a_saved_chart(client, editor, catalogue):
    chart = make_chart(kind="donut")
    client.force_login(editor)
    url = reverse(Chart.snippet_viewset.get_url_name("preview_on_edit"), args=[chart.pk])
    assert client.post(url, chart_form(kind="donut", show_buildings="", parameters="{}")).json()["is_valid"]
    assert 'src="data:image/png;base64,' in client.get(url).content.decode()


def test_the_preview_of_a_map_with_its_buildings(client, editor, catalogue):
    client.force_login(editor)
    url = reverse(Chart.snippet_viewset.get_url_name("preview_on_add"))
    assert client.post(url, chart_form()).json()["is_valid"] is True
    html = client.get(url).content.decode()
    assert 'src="data:image/png;base64,' in html and "Confini: Openpolis su dati ISTAT, CC BY 4.0" in html
