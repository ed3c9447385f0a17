"""StreamField blocks of a dashboard: a chart (a Chart snippet with parameter overrides), a
key figure (an indicator's number with its change against the previous year) and text.

Their figures are computed by the page for its reader (dashboards.panels), not by the blocks:
a block holds only what the editor chose."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"]


def _indicator_choices():
    from .models import indicator_choices

    return indicator_choices()


def _province_choices():
    from registry.models import Province

    return [("", "–"), *Province.choices]


class ParametersBlock(blocks.StructBlock):
    """Parameters set by the page for one chart or figure (empty: not set)."""

    year = blocks.IntegerBlock(required=False, min_value=2000, max_value=2100, label=_("Year"))
    province = blocks.ChoiceBlock(choices=_province_choices, required=False, label=_("Province"))
    arca = blocks.CharBlock(required=False, max_length=6, label=_("ARCA (PUSH code)"))
    comune = blocks.CharBlock(required=False, max_length=6, label=_("Comune (ISTAT code)"))
    call = blocks.IntegerBlock(required=False, min_value=1, label=_("Call (number)"))

    class Meta:
        label = _("Parameters")
        form_classname = "struct-block"


def set_parameters(value) -> dict:
    """The parameters an editor filled in, as the indicators take them."""
    if not value:
        return {}
    return {name: item for name, item in value.items() if item not in (None, "")}


def _check_declared(indicator_key, parameters):
    from .models import check_parameters

    try:
        check_parameters(indicator_key, parameters, field="parameters")
    except ValidationError as error:
        raise StructBlockValidationError(
            block_errors={"parameters": ValidationError(" ".join(error.messages))}
        ) from None


class ChartBlock(blocks.StructBlock):
    chart = SnippetChooserBlock("dashboards.Chart", label=_("chart"))
    parameters = ParametersBlock(
        required=False,
        help_text=_("Overrides the chart's fixed parameters on this page; the page's filters do not change them."),
    )

    class Meta:
        icon = "table"
        label = _("Chart")

    def clean(self, value):
        value = super().clean(value)
        chart = value.get("chart")
        if chart is not None:
            _check_declared(chart.indicator, set_parameters(value.get("parameters")))
        return value


class KpiBlock(blocks.StructBlock):
    indicator = blocks.ChoiceBlock(choices=_indicator_choices, label=_("indicator"))
    label = blocks.CharBlock(
        required=False, max_length=120, label=_("label"), help_text=_("Empty: the indicator's title.")
    )
    parameters = ParametersBlock(required=False)

    class Meta:
        icon = "pick"
        label = _("Key figure")

    def clean(self, value):
        value = super().clean(value)
        if value.get("indicator"):
            _check_declared(value["indicator"], set_parameters(value.get("parameters")))
        return value


class DashboardBodyBlock(blocks.StreamBlock):
    chart = ChartBlock()
    kpi = KpiBlock()
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, icon="pilcrow", label=_("Text"))
