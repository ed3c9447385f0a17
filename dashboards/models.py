"""Charts and dashboards as editors compose them.

A `Chart` is a snippet: one indicator of the catalogue (dashboards.indicators) drawn as one
kind of chart, with its fixed parameters, caption, source and text alternative. A
`DashboardPage` is a page of the public site whose body places charts (with parameter
overrides), key figures and text; its readers are decided by its audience
(`dashboards.readers`), and its figures always come from the indicators for the reader's
Audience, never from anything in the request."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PagePermissionTester, PageViewRestriction, PreviewableMixin, RevisionMixin
from wagtail.search import index

from .blocks import RICH_TEXT_FEATURES, DashboardBodyBlock
from .results import PARAMETERS, Level


def indicator_choices():
    """The catalogue's indicators, read when a form or a check asks (not at import time)."""
    from dashboards import indicators

    return sorted(((key, str(indicator.title)) for key, indicator in indicators.INDICATORS.items()), key=lambda c: c[1])


class ChartKind(models.TextChoices):
    BAR = "bar", _("Bar chart")
    HBAR = "hbar", _("Horizontal bar chart")
    STACKED = "stacked", _("Stacked bar chart")
    LINE = "line", _("Line chart")
    DONUT = "donut", _("Donut chart")
    MAP = "map", _("Map of Puglia")


def check_parameters(indicator_key: str, parameters, *, field: str = "parameters") -> dict:
    """Fixed parameters are an object whose keys the indicator declares and whose values are
    plain text or numbers; the indicator itself then judges the values (dashboards.indicators)."""
    from dashboards import indicators
    from dashboards.indicators import parameters as indicator_parameters

    if parameters in (None, ""):
        return {}
    if not isinstance(parameters, dict):
        raise ValidationError({field: _('Write the parameters as an object, like {"year": 2025}.')})
    try:
        declared = indicators.get(indicator_key).parameters
    except KeyError:
        raise ValidationError({"indicator": _("Choose an indicator of the catalogue.")}) from None
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ValidationError(
            {
                field: _("This indicator has no parameter %(unknown)s; it takes: %(declared)s.")
                % {
                    "unknown": ", ".join(unknown),
                    "declared": ", ".join(str(PARAMETERS.get(name, name)) for name in declared) or "–",
                }
            }
        )
    for name, value in parameters.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError(
                {field: _("The value of %(name)s must be a text or a whole number.") % {"name": name}}
            )
    try:
        # The indicators' own check of the values (a province's code, an ARCA's, a published call…).
        indicator_parameters.validate(indicators.get(indicator_key), parameters)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return dict(parameters)


class Chart(RevisionMixin, PreviewableMixin, models.Model):
    """One indicator drawn as one chart; the same numbers become its table and its files."""

    title = models.CharField(_("title"), max_length=200)
    indicator = models.CharField(_("indicator"), max_length=80, choices=indicator_choices)
    kind = models.CharField(_("chart kind"), max_length=10, choices=ChartKind.choices, default=ChartKind.BAR)
    parameters = models.JSONField(
        _("fixed parameters"),
        default=dict,
        blank=True,
        help_text=_(
            'Parameters this chart always uses, e.g. {"province": "BA"}; the page\'s filters do not change them.'
        ),
    )
    caption = models.TextField(_("caption"), blank=True, help_text=_("Shown under the chart: what it tells."))
    source_note = models.CharField(_("source"), max_length=300, blank=True)
    text_alternative = models.TextField(
        _("text alternative"),
        help_text=_("Read by screen readers in place of the image: what the chart shows and its main finding."),
    )
    show_buildings = models.BooleanField(
        _("show the buildings on the map"),
        default=False,
        help_text=_("Maps only: buildings with coordinates in the register as dots."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("indicator"), FieldPanel("kind")]),
        FieldPanel("parameters"),
        FieldPanel("text_alternative"),
        FieldPanel("caption"),
        FieldPanel("source_note"),
        FieldPanel("show_buildings"),
    ]

    class Meta:
        verbose_name = _("chart")
        verbose_name_plural = _("charts")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.indicator:
            self.parameters = check_parameters(self.indicator, self.parameters)
        if self.show_buildings and self.kind != ChartKind.MAP:
            raise ValidationError({"show_buildings": _("Buildings are shown on maps only.")})

    @property
    def cache_key(self) -> str:
        """Changes with every save of the chart: an edited chart is drawn again."""
        stamp = self.updated_at.timestamp() if self.updated_at else 0
        return f"chart-{self.pk}-{stamp}"

    def get_indicator(self):
        from dashboards import indicators

        return indicators.get(self.indicator)

    # Preview: the chart as a dashboard shows it, with its fixed parameters, for the editor.
    def get_preview_template(self, request, mode_name):
        return "dashboards/chart_preview.html"

    def get_preview_context(self, request, mode_name):
        from dashboards import indicators

        from .panels import preview_panel

        context = super().get_preview_context(request, mode_name)
        context["panel"] = preview_panel(self, audience=indicators.audience_for(request.user))
        return context


