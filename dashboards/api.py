"""Open data of the management dashboard, under /api/v1/open-data:

- `open-data`: the public indicators, each with what it says, its parameters, how its
  numbers read, its data dictionary (the columns of its table), the licence (CC BY 4.0)
  and the addresses of its JSON and CSV;
- `open-data/<key>`: one indicator's table as JSON, or as an Italian CSV (`?format=csv` or
  `Accept: text/csv`), for the parameters in the query.

Every answer is computed for the public, whoever asks (credentials are not even read):
public indicators only, small counts suppressed (dashboards/suppression.py). So the API
shows no entity's restricted figures, to anyone. Errors are problem+json (core.api).
"""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exports import spreadsheet_file
from dashboards import indicators
from dashboards.results import PARAMETERS, Audience, CategoryKind, Result, Unit
from registry.models import Province

LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.it",
    "attribution": "Regione Puglia – Sezione Politiche Abitative (PUSH)",
}
OPEN_DATA = Audience(public=True)

PARAMETER_DESCRIPTIONS = {  # the data dictionary of the listing, in the reader's language
    "year": gettext_lazy("A year (e.g. 2025): the calls of that year."),
    "province": gettext_lazy("A province, by its code."),
    "arca": gettext_lazy("The territory of an ARCA (the Comuni it covers), by the ARCA's PUSH code (e.g. 720000)."),
    "comune": gettext_lazy("A Comune, by its ISTAT code (e.g. 072006)."),
    "call": gettext_lazy("A call, by its number (id); without it, the latest call with open figures."),
}


def public_indicators():
    return [indicator for indicator in indicators.INDICATORS.values() if indicator.is_public]


def open_indicator(key: str):
    """The public indicator `key`; a restricted or unknown one is no open data (404)."""
    indicator = indicators.INDICATORS.get(key)
    if indicator is None or not indicator.is_public:
        raise NotFound(_("No open data indicator at this address: see /api/v1/open-data."))
    return indicator


class CSVRenderer(renderers.BaseRenderer):
    """Declares CSV for `?format=csv` and `Accept: text/csv`; the view writes the file."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):  # pragma: no cover - never reached
        raise NotImplementedError("the view answers CSV with core.exports")


def _json_value(value):
    return f"{value:f}" if isinstance(value, Decimal) else value


def result_json(result: Result) -> dict:
    return {
        "indicator": result.indicator,
        "title": result.title,
        "unit": str(result.unit),
        "category_kind": str(result.category_kind),
        "parameters": result.parameters,
        "categories": result.categories,
        "codes": result.codes,
        "series": [
            {"key": series.key, "label": str(series.label), "values": [_json_value(v) for v in series.values]}
            for series in result.series
        ],
        "suppressed": result.suppressed,
        "note": result.note,
        "source": result.source,
        "licence": LICENCE,
    }


def result_csv(result: Result):
    """The table as an Italian CSV: one row per category, its code and name, then one
    column per series, named by the series' key (the data dictionary's names)."""
    headers = ["code", "category", *(series.key for series in result.series)]
    rows = ([code, *row] for code, row in zip(result.codes, result.rows()))
    return spreadsheet_file(headers, rows, filename=f"{result.indicator}", file_format="csv")


def describe(indicator, request) -> dict:
    data_url = reverse("api-open-data-indicator", kwargs={"key": indicator.key})
    csv_url = f"{data_url}?format=csv"
    return {
        "key": indicator.key,
        "title": str(indicator.title),
        "description": str(indicator.description),
        "unit": str(indicator.unit),
        "category_kind": str(indicator.category_kind),
        "parameters": [
            {"name": name, "label": str(PARAMETERS[name]), "description": str(PARAMETER_DESCRIPTIONS[name])}
            for name in indicator.parameters
        ],
        "fields": [{"name": name, "description": str(description)} for name, description in indicator.fields],
        "licence": LICENCE,
        "url": request.build_absolute_uri(data_url),
        "csv_url": request.build_absolute_uri(csv_url),
    }


_PARAMETER = {"name": serializers.CharField(), "label": serializers.CharField(), "description": serializers.CharField()}
_FIELD = {"name": serializers.CharField(), "description": serializers.CharField()}
_LICENCE = inline_serializer(
    "OpenDataLicence",
    {"name": serializers.CharField(), "url": serializers.URLField(), "attribution": serializers.CharField()},
)
_UNIT = serializers.ChoiceField([str(unit) for unit in Unit])
_KIND = serializers.ChoiceField([str(kind) for kind in CategoryKind])


class OpenDataListView(APIView):
    """The public indicators and their data dictionary."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        summary="Open data: the public indicators, their parameters and data dictionary",
        responses={
            200: inline_serializer(
                "OpenDataIndicator",
                {
                    "key": serializers.CharField(),
                    "title": serializers.CharField(),
                    "description": serializers.CharField(),
                    "unit": _UNIT,
                    "category_kind": _KIND,
                    "parameters": inline_serializer("OpenDataParameter", _PARAMETER, many=True),
                    "fields": inline_serializer("OpenDataField", _FIELD, many=True),
                    "licence": _LICENCE,
                    "url": serializers.URLField(),
                    "csv_url": serializers.URLField(),
                },
                many=True,
            )
        },
    )
    def get(self, request):
        return Response([describe(indicator, request) for indicator in public_indicators()])


