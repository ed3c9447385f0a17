"""Drawing on the map of Puglia with matplotlib's object-oriented API (no pyplot, Agg only):
the Comuni (filled or as an outline), points given as longitude/latitude, and the frame.
The register's map and the dashboards' maps are drawn with these, on the same projection
(registry.geo.boundaries)."""

import numpy as np
from matplotlib.collections import PolyCollection

from registry.geo.boundaries import boundaries


def draw_comuni(ax, *, facecolors, edgecolor, linewidth: float = 0.3, **options) -> PolyCollection:
    """The Comuni's polygons on `ax`: `facecolors` one colour for all, or a list in the order
    of `boundaries().polygon_codes`. Returns the collection added."""
    collection = PolyCollection(
        boundaries().polygons, facecolors=facecolors, edgecolors=edgecolor, linewidths=linewidth, **options
    )
    ax.add_collection(collection)
    return collection


def projected_points(points) -> np.ndarray:
    """(lon, lat) pairs as an array of projected (x, y) rows (empty: shape (0, 2))."""
    geo = boundaries()
    return np.asarray([geo.project(float(lon), float(lat)) for lon, lat in points], dtype=float).reshape(-1, 2)


def draw_points(ax, points, **style):
    """Points given as (lon, lat) pairs, projected; `style` goes to `ax.scatter`. Nothing is
    drawn for no points (returns None)."""
    xy = projected_points(points)
    if not len(xy):
        return None
    return ax.scatter(xy[:, 0], xy[:, 1], **style)


def frame(ax, *, pad: float = 0.02, anchor: str = "W") -> None:
    """Fit `ax` to the whole region (with `pad`, a fraction of its width), equal aspect, no
    axes drawn."""
    xmin, xmax, ymin, ymax = boundaries().extent
    margin = pad * (xmax - xmin)
    ax.set_xlim(xmin - margin, xmax + margin)
    ax.set_ylim(ymin - margin, ymax + margin)
    ax.set_aspect("equal", adjustable="box")
    ax.set_anchor(anchor)
    ax.set_axis_off()
