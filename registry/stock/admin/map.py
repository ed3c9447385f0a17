"""The buildings on the map of Puglia: a page of the register (the map image, the attribution,
and the buildings as a table, the image's text alternative) and the image at its own address.

Both are the building list's index view (BuildingAdmin) with another face: the same access
rule (an owner's own buildings, the Region all), the same declared filters and search, the
same refusal of any other query parameter. Only buildings with both coordinates are drawn;
the page says how many of the filtered buildings have none, with the way to place them (the
building's form: coordinates, or its address where a geocoder is configured).

The image is drawn with matplotlib's object-oriented API on the Agg canvas (no pyplot, no
tiles, no network) over the Comuni's boundaries (registry.geo), and kept in the shared cache
under the register's data version (registry.stock.writer.stock_version, read before the data:
any write to a building or unit changes it), what the person may see, the filters and the
language: a building moved, placed or edited is drawn at its next request.
"""

import hashlib
import io
import json
from decimal import Decimal

from django import forms
from django.core.cache import cache
from django.db.models import Count, Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from core.numbers import format_italian_decimal
from registry import access
from registry.geo import ATTRIBUTION
from registry.geo.drawing import draw_comuni, draw_points, frame
from registry.scoped_admin import ItalianExportIndexView
from registry.stock.writer import stock_version

WIDTH, HEIGHT, DPI = 820, 660, 100
COMUNE_FILL = "#EEF1F4"
COMUNE_EDGE = "#9AA6B2"
TEXT = "#17324D"
TEXT_SECONDARY = "#5D7083"
BUILDING = "#D55E00"  # vermilion (Okabe–Ito): stands out on the grey of the Comuni
FONT_FAMILY = "DejaVu Sans"  # matplotlib's own: no font file to ship
CACHE_KEY_PREFIX = "push:building-map:"
CACHE_SECONDS = 7 * 24 * 3600  # the version is in the key: the timeout only frees space
# Parameters that change the table's page or order, not which buildings are drawn.
NOT_DRAWN = frozenset({"p", "o", "ot", "e", "export"})


def placed(queryset):
    """The buildings of `queryset` that have both coordinates."""
    return queryset.filter(latitude__isnull=False, longitude__isnull=False)


def map_points(queryset) -> list[tuple]:
    """(longitude, latitude) of every placed building of `queryset`: what the image draws."""
    return list(placed(queryset).order_by("pk").values_list("longitude", "latitude"))


def render_building_map(points, *, title: str, subtitle: str) -> bytes:
    """The map as PNG bytes: the title and filters, the Comuni's outline, one dot per point
    ((lon, lat) pairs), a legend with the count, and the boundaries' attribution."""
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="#FFFFFF")
    FigureCanvasAgg(figure)
    text = {"ha": "left", "fontfamily": FONT_FAMILY}
    figure.text(0.015, 0.975, title, va="top", fontsize=13, fontweight="bold", color=TEXT, **text)
    if subtitle:
        figure.text(0.015, 0.935, subtitle[:150], va="top", fontsize=9, color=TEXT_SECONDARY, **text)
    figure.text(0.015, 0.015, ATTRIBUTION, va="bottom", fontsize=8, color=TEXT_SECONDARY, **text)
    ax = figure.add_axes([0.02, 0.05, 0.96, 0.86])
    draw_comuni(ax, facecolors=COMUNE_FILL, edgecolor=COMUNE_EDGE, linewidth=0.3)
    draw_points(ax, points, s=14, c=BUILDING, linewidths=0.4, edgecolors=TEXT, zorder=3)
    frame(ax, anchor="C")
    handle = ax.scatter([], [], s=20, c=BUILDING, linewidths=0.4, edgecolors=TEXT)
    legend = ax.legend(
        [handle],
        [_("Buildings (%(count)s)") % {"count": format_italian_decimal(Decimal(len(points)), 0)}],
        loc="upper right",
        frameon=False,
        prop={"family": FONT_FAMILY, "size": 9},
    )
    for label in legend.get_texts():
        label.set_color(TEXT)
    output = io.BytesIO()
    figure.savefig(output, format="png", dpi=DPI, facecolor=figure.get_facecolor(), metadata={"Software": None})
    return output.getvalue()