class DashboardAudience(models.TextChoices):
    PUBLIC = "public", _("Public (open data)")
    REGIONAL = "regional", _("Restricted to the Region's people")
    ENTITY = "entity", _("The Region, and each entity's people on their own figures")


class DashboardPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    audience = models.CharField(
        _("readers"),
        max_length=10,
        choices=DashboardAudience.choices,
        default=DashboardAudience.PUBLIC,
        help_text=_("Public dashboards show public indicators only, with small counts hidden."),
    )
    body = StreamField(DashboardBodyBlock(), verbose_name=_("content"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("audience")], heading=_("Readers")),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro"), APIField("audience"), APIField("charts")]

    class Meta:
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")

    @property
    def is_public(self) -> bool:
        return self.audience == DashboardAudience.PUBLIC

    # A restricted dashboard carries Wagtail's own "signed-in readers only" restriction, so that
    # everything listing public pages (`public()`: site search, sitemap, API v2, listings) leaves
    # it out; serve() still asks the dashboard's own rule. The restriction follows the audience
    # of the saved or published page (a draft's `save_revision` leaves it as it is), and
    # editors cannot change it by hand (DashboardPermissionTester).
    def save(self, *args, **kwargs):
        saved = super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "audience" in update_fields:
            self.sync_view_restriction()
        return saved

    def sync_view_restriction(self) -> None:
        restrictions = PageViewRestriction.objects.filter(page=self, restriction_type=PageViewRestriction.LOGIN)
        if self.is_public:
            for restriction in restrictions:
                restriction.delete()
        elif not restrictions.exists():
            PageViewRestriction(page=self, restriction_type=PageViewRestriction.LOGIN).save()

    def permissions_for_user(self, user):
        return DashboardPermissionTester(user, self)

    def clean(self):
        super().clean()
        if not self.is_public:
            return
        restricted = []
        for block in self.body:
            if block.block_type == "chart" and block.value.get("chart") is not None:
                key, name = block.value["chart"].indicator, block.value["chart"].title
            elif block.block_type == "kpi":
                key = name = block.value.get("indicator")
            else:
                continue
            if key and _indicator_level(key) != Level.PUBLIC:
                restricted.append(name)
        if restricted:
            raise ValidationError(
                {
                    "audience": _("A public dashboard shows public indicators only; restricted: %(names)s.")
                    % {"names": ", ".join(restricted)}
                }
            )

    @property
    def charts(self) -> list[dict]:
        """The page's charts for a headless front end: what each one is and where its image and
        data are. No figure here: those addresses answer each reader for their own Audience."""
        from django.urls import reverse

        found = []
        for block in self.body:
            chart = block.value.get("chart") if block.block_type == "chart" else None
            if chart is None:
                continue
            kwargs = {"page_id": self.pk, "block_id": block.id}
            found.append(
                {
                    "title": chart.title,
                    "kind": chart.kind,
                    "indicator": chart.indicator,
                    "text_alternative": chart.text_alternative,
                    "caption": chart.caption,
                    "image": reverse("dashboards:chart_image", kwargs=kwargs),
                    "csv": reverse("dashboards:chart_data", kwargs={**kwargs, "file_format": "csv"}),
                    "xlsx": reverse("dashboards:chart_data", kwargs={**kwargs, "file_format": "xlsx"}),
                }
            )
        return found

    def get_sitemap_urls(self, request=None):
        # Restricted dashboards are no business of search engines.
        return super().get_sitemap_urls(request) if self.is_public else []

    def serve(self, request, *args, **kwargs):
        from .readers import reader_audience

        if reader_audience(self, request.user) is None:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            raise Http404
        response = super().serve(request, *args, **kwargs)
        # The figures change with the data, which the page cache does not follow: never kept there.
        response.cache_seconds = 0
        return response

    def get_context(self, request, *args, **kwargs):
        from .panels import dashboard_sections
        from .readers import reader_audience

        context = super().get_context(request, *args, **kwargs)
        audience = reader_audience(self, request.user)
        if audience is None:  # serve() has refused already; a direct call must not show figures
            raise PermissionDenied
        context.update(dashboard_sections(self, request, audience))
        return context


class DashboardPermissionTester(PagePermissionTester):
    def can_set_view_restrictions(self):
        return False  # a dashboard's privacy is its audience's (DashboardPage.sync_view_restriction)


def _indicator_level(key: str):
    from dashboards import indicators

    try:
        return indicators.get(key).level
    except KeyError:
        return None
