"""The Comuni's boundaries, their projection, and whether a point lies in a Comune.

The file is registry/data/comuni_puglia_boundaries.geojson (WGS84 longitude/latitude, one
Feature per Comune with `istat_code` and `name`), read once per process and kept in memory
(read-only data). Two forms are kept:

- for drawing, the outer rings projected equirectangularly with longitudes scaled by the
  cosine of the region's mean latitude (over a region of Puglia's size it keeps shapes and
  areas right to within a few per cent, with no GIS library), largest first so that enclaves
  are drawn on top of the Comune around them;
- for the point-in-Comune test, each polygon in longitude/latitude with its holes (an enclave
  is a hole of the Comune around it: a point in it is not in that Comune).

The boundaries were simplified with a tolerance of 0.001 degrees (about 100 m): a building on
a border may fall just outside its Comune's simplified line. A point within
`BORDER_TOLERANCE_METRES` of its Comune's boundary is therefore accepted; anything farther
out is refused, naming the Comune it does fall in when there is one.
"""

import json
import math
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from core.numbers import format_italian_decimal

BOUNDARIES_PATH = Path(__file__).resolve().parent.parent / "data" / "comuni_puglia_boundaries.geojson"
# Keep under every map drawn with these boundaries (CC BY 4.0): see registry/data/SOURCES.md.
ATTRIBUTION = "Confini: Openpolis su dati ISTAT, CC BY 4.0"
# About the simplification of the boundaries (0.001 degrees, up to ~110 m) and then some.
BORDER_TOLERANCE_METRES = 150.0
_METRES_PER_DEGREE_LAT = 110_574.0
_METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0


@dataclass(frozen=True)
class Area:
    """One polygon of a Comune in longitude/latitude: its outer ring, its holes, its box."""

    outer: np.ndarray
    holes: tuple[np.ndarray, ...]
    box: tuple[float, float, float, float]  # lon min, lon max, lat min, lat max


@dataclass(frozen=True)
class Boundaries:
    codes: tuple[str, ...]  # the Comuni, in the file's order
    names: dict[str, str]
    polygons: tuple[np.ndarray, ...]  # projected outer rings, largest first (enclaves on top)
    polygon_codes: tuple[str, ...]  # the Comune of each polygon
    x_scale: float  # cos(mean latitude): lon -> x
    extent: tuple[float, float, float, float]  # xmin, xmax, ymin, ymax
    areas: dict[str, tuple[Area, ...]]  # ISTAT code -> its polygons, unprojected, with holes

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return lon * self.x_scale, lat


_boundaries: Boundaries | None = None
_boundaries_lock = threading.Lock()


def _polygons(geometry: dict) -> list[list]:
    """The polygons (outer ring then holes) of a Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))) / 2


def _box(ring: np.ndarray) -> tuple[float, float, float, float]:
    return float(ring[:, 0].min()), float(ring[:, 0].max()), float(ring[:, 1].min()), float(ring[:, 1].max())


def load(path: Path) -> Boundaries:
    """The boundaries in the GeoJSON file `path` (see the module's docstring)."""
    with path.open(encoding="utf-8") as file:
        collection = json.load(file)
    codes, names, rings, areas = [], {}, [], {}
    for feature in collection["features"]:
        code = feature["properties"]["istat_code"]
        codes.append(code)
        names[code] = feature["properties"]["name"]
        comune_areas = []
        for polygon in _polygons(feature["geometry"]):
            outer = np.asarray(polygon[0], dtype=float)
            holes = tuple(np.asarray(ring, dtype=float) for ring in polygon[1:])
            comune_areas.append(Area(outer=outer, holes=holes, box=_box(outer)))
            # Holes are covered by the Comuni inside them, drawn after the larger polygon.
            rings.append((code, outer))
        areas[code] = tuple(comune_areas)
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
        areas=areas,
    )


def boundaries() -> Boundaries:
    """The Comuni's boundaries, read and projected once per process."""
    global _boundaries
    if _boundaries is None:
        with _boundaries_lock:
            if _boundaries is None:
                _boundaries = load(BOUNDARIES_PATH)
    return _boundaries


# --- point in Comune ------------------------------------------------------------------------