class BuildingMapView(ItalianExportIndexView):
    """The map page: the building list's filters, the image, the attribution, and the placed
    buildings as a paginated table (Comune, address, units)."""

    FORMATS = ()  # no files from the map: the building list has its exports
    template_name = "registry/admin/building_map.html"

    def get_template_names(self):
        return [self.template_name]

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["css/register-admin.css"]})

    def get_page_title(self):
        return _("Buildings on the map")

    def get_meta_title(self):
        return self.get_page_title()

    def drawn_params(self) -> list:
        """The query's parameters that choose the buildings drawn, in a stable order."""
        return sorted(
            (key, value) for key, values in self.request.GET.lists() if key not in NOT_DRAWN for value in values
        )

    def filters_text(self) -> str:
        """The active filters and search in words ("province: Bari; Comune: Bari")."""
        parts = []
        for spec in self.filter_specs:
            for index, choice in enumerate(spec.choices(self)):
                if index and choice.get("selected"):
                    parts.append(f"{spec.title}: {choice['display']}")
        if self.query:
            parts.append(_("search: %(query)s") % {"query": self.query})
        return "; ".join(parts)

    def alt_text(self, count: int) -> str:
        filters = self.filters_text()
        text = _(
            "Map of Puglia with the boundaries of the Comuni and %(count)d buildings of the register shown as dots."
        ) % {"count": count}
        if filters:
            text += " " + _("Filters: %(filters)s.") % {"filters": filters}
        return text + " " + _("The table below lists the same buildings.")

    def get_context_data(self, **kwargs):
        queryset = self.queryset
        counts = queryset.order_by().aggregate(
            total=Count("pk"), placed=Count("pk", filter=Q(latitude__isnull=False, longitude__isnull=False))
        )
        total, placed_count = counts["total"], counts["placed"]
        rows = placed(queryset)
        paginator = self.paginator_class(rows, self.items_per_page)
        paginator.__dict__["count"] = placed_count  # counted above with the total
        page_obj = paginator.get_page(self.page_num or 1)
        drawn = self.drawn_params()
        list_url = reverse("registry_building_modeladmin_index")
        return {
            "view": self,
            "result_count": placed_count,
            "all_count": total,
            "filtered_count": total,
            "unplaced_count": total - placed_count,
            "paginator": paginator,
            "page_obj": page_obj,
            "elided_page_range": paginator.get_elided_page_range(page_obj.number),
            "object_list": page_obj.object_list,
            "image_url": reverse("registry_building_map_image") + (f"?{urlencode(drawn)}" if drawn else ""),
            "list_url": list_url + (f"?{urlencode(drawn)}" if drawn else ""),
            "unplaced_url": f"{list_url}?{urlencode([*[item for item in drawn if item[0] != 'coordinates'], ('coordinates', 'no')])}",
            "alt_text": self.alt_text(placed_count),
            "attribution": ATTRIBUTION,
            "show_search": self.search_handler.show_search_form,
            "user_can_create": False,
            **kwargs,
        }


class BuildingMapImageView(BuildingMapView):
    """The map's image (PNG) for the same filters, from the shared cache."""

    def get(self, request, *args, **kwargs):
        version = stock_version()  # before the data: a later write changes the key
        visible = access.access_for(request.user).visible_ids()
        identity = json.dumps(
            {
                "scope": None if visible is None else sorted(visible),
                "params": self.drawn_params(),
                "language": get_language(),
                "version": version,
            },
            separators=(",", ":"),
            default=str,
        )
        key = CACHE_KEY_PREFIX + hashlib.sha256(identity.encode()).hexdigest()
        image = cache.get(key)
        if image is None:
            image = render_building_map(
                map_points(self.queryset), title=str(_("Buildings of the register")), subtitle=self.filters_text()
            )
            cache.set(key, image, CACHE_SECONDS)
        response = HttpResponse(image, content_type="image/png")
        # The image shows one person's scope: never kept by a shared proxy.
        response["Cache-Control"] = "private, max-age=0, must-revalidate"
        return response
