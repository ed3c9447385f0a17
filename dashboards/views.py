"""A dashboard chart's image (PNG, SVG with ?format=svg) and data (CSV, XLSX).

Each view reads the live dashboard page and its chart block, decides the reader's Audience
with the page's rule (dashboards.readers: a reader who may not see the dashboard, signed in
or not, gets 404 here), takes the filters from the same form as the page, and then:
- the image: answers 304 when the browser's ETag (chart, parameters, reader, data version,
  format, language) still holds; else draws once per that key through the shared cache
  (dashboards.rendering.cached_render), computing the Result only on a miss;
- the data: computes the Result and sends exactly the filtered cells, with the export's audit
  entry for a signed-in reader (core.exports)."""

import hashlib

from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, quote_etag
from django.utils.text import slugify
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from core.exports import spreadsheet_file, spreadsheet_response

from . import panels
from .models import DashboardPage
from .readers import audience_cache_key, reader_audience

IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
MAX_BUILDINGS = 20_000


def _chart_for_reader(request, page_id, block_id):
    """The page, the chart block, the reader's Audience and the filter form; 404 otherwise."""
    page = DashboardPage.objects.live().filter(pk=page_id).first()
    if page is None:
        raise Http404
    for restriction in page.get_view_restrictions():
        if not restriction.accept_request(request):
            raise Http404
    audience = reader_audience(page, request.user)
    if audience is None:
        raise Http404
    block = panels.find_chart_block(page, block_id)
    if block is None:
        raise Http404
    chart = block.value["chart"]
    form = panels.filter_form(page, request.GET)
    parameters = panels.parameters_for(
        chart.indicator, panels.chart_fixed(chart, block.value.get("parameters")), form.applied()
    )
    return page, chart, audience, form, parameters


def _compute_or_404(chart, parameters, audience):
    from django.core.exceptions import PermissionDenied, ValidationError

    try:
        return panels.compute(chart.indicator, parameters, audience)
    except (ValidationError, PermissionDenied, KeyError):
        raise Http404 from None


def building_points(audience, parameters=None) -> list[tuple[float, float]]:
    """Buildings with coordinates as (longitude, latitude), of the reader's entities only, in
    the territory the chart's parameters name."""
    from registry.models import Building

    parameters = parameters or {}
    buildings = Building.objects.filter(latitude__isnull=False, longitude__isnull=False)
    if audience.entity_ids is not None and not audience.public:
        buildings = buildings.filter(owner_id__in=audience.entity_ids)
    if parameters.get("province"):
        buildings = buildings.filter(comune__province=parameters["province"])
    if parameters.get("arca"):
        buildings = buildings.filter(comune__covering_arca__code=parameters["arca"])
    if parameters.get("comune"):
        buildings = buildings.filter(comune__code=parameters["comune"])
    return [(float(lon), float(lat)) for lon, lat in buildings.values_list("longitude", "latitude")[:MAX_BUILDINGS]]


def _etag(*parts) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]


def _not_modified(request, etag: str) -> bool:
    asked = request.headers.get("If-None-Match", "")
    return any(tag.strip().removeprefix("W/") in (quote_etag(etag), "*") for tag in asked.split(","))


@require_safe
def chart_image(request, page_id, block_id):
    from dashboards import indicators, rendering

    page, chart, audience, form, parameters = _chart_for_reader(request, page_id, block_id)
    fmt = request.GET.get("format", "png")
    if fmt not in IMAGE_TYPES:
        raise Http404
    version = indicators.data_version(chart.indicator)
    key_parameters = {**parameters, "_reader": audience_cache_key(audience), "_lang": get_language() or ""}
    etag = _etag(chart.cache_key, sorted(key_parameters.items()), version, fmt)
    headers = {
        "ETag": quote_etag(etag),
        "Last-Modified": http_date(max(chart.updated_at, page.last_published_at or chart.updated_at).timestamp()),
        "Cache-Control": "no-cache, " + ("public" if audience.public else "private"),
        "Vary": "Cookie, Accept-Language",
    }
    if _not_modified(request, etag):
        response = HttpResponseNotModified()
    else:

        def produce() -> bytes:
            result = _compute_or_404(chart, parameters, audience)
            buildings = building_points(audience, parameters) if chart.show_buildings and chart.kind == "map" else None
            return rendering.render(
                result,
                kind=chart.kind,
                title=chart.title,
                filters_text=panels.describe(parameters, form),
                fmt=fmt,
                buildings=buildings,
            )

        content = rendering.cached_render(
            chart_key=chart.cache_key, params=key_parameters, version=version, fmt=fmt, produce=produce
        )
        response = HttpResponse(content, content_type=IMAGE_TYPES[fmt])
    for name, value in headers.items():
        response[name] = value
    return response


@require_safe
def chart_data(request, page_id, block_id, file_format):
    if file_format not in ("csv", "xlsx"):
        raise Http404
    page, chart, audience, form, parameters = _chart_for_reader(request, page_id, block_id)
    result = _compute_or_404(chart, parameters, audience)
    headers, rows = panels.file_rows(result)
    filename = slugify(chart.title) or f"grafico-{chart.pk}"
    if not request.user.is_authenticated:
        # Open data read anonymously: there is no account to record the export on.
        return spreadsheet_file(headers, rows, filename=filename, file_format=file_format)
    return spreadsheet_response(
        request,
        headers,
        rows,
        filename=filename,
        file_format=file_format,
        source=f"dashboards.chart:{chart.pk}",
        filters={key: str(value) for key, value in parameters.items()},
    )