def _in_ring(ring: np.ndarray, lon: float, lat: float) -> bool:
    """Even-odd rule: a ray from the point crosses the ring an odd number of times."""
    xs, ys = ring[:, 0], ring[:, 1]
    xp, yp = np.roll(xs, 1), np.roll(ys, 1)
    straddles = (ys > lat) != (yp > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing_x = (xp - xs) * (lat - ys) / (yp - ys) + xs
    return bool(np.count_nonzero(straddles & (lon < crossing_x)) % 2)


def _in_area(area: Area, lon: float, lat: float) -> bool:
    lon_min, lon_max, lat_min, lat_max = area.box
    if not (lon_min <= lon <= lon_max and lat_min <= lat <= lat_max):
        return False
    return _in_ring(area.outer, lon, lat) and not any(_in_ring(hole, lon, lat) for hole in area.holes)


def _distance_to_ring_metres(ring: np.ndarray, lon: float, lat: float) -> float:
    """The shortest distance from the point to the ring's edges, in metres (local plane)."""
    kx = _METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat))
    x, y = (ring[:, 0] - lon) * kx, (ring[:, 1] - lat) * _METRES_PER_DEGREE_LAT
    ax, ay, bx, by = x[:-1], y[:-1], x[1:], y[1:]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(length2 > 0, -(ax * dx + ay * dy) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    px, py = ax + t * dx, ay + t * dy
    return float(np.sqrt(px * px + py * py).min())


def _near_border(code: str, lon: float, lat: float, metres: float) -> bool:
    margin_lat = metres / _METRES_PER_DEGREE_LAT
    margin_lon = metres / (_METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat)))
    for area in boundaries().areas.get(code, ()):
        lon_min, lon_max, lat_min, lat_max = area.box
        if not (
            lon_min - margin_lon <= lon <= lon_max + margin_lon and lat_min - margin_lat <= lat <= lat_max + margin_lat
        ):
            continue
        if _distance_to_ring_metres(area.outer, lon, lat) <= metres:
            return True
    return False


def contains(code: str, lon: float, lat: float, *, tolerance_metres: float = 0.0) -> bool:
    """Whether the point lies in the Comune `code` (ISTAT), or within `tolerance_metres` of
    its outer boundary."""
    lon, lat = float(lon), float(lat)
    if any(_in_area(area, lon, lat) for area in boundaries().areas.get(code, ())):
        return True
    return tolerance_metres > 0 and _near_border(code, lon, lat, tolerance_metres)


def comune_at(lon: float, lat: float) -> str | None:
    """The ISTAT code of the Comune of Puglia the point lies in, or None (sea, another region)."""
    lon, lat = float(lon), float(lat)
    for code, areas in boundaries().areas.items():
        if any(_in_area(area, lon, lat) for area in areas):
            return code
    return None


def _shown(value) -> str:
    return format_italian_decimal(Decimal(str(value)), 6, grouping=False)


def coordinates_problem(comune_code: str, latitude, longitude) -> str | None:
    """The rule on a building's coordinates: None when they are blank (either of them) or lie
    in the building's Comune (ISTAT `comune_code`, with the tolerance of the module's
    docstring); otherwise the translated reason, naming the Comune the point falls in, or
    noting latitude and longitude look swapped. A Comune without a known boundary is not
    checked (every Comune of Puglia has one)."""
    if latitude is None or longitude is None or latitude == "" or longitude == "":
        return None
    geo = boundaries()
    if comune_code not in geo.areas:
        return None
    lat, lon = float(latitude), float(longitude)
    if contains(comune_code, lon, lat, tolerance_metres=BORDER_TOLERANCE_METRES):
        return None
    values = {
        "latitude": _shown(latitude),
        "longitude": _shown(longitude),
        "comune": geo.names[comune_code],
    }
    if contains(comune_code, lat, lon):
        return (
            _(
                "The point (latitude %(latitude)s, longitude %(longitude)s) is not in %(comune)s: latitude and longitude seem swapped."
            )
            % values
        )
    elsewhere = comune_at(lon, lat)
    if elsewhere is not None:
        return _(
            "The point (latitude %(latitude)s, longitude %(longitude)s) lies in %(other)s, not in %(comune)s: check the coordinates."
        ) % {**values, "other": geo.names[elsewhere]}
    return (
        _(
            "The point (latitude %(latitude)s, longitude %(longitude)s) lies outside the boundary of %(comune)s: check the coordinates."
        )
        % values
    )


def random_point(code: str, rng) -> tuple[float, float]:
    """A point (lat, lon) inside the Comune `code`, drawn with `rng` (random.Random): for
    synthetic and demo buildings, which must pass `coordinates_problem` like real ones."""
    areas = boundaries().areas[code]
    area = max(areas, key=lambda item: _area(item.outer))
    lon_min, lon_max, lat_min, lat_max = area.box
    for _attempt in range(500):
        lon, lat = rng.uniform(lon_min, lon_max), rng.uniform(lat_min, lat_max)
        if _in_area(area, lon, lat):
            return lat, lon
    lon, lat = area.outer[0]  # on the boundary: within the tolerance
    return float(lat), float(lon)
