"""What a dashboard shows its reader: for each chart its image address, its data as a table
and its files; for each key figure its number and change. Every figure is computed here
through the indicators for the reader's Audience (dashboards.readers), and kept in the shared
cache under the indicator's data version (`compute`); the image and file views take the same parameters through the same functions, so the
page, its images and its files cannot disagree."""

import base64
import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .blocks import set_parameters
from .forms import FILTERS, DashboardFilterForm
from .readers import audience_cache_key
from .results import PARAMETERS, Audience, CategoryKind, Result

RESULT_KEY = "push:dashboards:result:"
RESULT_SECONDS = 24 * 3600

CATEGORY_HEADERS = {
    CategoryKind.COMUNE: gettext_lazy("Comune"),
    CategoryKind.PROVINCE: gettext_lazy("Province"),
    CategoryKind.YEAR: gettext_lazy("Year"),
}


@dataclass
class ChartPanel:
    chart: object
    block_id: str = ""
    result: Result | None = None
    headers: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    image_url: str = ""
    csv_url: str = ""
    xlsx_url: str = ""
    filters_text: str = ""
    error: str = ""

    @property
    def is_map(self) -> bool:
        return self.chart.kind == "map"

    @property
    def attribution(self) -> str:
        """Under every map: the boundaries' licence (the renderer's own text)."""
        from dashboards.rendering import ATTRIBUTION

        return ATTRIBUTION if self.is_map else ""


@dataclass
class KpiPanel:
    label: str
    value: str = ""
    change: str = ""
    change_sign: int = 0
    compared_with: str = ""
    error: str = ""


def declared_parameters(indicator_key: str) -> tuple:
    from dashboards import indicators

    try:
        return tuple(indicators.get(indicator_key).parameters)
    except KeyError:
        return ()


def parameters_for(indicator_key: str, fixed: dict, filters: dict) -> dict:
    """The parameters a chart or figure is computed with: its fixed ones (the chart's, then the
    page's overrides) and, for the parameters it declares and does not fix, the page's filters."""
    declared = declared_parameters(indicator_key)
    chosen = {name: value for name, value in filters.items() if name in declared and name not in fixed}
    return {**fixed, **chosen}


def chart_fixed(chart, overrides) -> dict:
    return {**(chart.parameters or {}), **set_parameters(overrides)}


def _fixed_blocks(page):
    """(indicator key, fixed parameters) of every chart and figure of the page."""
    for block in page.body:
        if block.block_type == "chart" and block.value.get("chart") is not None:
            chart = block.value["chart"]
            yield chart.indicator, chart_fixed(chart, block.value.get("parameters"))
        elif block.block_type == "kpi" and block.value.get("indicator"):
            yield block.value["indicator"], set_parameters(block.value.get("parameters"))


def offered_filters(page) -> tuple:
    """The filters the page offers: those a chart or figure declares and does not fix."""
    offered = set()
    for key, fixed in _fixed_blocks(page):
        offered |= {name for name in declared_parameters(key) if name in FILTERS and name not in fixed}
    return tuple(name for name in FILTERS if name in offered)


def filter_form(page, data) -> DashboardFilterForm:
    return DashboardFilterForm(data or None, offered=offered_filters(page))


def describe(parameters: dict, form: DashboardFilterForm | None) -> str:
    """The parameters as a reader reads them: "Anno: 2025 · Provincia: Bari"."""
    parts = []
    for name in PARAMETERS:
        if name in parameters:
            value = form.label_of(name, parameters[name]) if form is not None else str(parameters[name])
            parts.append(f"{PARAMETERS[name]}: {value}")
    return " · ".join(parts)


def data_version(indicator_key: str, versions: dict | None = None) -> str:
    """The indicator's data version; with `versions` (one page view's), read once per set of
    sources, so that a page of many charts does not read the same version once per chart."""
    from dashboards import indicators

    if versions is None:
        return indicators.data_version(indicator_key)
    try:
        sources = tuple(indicators.get(indicator_key).sources) or indicator_key
    except KeyError:
        sources = indicator_key
    if sources not in versions:
        versions[sources] = indicators.data_version(indicator_key)
    return versions[sources]


