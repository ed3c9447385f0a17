"""The map of Puglia: the 257 Comuni coloured by an indicator's value (a choropleth).

The boundaries are dashboards/data/comuni_puglia_boundaries.geojson (Openpolis on ISTAT data,
CC BY 4.0, see dashboards/data/SOURCES.md), read once per process and kept projected in memory
(read-only data). The projection is equirectangular with longitudes scaled by the cosine of the
region's mean latitude: over a region of Puglia's size it keeps shapes and areas right to within a
few per cent, with no GIS library.

Classes: up to five quantile classes (each holds about the same number of areas). Quantiles and
not equal intervals because the indicators are skewed (Bari and a few large Comuni against two
hundred small ones): with equal intervals nearly every Comune would fall in the lightest class.
Upper bounds are values of the data, so each class reads "from – to" with real figures; the
highest value is always in the darkest class used. A result by province colours every Comune of
the province with the province's value (classes over the six provinces).
"""

import bisect
import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch

from dashboards.results import CategoryKind, Result

from . import theme
from .formats import format_number, format_value

BOUNDARIES_PATH = Path(__file__).resolve().parent.parent / "data" / "comuni_puglia_boundaries.geojson"
ATTRIBUTION = "Confini: Openpolis su dati ISTAT, CC BY 4.0"
# The province of a Comune is the prefix of its ISTAT code.
PROVINCE_BY_PREFIX = {"071": "FG", "072": "BA", "073": "TA", "074": "BR", "075": "LE", "110": "BT"}
MAX_CLASSES = 5


def province_of(istat_code: str) -> str | None:
    """The sigla of the province of the Comune `istat_code` (e.g. "072006" -> "BA")."""
    return PROVINCE_BY_PREFIX.get(str(istat_code)[:3])


@dataclass(frozen=True)
class Boundaries:
    codes: tuple[str, ...]  # the Comuni, in the file's order
    names: dict[str, str]
    polygons: tuple[np.ndarray, ...]  # projected outer rings, largest first (enclaves on top)
    polygon_codes: tuple[str, ...]  # the Comune of each polygon
    x_scale: float  # cos(mean latitude): lon -> x
    extent: tuple[float, float, float, float]  # xmin, xmax, ymin, ymax

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return lon * self.x_scale, lat


_boundaries: Boundaries | None = None
_boundaries_lock = threading.Lock()


def _rings(geometry: dict) -> list[list]:
    """The outer rings of a Polygon or MultiPolygon (holes are covered by the Comuni inside them,
    drawn after the larger polygon)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))) / 2


def _load(path: Path) -> Boundaries:
    with path.open(encoding="utf-8") as file:
        collection = json.load(file)
    codes, names, rings = [], {}, []
    for feature in collection["features"]:
        code = feature["properties"]["istat_code"]
        codes.append(code)
        names[code] = feature["properties"]["name"]
        rings.extend((code, np.asarray(ring, dtype=float)) for ring in _rings(feature["geometry"]))
    latitudes = np.concatenate([ring[:, 1] for _code, ring in rings])
    x_scale = math.cos(math.radians(float((latitudes.min() + latitudes.max()) / 2)))
    projected = []
    for code, ring in rings:
        ring = ring.copy()
        ring[:, 0] *= x_scale
        projected.append((code, ring))
    projected.sort(key=lambda item: -_area(item[1]))
    xs = np.concatenate([ring[:, 0] for _code, ring in projected])
    ys = np.concatenate([ring[:, 1] for _code, ring in projected])
    return Boundaries(
        codes=tuple(codes),
        names=names,
        polygons=tuple(ring for _code, ring in projected),
        polygon_codes=tuple(code for code, _ring in projected),
        x_scale=x_scale,
        extent=(float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())),
    )


def boundaries() -> Boundaries:
    """The Comuni's boundaries, read and projected once per process."""
    global _boundaries
    if _boundaries is None:
        with _boundaries_lock:
            if _boundaries is None:
                _boundaries = _load(BOUNDARIES_PATH)
    return _boundaries


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
    ax.add_collection(
        PolyCollection(
            geo.polygons,
            facecolors=[colours[code] for code in geo.polygon_codes],
            edgecolors=theme.BACKGROUND,
            linewidths=0.3,
        )
    )
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
        points = np.asarray([geo.project(float(lon), float(lat)) for lon, lat in buildings], dtype=float)
        ax.scatter(points[:, 0], points[:, 1], s=5, c=theme.BUILDING, linewidths=0.3, edgecolors=theme.TEXT, zorder=3)
        handles.append(
            ax.scatter([], [], s=12, c=theme.BUILDING, linewidths=0.3, edgecolors=theme.TEXT, label=_("Buildings"))
        )
    xmin, xmax, ymin, ymax = geo.extent
    pad = 0.02 * (xmax - xmin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.set_anchor("W")
    ax.set_axis_off()
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