_VALUE = {"oneOf": [{"type": "integer"}, {"type": "string", "format": "decimal"}], "nullable": True}
_RESULT_SCHEMA = {
    "type": "object",
    "properties": {
        "indicator": {"type": "string"},
        "title": {"type": "string"},
        "unit": {"type": "string", "enum": [str(unit) for unit in Unit]},
        "category_kind": {"type": "string", "enum": [str(kind) for kind in CategoryKind]},
        "parameters": {
            "type": "object",
            "description": "The parameters applied (a call by its number).",
            "additionalProperties": {"type": "string"},
        },
        "categories": {"type": "array", "items": {"type": "string"}, "description": "The rows' names."},
        "codes": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The rows' codes (ISTAT code, province, status, owner's PUSH code, year, call).",
        },
        "series": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "key": {"type": "string"},
                    "label": {"type": "string"},
                    "values": {
                        "type": "array",
                        "items": _VALUE,
                        "description": "One per row: a count (integer), an amount or rate (decimal text), "
                        "or null (hidden as a small count, or not available).",
                    },
                },
                "required": ["key", "label", "values"],
            },
        },
        "suppressed": {"type": "integer", "description": "How many values are hidden as small counts."},
        "note": {"type": "string"},
        "source": {"type": "string"},
        "licence": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "url": {"type": "string", "format": "uri"},
                "attribution": {"type": "string"},
            },
        },
    },
    "required": ["indicator", "title", "unit", "category_kind", "categories", "codes", "series", "licence"],
}


def _detail_schema():
    keys = [indicator.key for indicator in public_indicators()]
    csv = OpenApiResponse(response=OpenApiTypes.STR, description="The table as an Italian CSV (`;`, decimal comma).")
    return extend_schema(
        summary="Open data: one indicator's table (JSON or CSV)",
        description=(
            "Each indicator takes only the parameters the listing gives it: another one is refused (400). "
            "Counts below the small-count threshold are null, with as many others as needed so that none "
            "can be worked out from a total."
        ),
        parameters=[
            OpenApiParameter("key", str, OpenApiParameter.PATH, enum=keys, description="The indicator."),
            OpenApiParameter("year", int, description=PARAMETER_DESCRIPTIONS["year"]),
            OpenApiParameter("province", str, enum=Province.values, description=PARAMETER_DESCRIPTIONS["province"]),
            OpenApiParameter("arca", str, description=PARAMETER_DESCRIPTIONS["arca"]),
            OpenApiParameter("comune", str, description=PARAMETER_DESCRIPTIONS["comune"]),
            OpenApiParameter("call", int, description=PARAMETER_DESCRIPTIONS["call"]),
            OpenApiParameter("format", str, enum=["json", "csv"], description="`csv` for the table as a CSV file."),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(response=_RESULT_SCHEMA, description="The table"),
            (200, "text/csv"): csv,
        },
    )


class OpenDataIndicatorView(APIView):
    """One public indicator's table, computed for the public."""

    permission_classes = [AllowAny]
    authentication_classes = []
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    def handle_exception(self, exc):
        # Errors are problem+json even when the CSV was asked for.
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)

    @_detail_schema()
    def get(self, request, key):
        indicator = open_indicator(key)
        params = {name: value for name, value in request.query_params.items() if name != "format"}
        result = indicators.compute(indicator.key, params=params, audience=OPEN_DATA)
        if request.accepted_renderer.format == "csv":
            return result_csv(result)
        return Response(result_json(result))