def compute(indicator_key: str, parameters: dict, audience: Audience, versions: dict | None = None) -> Result:
    """The indicator's Result, computed once per (parameters, reader, data version, language)
    and then read from the shared cache: a change to the data the indicator reads changes
    its version, so a kept Result is never stale, in any process."""
    from dashboards import indicators

    version = data_version(indicator_key, versions)
    identity = (
        indicator_key,
        sorted((name, str(value)) for name, value in parameters.items()),
        audience_cache_key(audience),
        version,
        get_language() or "",
    )
    key = RESULT_KEY + hashlib.sha256(repr(identity).encode()).hexdigest()
    result = cache.get(key)
    if result is None:
        result = indicators.compute(indicator_key, params=parameters, audience=audience)
        cache.set(key, result, RESULT_SECONDS)
    return result


def _column_labels(result: Result) -> tuple[str, str]:
    """Headers of the categories and of their codes: the indicator's data dictionary's, else
    the kind of category's."""
    from dashboards import indicators

    try:
        fields = dict(getattr(indicators.get(result.indicator), "fields", ()) or ())
    except KeyError:
        fields = {}
    category = fields.get("category") or CATEGORY_HEADERS.get(result.category_kind, _("Category"))
    return str(category), str(fields.get("code") or _("Code"))


def table(result: Result) -> tuple[list[str], list[list[str]]]:
    """The Result as the accessible table shows it: a header per column, values the Italian way."""
    from dashboards.rendering.formats import format_value

    headers = [_column_labels(result)[0], *(str(s.label) for s in result.series)]
    rows = [
        [label, *(format_value(series.values[index], result.unit) for series in result.series)]
        for index, label in enumerate(result.categories)
    ]
    return headers, rows


def file_rows(result: Result) -> tuple[list[str], list[list]]:
    """The Result as the CSV and XLSX carry it: the same cells, numbers as numbers (a hidden
    small count is an empty cell); Comuni and provinces with their codes."""
    category, code = _column_labels(result)
    headers = [category, *(str(s.label) for s in result.series)]
    if result.category_kind in (CategoryKind.COMUNE, CategoryKind.PROVINCE):
        headers.insert(1, code)
        return headers, [[row[0], row_code, *row[1:]] for row, row_code in zip(result.rows(), result.codes)]
    return headers, result.rows()


def failure_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return _("These figures cannot be shown for the chosen filters: %(reason)s") % {
            "reason": " ".join(error.messages)
        }
    if isinstance(error, PermissionDenied):
        return _("These figures are not available to you.")
    return _("This indicator is no longer available.")


def chart_panel(page, block_id, chart, overrides, form, audience, versions=None) -> ChartPanel:
    parameters = parameters_for(chart.indicator, chart_fixed(chart, overrides), form.applied())
    panel = ChartPanel(chart=chart, block_id=block_id, filters_text=describe(parameters, form))
    try:
        panel.result = compute(chart.indicator, parameters, audience, versions)
    except (ValidationError, PermissionDenied, KeyError) as error:
        panel.error = failure_message(error)
        return panel
    panel.headers, panel.rows = table(panel.result)
    query = form.query()
    suffix = f"?{query}" if query else ""
    kwargs = {"page_id": page.pk, "block_id": block_id}
    panel.image_url = reverse("dashboards:chart_image", kwargs=kwargs) + suffix
    panel.csv_url = reverse("dashboards:chart_data", kwargs={**kwargs, "file_format": "csv"}) + suffix
    panel.xlsx_url = reverse("dashboards:chart_data", kwargs={**kwargs, "file_format": "xlsx"}) + suffix
    return panel


