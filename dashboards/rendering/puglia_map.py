"""The map of Puglia: the 257 Comuni coloured by an indicator's value (a choropleth).

The boundaries, their projection and the drawing primitives are the register's
(registry.geo: registry/data/comuni_puglia_boundaries.geojson, Openpolis on ISTAT data,
CC BY 4.0, see registry/data/SOURCES.md), so that the register's map of buildings and the
dashboards' maps share one copy of the data and one projection.

Classes: up to five quantile classes (each holds about the same number of areas). Quantiles and
not equal intervals because the indicators are skewed (Bari and a few large Comuni against two
hundred small ones): with equal intervals nearly every Comune would fall in the lightest class.
Upper bounds are values of the data, so each class reads "from – to" with real figures; the
highest value is always in the darkest class used. A result by province colours every Comune of
the province with the province's value (classes over the six provinces).
"""

import bisect
import math

from django.utils.translation import gettext as _
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch

from dashboards.results import CategoryKind, Result

# ATTRIBUTION, Boundaries and boundaries are also imported from here by the dashboards' modules.
from registry.geo import ATTRIBUTION, Boundaries, boundaries  # noqa: F401
from registry.geo.drawing import draw_comuni, draw_points, frame

from . import theme
from .formats import format_number, format_value

# The province of a Comune is the prefix of its ISTAT code.
PROVINCE_BY_PREFIX = {"071": "FG", "072": "BA", "073": "TA", "074": "BR", "075": "LE", "110": "BT"}
MAX_CLASSES = 5


def province_of(istat_code: str) -> str | None:
    """The sigla of the province of the Comune `istat_code` (e.g. "072006" -> "BA")."""
    return PROVINCE_BY_PREFIX.get(str(istat_code)[:3])


def comune_values(result: Result) -> dict[str, object]:
    """The value (first series) each Comune of the map shows; None where there is none.

    A result by province gives each Comune its province's value."""
    if result.category_kind not in (CategoryKind.COMUNE, CategoryKind.PROVINCE):
        raise ValueError(_("A map needs an indicator by Comune or by province."))
    values = result.series[0].values if result.series else []
    by_code = {str(code): value for code, value in zip(result.codes, values)}
    if result.category_kind == CategoryKind.PROVINCE:
        return {code: by_code.get(province_of(code)) for code in boundaries().codes}
    return {code: by_code.get(code) for code in boundaries().codes}


def _area_values(result: Result) -> list:
    """The values the classes are made of: one per area drawn with its own value (a Comune, or
    a province for a result by province)."""
    known = set(boundaries().codes) if result.category_kind == CategoryKind.COMUNE else set(PROVINCE_BY_PREFIX.values())
    values = result.series[0].values if result.series else []
    return [value for code, value in zip(result.codes, values) if str(code) in known and value is not None]


def class_breaks(values, classes: int = MAX_CLASSES) -> list:
    """Upper bounds of up to `classes` quantile classes of `values` (ascending, distinct; the
    last is the maximum). Empty when there are no values."""
    ordered = sorted(values)
    if not ordered:
        return []
    count = min(classes, len(set(ordered)))
    uppers = []
    for index in range(1, count + 1):
        upper = ordered[math.ceil(index * len(ordered) / count) - 1]
        if not uppers or upper > uppers[-1]:
            uppers.append(upper)
    return uppers


def class_of(value, uppers: list) -> int:
    """The class of `value`: the first whose upper bound is at least `value`."""
    return min(bisect.bisect_left(uppers, value), len(uppers) - 1)


def ramp(count: int) -> tuple[str, ...]:
    """`count` colours of the sequential ramp, spread from light to dark (the darkest always
    included, so the highest class is the darkest colour whatever the number of classes)."""
    if count <= 0:
        return ()
    if count == 1:
        return (theme.SEQUENTIAL[-1],)
    last = len(theme.SEQUENTIAL) - 1
    return tuple(theme.SEQUENTIAL[round(last - (count - 1 - index) * last / (count - 1))] for index in range(count))


def map_colours(result: Result) -> dict[str, str]:
    """Colour of every Comune of Puglia (ISTAT code -> "#RRGGBB") for `result`: its class's
    colour on the blue ramp, or the neutral grey when it has no value (suppressed or missing)."""
    uppers = class_breaks(_area_values(result))
    colours = ramp(len(uppers))
    return {
        code: theme.NO_DATA if value is None else colours[class_of(value, uppers)]
        for code, value in comune_values(result).items()
    }


def legend_labels(lowest, uppers: list, unit) -> list[str]:
    """One label per class: "10 – 25", then "> 25 – 40" (Italian formats, unit on the last)."""
    labels = []
    for index, upper in enumerate(uppers):
        if index == 0:
            lower_text = format_number(lowest, unit)
        else:
            lower_text = "> " + format_number(uppers[index - 1], unit)
        upper_text = format_value(upper, unit)
        labels.append(upper_text if lower_text == format_number(upper, unit) else f"{lower_text} – {upper_text}")
    return labels


def draw_map(ax, result: Result, *, buildings=None, family: str, fontsize: float) -> None:
    """Draw the choropleth of `result` (and the buildings, (lon, lat) pairs) on `ax`."""
    geo = boundaries()
    colours = map_colours(result)
    values = comune_values(result)
    draw_comuni(ax, facecolors=[colours[code] for code in geo.polygon_codes], edgecolor=theme.BACKGROUND)
    missing = [polygon for polygon, code in zip(geo.polygons, geo.polygon_codes) if values[code] is None]
    if missing:
        # Hatching, so "no data" never reads as the lightest class.
        ax.add_collection(
            PolyCollection(missing, facecolors="none", edgecolors=theme.NO_DATA_HATCH, linewidths=0, hatch="////")
        )
    handles = []
    area_values = _area_values(result)
    uppers = class_breaks(area_values)
    for colour, label in zip(ramp(len(uppers)), legend_labels(min(area_values, default=0), uppers, result.unit)):
        handles.append(Patch(facecolor=colour, edgecolor=theme.GRID, linewidth=0.5, label=label))
    if missing:
        handles.append(
            Patch(
                facecolor=theme.NO_DATA,
                edgecolor=theme.NO_DATA_HATCH,
                hatch="////",
                linewidth=0,
                label=_("No data or not shown"),
            )
        )
    if buildings:
        draw_points(ax, buildings, s=5, c=theme.BUILDING, linewidths=0.3, edgecolors=theme.TEXT, zorder=3)
        handles.append(
            ax.scatter([], [], s=12, c=theme.BUILDING, linewidths=0.3, edgecolors=theme.TEXT, label=_("Buildings"))
        )
    frame(ax)
    if handles:
        legend = ax.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(-0.02, 0),
            frameon=False,
            prop={"family": family, "size": fontsize},
            title=result.series[0].label if result.series else None,
            title_fontproperties={"family": family, "size": fontsize, "weight": "bold"},
            alignment="left",
            handlelength=1.4,
            handleheight=1.0,
        )
        for text in legend.get_texts():
            text.set_color(theme.TEXT)
        legend.get_title().set_color(theme.TEXT)
