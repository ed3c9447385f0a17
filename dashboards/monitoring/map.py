"""The monitoring on the map of Puglia: each Comune coloured by its state (a categorical
choropleth), on the dashboards' boundaries (dashboards/rendering/puglia_map.py) and theme.

States, in the order of the legend: behind (nothing sent or sent late in an open call, or a
stale register), in progress (a draft not sent yet, nothing behind), on track; the Comuni the
filters leave out are grey and hatched, as the dashboards' maps draw "no data". The colours
are Okabe–Ito's (told apart with the common colour-vision deficiencies), and the screen's
table beside the image is its text alternative."""

import hashlib
import json
from enum import StrEnum

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from dashboards.rendering import charts, theme
from dashboards.rendering.image_cache import cached_render
from dashboards.rendering.puglia_map import ATTRIBUTION, boundaries

from .selectors import CallStatus, ComuneRow

WIDTH, HEIGHT, DPI = 800, 560, charts.DPI
SOURCE = "PUSH – monitoraggio dei Comuni"


class MapStatus(StrEnum):
    BEHIND = "behind"
    IN_PROGRESS = "in_progress"
    ON_TRACK = "on_track"
    NOT_SHOWN = "not_shown"


LABELS = {
    MapStatus.BEHIND: gettext_lazy("Behind"),
    MapStatus.IN_PROGRESS: gettext_lazy("In progress (draft)"),
    MapStatus.ON_TRACK: gettext_lazy("On track"),
    MapStatus.NOT_SHOWN: gettext_lazy("Not in the filters"),
}
COLOURS = {
    MapStatus.BEHIND: theme.CATEGORICAL[3],  # vermilion
    MapStatus.IN_PROGRESS: theme.CATEGORICAL[1],  # orange
    MapStatus.ON_TRACK: theme.CATEGORICAL[2],  # bluish green
    MapStatus.NOT_SHOWN: theme.NO_DATA,
}


def status_of(row: ComuneRow) -> MapStatus:
    if row.behind:
        return MapStatus.BEHIND
    if any(status == CallStatus.DRAFT for status in row.calls.values()):
        return MapStatus.IN_PROGRESS
    return MapStatus.ON_TRACK


def statuses(rows: list[ComuneRow]) -> dict[str, MapStatus]:
    """The state of every Comune of the map (ISTAT code -> state); those not in `rows` are
    not shown."""
    by_code = {row.code: status_of(row) for row in rows}
    return {code: by_code.get(code, MapStatus.NOT_SHOWN) for code in boundaries().codes}


def comune_colours(rows: list[ComuneRow]) -> dict[str, str]:
    """The colour of every Comune of the map (ISTAT code -> "#RRGGBB")."""
    return {code: COLOURS[status] for code, status in statuses(rows).items()}


def counts(rows: list[ComuneRow]) -> dict[MapStatus, int]:
    """How many of the shown Comuni are in each state (the legend and the text alternative)."""
    result = {status: 0 for status in (MapStatus.BEHIND, MapStatus.IN_PROGRESS, MapStatus.ON_TRACK)}
    for row in rows:
        result[status_of(row)] += 1
    return result


def describe(rows: list[ComuneRow]) -> str:
    """The map in words: how many Comuni in each state (the image's alt text)."""
    parts = [f"{LABELS[status]}: {count}" for status, count in counts(rows).items()]
    return _("Map of the Comuni of Puglia by state. %(counts)s.") % {"counts": "; ".join(parts)}


CACHE_KEY = "monitoring-map"


def data_version(rows: list[ComuneRow]) -> str:
    """The version of what the map draws: every Comune's state and the legend's counts. Any
    change of the data that changes the picture (a submission sent, a register gone stale,
    an accreditation) changes it; a change that does not (a person added) leaves it, and the
    image is served from the cache."""
    drawn = {
        "statuses": sorted((code, str(status)) for code, status in statuses(rows).items()),
        "counts": sorted((str(status), count) for status, count in counts(rows).items()),
    }
    return hashlib.sha256(json.dumps(drawn, separators=(",", ":")).encode()).hexdigest()[:32]


def render(rows: list[ComuneRow], *, title: str, filters_text: str, fmt: str = "png") -> bytes:
    """The map as PNG or SVG bytes, drawn once for the same data, title, filters, language and
    format and then served from the shared cache (dashboards/rendering/image_cache.py), so
    every server process draws it once, not on every request."""
    return cached_render(
        chart_key=CACHE_KEY,
        params={"title": str(title), "filters": filters_text, "language": get_language() or ""},
        version=data_version(rows),
        fmt=fmt,
        produce=lambda: draw(rows, title=title, filters_text=filters_text, fmt=fmt),
    )


def draw(rows: list[ComuneRow], *, title: str, filters_text: str, fmt: str = "png") -> bytes:
    """The map drawn now as PNG or SVG bytes: title, active filters, the Comuni by state, the
    legend with counts, the source and the boundaries' attribution."""
    family = theme.font_family()
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor=theme.BACKGROUND)
    FigureCanvasAgg(figure)
    figure.text(
        0.015,
        0.975,
        title,
        ha="left",
        va="top",
        fontsize=charts.TITLE_PT,
        fontweight="bold",
        fontfamily=family,
        color=theme.TEXT,
    )
    if filters_text:
        figure.text(
            0.015,
            0.93,
            filters_text[:160],
            ha="left",
            va="top",
            fontsize=charts.FILTERS_PT,
            fontfamily=family,
            color=theme.TEXT_SECONDARY,
        )
    for line, y in ((_("Source: %(source)s") % {"source": SOURCE}, 0.045), (ATTRIBUTION, 0.015)):
        figure.text(
            0.015,
            y,
            line,
            ha="left",
            va="bottom",
            fontsize=charts.FOOTER_PT,
            fontfamily=family,
            color=theme.TEXT_SECONDARY,
        )
    ax = figure.add_axes([0.3, 0.09, 0.68, 0.8])
    geo = boundaries()
    by_code = statuses(rows)
    ax.add_collection(
        PolyCollection(
            geo.polygons,
            facecolors=[COLOURS[by_code[code]] for code in geo.polygon_codes],
            edgecolors=theme.BACKGROUND,
            linewidths=0.3,
        )
    )
    hidden = [polygon for polygon, code in zip(geo.polygons, geo.polygon_codes) if by_code[code] == MapStatus.NOT_SHOWN]
    if hidden:
        ax.add_collection(
            PolyCollection(hidden, facecolors="none", edgecolors=theme.NO_DATA_HATCH, linewidths=0, hatch="////")
        )
    xmin, xmax, ymin, ymax = geo.extent
    pad = 0.02 * (xmax - xmin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.set_anchor("W")
    ax.set_axis_off()
    handles = [
        Patch(facecolor=COLOURS[status], edgecolor=theme.GRID, linewidth=0.5, label=f"{LABELS[status]} ({count})")
        for status, count in counts(rows).items()
    ]
    if hidden:
        handles.append(
            Patch(
                facecolor=theme.NO_DATA,
                edgecolor=theme.NO_DATA_HATCH,
                hatch="////",
                linewidth=0,
                label=str(LABELS[MapStatus.NOT_SHOWN]),
            )
        )
    legend = figure.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.015, 0.12),
        frameon=False,
        prop={"family": family, "size": charts.LABEL_PT},
        alignment="left",
    )
    for text in legend.get_texts():
        text.set_color(theme.TEXT)
    return charts.save(figure, fmt)