def _total(result: Result, index: int | None = None):
    if index is None:
        return result.total()
    return sum((s.values[index] for s in result.series if s.values[index] is not None), 0)


def kpi_panel(indicator_key, label, fixed, form, audience, versions=None) -> KpiPanel:
    """An indicator's number (the sum of its cells) with its change against the previous year:
    the last two years of a year-against-year indicator, else the same figure a year earlier."""
    from core.numbers import format_italian_decimal
    from dashboards import indicators
    from dashboards.rendering.formats import format_value

    try:
        indicator = indicators.get(indicator_key)
    except KeyError as error:
        return KpiPanel(label=label or indicator_key, error=failure_message(error))
    panel = KpiPanel(label=label or str(indicator.title))
    parameters = parameters_for(indicator_key, fixed, form.applied())
    try:
        result = compute(indicator_key, parameters, audience, versions)
        current = previous = None
        if result.category_kind == CategoryKind.YEAR and len(result.codes) >= 2:
            current, previous = _total(result, -1), _total(result, -2)
            panel.compared_with = result.categories[-2]
        else:
            current = result.total()
            year = result.parameters.get("year", parameters.get("year"))
            if "year" in indicator.parameters and year:
                earlier = compute(indicator_key, {**parameters, "year": int(year) - 1}, audience, versions)
                previous = earlier.total()
                panel.compared_with = str(int(year) - 1)
    except (ValidationError, PermissionDenied) as error:
        panel.error = failure_message(error)
        return panel
    panel.value = format_value(current, result.unit)
    if previous is not None:
        difference = current - previous
        panel.change_sign = (difference > 0) - (difference < 0)
        sign = "+" if difference > 0 else ""
        panel.change = f"{sign}{format_value(difference, result.unit)}"
        if previous:
            percent = (difference * 100 / previous) if previous else 0
            panel.change += f" ({sign}{format_italian_decimal(round(percent, 1))}\u00a0%)"
    return panel


def dashboard_sections(page, request, audience: Audience) -> dict:
    """The page's context: its filters and, block by block, what the reader sees."""
    form = filter_form(page, request.GET)
    sections = []
    versions = {}  # the data versions, read once for the whole page
    for block in page.body:
        if block.block_type == "chart":
            chart = block.value.get("chart")
            if chart is None:
                continue
            sections.append(
                ("chart", chart_panel(page, block.id, chart, block.value.get("parameters"), form, audience, versions))
            )
        elif block.block_type == "kpi":
            value = block.value
            fixed = set_parameters(value.get("parameters"))
            sections.append(
                ("kpi", kpi_panel(value.get("indicator"), value.get("label"), fixed, form, audience, versions))
            )
        else:
            sections.append(("text", block))
    return {"filter_form": form, "sections": sections, "reader_audience": audience}


def find_chart_block(page, block_id):
    """The chart block `block_id` of the page, or None."""
    for block in page.body:
        if block.block_type == "chart" and block.id == block_id and block.value.get("chart") is not None:
            return block
    return None


def preview_panel(chart, *, audience: Audience) -> ChartPanel:
    """The chart as a dashboard shows it, with its fixed parameters only, its image inline (an
    unsaved chart has no address yet)."""
    from dashboards import rendering

    parameters = dict(chart.parameters or {})
    panel = ChartPanel(chart=chart, filters_text=describe(parameters, None))
    try:
        panel.result = compute(chart.indicator, parameters, audience)
    except (ValidationError, PermissionDenied, KeyError) as error:
        panel.error = failure_message(error)
        return panel
    panel.headers, panel.rows = table(panel.result)
    from .views import building_points

    buildings = building_points(audience, parameters) if chart.show_buildings and chart.kind == "map" else None
    png = rendering.render(
        panel.result,
        kind=chart.kind,
        title=chart.title,
        filters_text=panel.filters_text,
        fmt="png",
        buildings=buildings,
    )
    panel.image_url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return panel
