"""Who reads a dashboard, from the attacker's side: anonymous readers never reach a restricted
dashboard or its images and files; an entity's officer gets only its own entity's figures,
whatever the URL says; images are revalidated with their ETag (issue 11).

On the stand-in catalogue of test_pages.py, whose figures follow the Audience like the real
catalogue's (the real one: test_dashboard_access_real.py)."""

import pytest
from django.urls import reverse

from dashboards.models import DashboardAudience
from registry.models import Area, Role
from tests.conftest import ARCA_SUD_SALENTO, BARI, LECCE
from tests.dashboards import test_pages
from tests.dashboards.test_pages import chart_block, csv_rows, data_url, image_url, make_chart, make_dashboard
from tests.factories import member

catalogue, home = test_pages.catalogue, test_pages.home  # the fixtures


@pytest.fixture
def entity_dashboard(home, catalogue):
    return make_dashboard(
        home,
        [chart_block(make_chart(indicator="applicants_by_comune", title="Richiedenti per Comune"))],
        audience=DashboardAudience.ENTITY,
        title="Bando affitti",
    )


@pytest.fixture
def regional_dashboard(home, catalogue):
    return make_dashboard(
        home,
        [chart_block(make_chart(indicator="applicants_by_comune"))],
        audience=DashboardAudience.REGIONAL,
        title="Riservato alla Regione",
    )


@pytest.fixture
def officers(entities):
    return {
        "bari": member(BARI, Role.OFFICER, Area.CALLS),
        "lecce": member(LECCE, Role.LEGAL_REPRESENTATIVE),
    }


@pytest.mark.parametrize("fixture", ["entity_dashboard", "regional_dashboard"])
def test_anonymous_readers_never_reach_a_restricted_dashboard(client, entities, request, fixture, catalogue):
    page = request.getfixturevalue(fixture)
    response = client.get(page.url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
    for url in (image_url(page), image_url(page, query="?format=svg"), data_url(page), data_url(page, "xlsx")):
        assert client.get(url).status_code == 404, url
    assert catalogue.computed == []


def test_an_officer_reads_no_dashboard_restricted_to_the_region(client, regional_dashboard, officers, catalogue):
    client.force_login(officers["bari"])
    assert client.get(regional_dashboard.url).status_code == 404
    assert client.get(image_url(regional_dashboard)).status_code == 404
    assert client.get(data_url(regional_dashboard)).status_code == 404
    assert catalogue.computed == []


@pytest.mark.parametrize("me,mine,theirs", [("bari", "Bari", "Lecce"), ("lecce", "Lecce", "Bari")])
def test_each_officer_gets_only_its_own_entitys_figures(client, entity_dashboard, officers, entities, me, mine, theirs):
    client.force_login(officers[me])
    other = entities[LECCE if me == "bari" else BARI]
    arca = entities[ARCA_SUD_SALENTO]
    # Whatever the URL asks for: another entity's id or code, an ARCA, a wider audience.
    for query in ("", f"?entity={other.pk}", f"?comune={other.code}", f"?arca={arca.code}", "?audience=regional"):
        html = client.get(entity_dashboard.url + query).content.decode()
        assert f'<th scope="row">{mine}</th>' in html, query
        assert f'<th scope="row">{theirs}</th>' not in html, query
        rows = csv_rows(client.get(data_url(entity_dashboard, query=query)))
        assert [row[0] for row in rows[1:]] == [mine], query
        assert client.get(image_url(entity_dashboard, query=query)).status_code == 200


def test_two_officers_never_share_an_image(client, entity_dashboard, officers, catalogue):
    etags = {}
    for name, officer in officers.items():
        client.force_login(officer)
        catalogue.computed.clear()
        response = client.get(image_url(entity_dashboard))
        assert response.status_code == 200 and response["Cache-Control"].startswith("no-cache, private")
        etags[name] = response["ETag"]
        # Drawn for this officer (not served from the other's cached image).
        assert [audience.entity_ids for _key, _params, audience in catalogue.computed] == [
            frozenset(officer.memberships.values_list("entity_id", flat=True))
        ]
    assert etags["bari"] != etags["lecce"]


def test_the_region_reads_every_entitys_figures(region_admin_client, entity_dashboard):
    html = region_admin_client.get(entity_dashboard.url).content.decode()
    assert '<th scope="row">Bari</th>' in html and '<th scope="row">Lecce</th>' in html


def test_an_image_is_revalidated_with_its_etag_and_drawn_once(client, home, catalogue):
    page = make_dashboard(home, [chart_block(make_chart())], title="Pubblico")
    first = client.get(image_url(page))
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert len(catalogue.computed) == 1
    again = client.get(image_url(page), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    # Another browser, same image: from the shared cache, not computed again.
    assert client.get(image_url(page)).content == first.content
    assert len(catalogue.computed) == 1
    # The data changed: a new version, a new ETag, the image drawn again.
    catalogue.versions["units_by_comune"] = "v2"
    changed = client.get(image_url(page), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert len(catalogue.computed) == 2


def test_an_edited_chart_is_drawn_again(client, home, catalogue):
    chart = make_chart()
    page = make_dashboard(home, [chart_block(chart)], title="Pubblico")
    first = client.get(image_url(page))
    chart.title = "Alloggi ERP per Comune"
    chart.save()
    assert client.get(image_url(page), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_draft_dashboard_serves_no_image(client, home, catalogue):
    page = make_dashboard(home, [chart_block(make_chart())], title="Bozza")
    page.unpublish()
    assert client.get(image_url(page)).status_code == 404
    assert client.get(data_url(page)).status_code == 404


def test_a_signed_in_download_writes_its_audit_entry(client, entity_dashboard, officers):
    from wagtail.models import ModelLogEntry

    client.force_login(officers["bari"])
    client.get(data_url(entity_dashboard))
    entry = ModelLogEntry.objects.get(action="push.export")
    assert entry.user_id == officers["bari"].pk and entry.data["rows"] == 1


def test_a_maps_buildings_are_the_readers_own_in_the_charts_territory(small_register, entities):
    from dashboards.results import Audience
    from dashboards.views import building_points
    from registry.models import Building

    Building.objects.update(latitude=41.1, longitude=16.8)
    bari, arca = entities[BARI], entities[ARCA_SUD_SALENTO]
    owned = {owner: Building.objects.filter(owner=owner).count() for owner in (bari, arca)}
    assert len(building_points(Audience(entity_ids=frozenset({bari.pk})))) == owned[bari]
    assert len(building_points(Audience(entity_ids=frozenset({arca.pk})))) == owned[arca]
    assert building_points(Audience(entity_ids=frozenset({bari.pk})), {"province": "LE"}) == []
    everything = len(building_points(Audience()))
    assert everything == Building.objects.count() > owned[bari] + owned[arca] - 1
    assert len(building_points(Audience(), {"comune": LECCE})) == Building.objects.filter(comune__code=LECCE).count()
