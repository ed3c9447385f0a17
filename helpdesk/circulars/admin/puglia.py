"""The map of Puglia of a circular's read status: each Comune coloured replied, read, not
read, or grey when it was not a recipient (the ARCA are listed in the table only).

Drawn as inline SVG from the dashboards' boundaries (dashboards.rendering.puglia_map: the
Comuni's projected outer rings, read once per process) with a fixed categorical palette
(Okabe–Ito, colour-blind safe; dashboards.rendering.theme); each Comune carries its name and
status as a <title>, and the table beside it says the same in words."""

import functools

from django.utils.translation import gettext_lazy as _

from dashboards.rendering import ATTRIBUTION, theme
from dashboards.rendering.puglia_map import boundaries

from ..selectors import Status

WIDTH = 560
COLOURS = {
    Status.REPLIED: theme.CATEGORICAL[2],  # bluish green
    Status.READ: theme.CATEGORICAL[0],  # blue
    Status.UNREAD: theme.CATEGORICAL[3],  # vermilion
    None: theme.NO_DATA,
}
LABELS = {
    Status.REPLIED: _("Replied"),
    Status.READ: _("Read"),
    Status.UNREAD: _("Not read"),
    None: _("Not a recipient"),
}


@functools.cache
def _paths() -> tuple[tuple[str, str], ...]:
    """(ISTAT code, SVG path data) of every Comune, scaled to WIDTH, north up."""
    geo = boundaries()
    xmin, xmax, ymin, ymax = geo.extent
    scale = WIDTH / (xmax - xmin)
    by_code: dict[str, list[str]] = {}
    for ring, code in zip(geo.polygons, geo.polygon_codes):
        points = " ".join(f"{(x - xmin) * scale:.1f},{(ymax - y) * scale:.1f}" for x, y in ring)
        by_code.setdefault(code, []).append(f"M{points}Z")
    return tuple((code, "".join(parts)) for code, parts in by_code.items())


def height() -> int:
    xmin, xmax, ymin, ymax = boundaries().extent
    return round((ymax - ymin) * WIDTH / (xmax - xmin))


def map_areas(statuses: dict[str, str]) -> list[dict]:
    """One area per Comune: its path, colour and title, from `statuses` (ISTAT code -> status;
    Comuni not in it were not recipients)."""
    names = boundaries().names
    areas = []
    for code, path in _paths():
        status = statuses.get(code)
        areas.append({"code": code, "path": path, "fill": COLOURS[status], "title": f"{names[code]}: {LABELS[status]}"})
    return areas


def legend() -> list[dict]:
    return [{"fill": COLOURS[key], "label": LABELS[key]} for key in (Status.REPLIED, Status.READ, Status.UNREAD, None)]


def context(statuses: dict[str, str]) -> dict:
    return {
        "map_areas": map_areas(statuses),
        "map_legend": legend(),
        "map_width": WIDTH,
        "map_height": height(),
        "map_attribution": ATTRIBUTION,
    }
