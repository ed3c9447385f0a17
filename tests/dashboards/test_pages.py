"""Dashboard pages: charts with their images, accessible tables and files, key figures and
filters in the URL (issue 11).

These tests run on a small catalogue of two indicators standing in for dashboards.indicators
(`catalogue`), whose figures depend on the reader's Audience like the real ones, so that what
the page does with them is checked exactly; the real catalogue is exercised in
tests/dashboards/test_dashboard_access_real.py."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dashboards import indicators
from dashboards.models import Chart, DashboardAudience, DashboardPage
from dashboards.results import Audience, CategoryKind, Level, Result, Series, Unit
from registry import access
from registry.models import Entity
from tests.conftest import BARI, LECCE

# --- a stand-in catalogue -------------------------------------------------------------------


@dataclass
class FakeIndicator:
    key: str
    title: str
    level: Level
    parameters: tuple
    unit: Unit = Unit.COUNT
    category_kind: CategoryKind = CategoryKind.COMUNE
    description: str = ""
    sources: tuple = ()
    default_kind: str = "bar"

    @property
    def is_public(self) -> bool:
        return self.level == Level.PUBLIC


class Catalogue:
    """Units per Comune owned by each entity: Bari 1.234 (+10 a year), Lecce 3 (a small count)."""

    def __init__(self):
        self.INDICATORS = {
            "units_by_comune": FakeIndicator(
                "units_by_comune", "Units by Comune", Level.PUBLIC, ("year", "province", "arca")
            ),
            "applicants_by_comune": FakeIndicator(
                "applicants_by_comune", "Applicants by Comune", Level.RESTRICTED, ("year", "call")
            ),
        }
        self.versions = {"units_by_comune": "v1", "applicants_by_comune": "v1"}
        self.computed = []

    def get(self, key):
        return self.INDICATORS[key]

    def audience_for(self, user):
        granted = access.access_for(user)
        if granted.regional:
            return Audience()
        if granted.own_entity_ids:
            return Audience(entity_ids=frozenset(granted.own_entity_ids))
        return Audience(public=True)

    def data_version(self, key):
        return self.versions[key]

    def compute(self, key, *, params, audience):
        indicator = self.INDICATORS[key]
        self.computed.append((key, dict(params), audience))
        unknown = set(params) - set(indicator.parameters)
        if unknown:
            raise ValidationError(f"unknown {unknown}")
        if audience.public and indicator.level != Level.PUBLIC:
            raise PermissionDenied
        year = int(params.get("year", 2026))
        rows = []
        for entity in Entity.objects.filter(code__in=[BARI, LECCE]).order_by("code"):
            if audience.entity_ids is not None and not audience.public and entity.pk not in audience.entity_ids:
                continue
            if params.get("province") and entity.province != params["province"]:
                continue
            value = 1234 + 10 * (year - 2026) if entity.code == BARI else 3
            if audience.public and value < 5:
                value = None
            rows.append((entity.name, entity.code, value))
        return Result(
            indicator=key,
            title=indicator.title,
            unit=indicator.unit,
            category_kind=indicator.category_kind,
            categories=[name for name, _code, _value in rows],
            codes=[code for _name, code, _value in rows],
            series=[Series(key="units", label="Alloggi", values=[value for *_rest, value in rows])],
            parameters=dict(params, year=year),
            source="Anagrafe del patrimonio PUSH",
        )


@pytest.fixture
def catalogue(monkeypatch):
    from django.urls import get_resolver

    # The URLs (and what other modules read of the real catalogue when they load) first.
    get_resolver().url_patterns  # noqa: B018
    fake = Catalogue()
    for name in ("INDICATORS", "get", "compute", "audience_for", "data_version"):
        monkeypatch.setattr(indicators, name, getattr(fake, name), raising=False)
    return fake


# --- dashboards -------------------------------------------------------------------------------


@pytest.fixture
def home(entities):
    from cms import demo

    return demo.load()


def make_chart(**fields):
    defaults = {
        "title": "Alloggi per Comune",
        "indicator": "units_by_comune",
        "kind": "bar",
        "text_alternative": "Barre: Bari ha più alloggi di Lecce.",
        "caption": "Gli alloggi ERP per Comune.",
        "source_note": "Anagrafe PUSH",
    }
    return Chart.objects.create(**{**defaults, **fields})


def make_dashboard(home, body, *, audience=DashboardAudience.PUBLIC, title="Patrimonio", slug=None):
    page = DashboardPage(title=title, slug=slug or title.lower().replace(" ", "-"), audience=audience, body=body)
    home.add_child(instance=page)
    page.save_revision().publish()
    return DashboardPage.objects.get(pk=page.pk)


def chart_block(chart, **parameters):
    return ("chart", {"chart": chart, "parameters": parameters})


@pytest.fixture
def dashboard(home, catalogue):
    bars = make_chart()
    map_chart = make_chart(title="Mappa degli alloggi", kind="map", text_alternative="Mappa: Bari in evidenza.")
    return make_dashboard(
        home,
        [
            ("text", "<p>Il patrimonio pubblico.</p>"),
            ("kpi", {"indicator": "units_by_comune", "label": "Alloggi", "parameters": {}}),
            chart_block(bars),
            chart_block(map_chart),
        ],
    )


def block_ids(page):
    return [block.id for block in page.body if block.block_type == "chart"]


def image_url(page, index=0, query=""):
    url = reverse("dashboards:chart_image", kwargs={"page_id": page.pk, "block_id": block_ids(page)[index]})
    return url + query


def data_url(page, file_format="csv", index=0, query=""):
    kwargs = {"page_id": page.pk, "block_id": block_ids(page)[index], "file_format": file_format}
    return reverse("dashboards:chart_data", kwargs=kwargs) + query


def csv_rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_each_chart_with_its_image_table_and_files(client, dashboard):
    response = client.get(dashboard.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'src="{image_url(dashboard)}"' in html
    assert 'alt="Barre: Bari ha più alloggi di Lecce."' in html
    assert "Gli alloggi ERP per Comune." in html and "Anagrafe PUSH" in html
    # The data as an accessible table, numbers the Italian way, a hidden small count "n.d.".
    assert "<caption>" in html and '<th scope="col"' in html and '<th scope="row">Bari</th>' in html
    assert "1.234" in html and "n.d." in html
    assert f'href="{data_url(dashboard)}"' in html and f'href="{data_url(dashboard, "xlsx")}"' in html
    # Under the map only, the boundaries' attribution.
    assert html.count("Confini: Openpolis su dati ISTAT, CC BY 4.0") == 1
    assert "Il patrimonio pubblico." in html


def test_a_key_figure_shows_its_change_against_the_previous_year(client, dashboard):
    html = client.get(dashboard.url + "?year=2025").content.decode()
    # 2025: 1.224 (Lecce hidden for the public); 2024: 1.214.
    assert "1.224" in html and "+10" in html and "2024" in html


def test_filters_in_the_url_change_the_table_the_image_and_the_files_alike(client, dashboard, catalogue):
    html = client.get(dashboard.url + "?province=LE&year=2025").content.decode()
    assert '<th scope="row">Bari</th>' not in html and '<th scope="row">Lecce</th>' in html
    query = "?province=LE&year=2025"
    assert f'src="{image_url(dashboard, query=query)}"'.replace("&", "&amp;") in html
    assert f'href="{data_url(dashboard, query=query)}"'.replace("&", "&amp;") in html
    rows = csv_rows(client.get(data_url(dashboard, query=query)))
    assert [row[0] for row in rows[1:]] == ["Lecce"]
    everything = csv_rows(client.get(data_url(dashboard)))
    assert [row[0] for row in everything[1:]] == ["Bari", "Lecce"]
    assert everything[1][2] == "1234"
    cache.clear()  # the page has computed (and kept) these figures already
    catalogue.computed.clear()
    filtered = client.get(image_url(dashboard, query=query))
    assert filtered.status_code == 200 and filtered["Content-Type"] == "image/png"
    assert catalogue.computed[-1][1] == {"province": "LE", "year": 2025}
    assert filtered["ETag"] != client.get(image_url(dashboard))["ETag"]


def test_only_the_parameters_the_charts_declare_are_offered(region_admin_client, home, catalogue):
    chart = make_chart(indicator="applicants_by_comune")
    page = make_dashboard(home, [chart_block(chart)], title="Bando", audience=DashboardAudience.REGIONAL)
    form = region_admin_client.get(page.url).context["filter_form"]
    assert set(form.fields) == {"year", "call"}


def test_a_filter_value_outside_the_choices_is_not_applied(client, dashboard, catalogue):
    response = client.get(dashboard.url + "?province=ZZ&arca=1")
    assert response.status_code == 200
    assert all("province" not in params and "arca" not in params for _key, params, _aud in catalogue.computed)
    assert client.get(data_url(dashboard, query="?province=ZZ")).status_code == 200


def test_a_fixed_parameter_is_not_changed_by_the_filters(client, home, catalogue):
    page = make_dashboard(home, [chart_block(make_chart(), province="BA")], title="Bari")
    client.get(page.url + "?province=LE")
    assert catalogue.computed[-1][1]["province"] == "BA"
    assert [row[0] for row in csv_rows(client.get(data_url(page, query="?province=LE")))[1:]] == ["Bari"]


def test_the_files_carry_the_numbers_of_the_table(client, dashboard):
    xlsx = client.get(data_url(dashboard, "xlsx"))
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][0] == "Bari" and Decimal(str(values[1][2])) == 1234


def test_the_image_is_a_png_or_an_svg(client, dashboard):
    png = client.get(image_url(dashboard))
    assert png.content.startswith(b"\x89PNG")
    svg = client.get(image_url(dashboard, query="?format=svg"))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert client.get(image_url(dashboard, query="?format=gif")).status_code == 404


def test_the_page_is_not_kept_in_the_anonymous_page_cache(client, dashboard):
    client.get(dashboard.url)
    assert "X-Push-Cache" not in client.get(dashboard.url)


def test_the_page_reads_the_database_a_bounded_number_of_times(client, dashboard, django_assert_max_num_queries):
    client.get(dashboard.url)
    with django_assert_max_num_queries(20):
        assert client.get(dashboard.url + "?year=2025&province=BA").status_code == 200


def test_a_public_dashboard_takes_public_indicators_only(home, catalogue):
    page = DashboardPage(title="Bando", slug="bando", body=[chart_block(make_chart(indicator="applicants_by_comune"))])
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert "audience" in refused.value.message_dict


def test_restricted_dashboards_are_not_in_the_sitemap(home, catalogue):
    page = make_dashboard(home, [], audience=DashboardAudience.REGIONAL, title="Riservato")
    assert page.get_sitemap_urls() == []


def test_figures_are_computed_once_per_data_version(client, dashboard, catalogue):
    client.get(dashboard.url)
    # The bars, the map and the key figure ask for the same figures: computed once; and the
    # key figure's previous year.
    computed = len(catalogue.computed)
    assert computed == 2
    client.get(dashboard.url)
    client.get(data_url(dashboard))
    assert len(catalogue.computed) == computed
    catalogue.versions["units_by_comune"] = "v2"  # the data changed
    client.get(dashboard.url)
    assert len(catalogue.computed) == 2 * computed
