"""The geography of the register: where the Comuni of Puglia are, and whether a building's
coordinates lie in its Comune.

- ``boundaries``  the 257 Comuni's boundaries (registry/data/comuni_puglia_boundaries.geojson,
                  Openpolis on ISTAT data, CC BY 4.0: see registry/data/SOURCES.md), read once
                  per process; the projection used to draw them; point-in-Comune; and the one
                  rule on a building's coordinates, `coordinates_problem`, which the building
                  form, the units file and the API (both through registry.stock.spec) apply
- ``drawing``     matplotlib primitives (Comuni outline, points, frame): the register's map and
                  the dashboards' maps draw with them (imported on its own: matplotlib is heavy)
- ``geocoder``    an address to coordinates through a Nominatim-compatible service, only where
                  PUSH_GEOCODER_URL is set; its answer passes the same rule

No GIS library, no tile server, no network at run time except the optional geocoder.
"""

from registry.geo.boundaries import (
    ATTRIBUTION,
    BOUNDARIES_PATH,
    Boundaries,
    boundaries,
    comune_at,
    contains,
    coordinates_problem,
)

__all__ = [
    "ATTRIBUTION",
    "BOUNDARIES_PATH",
    "Boundaries",
    "boundaries",
    "comune_at",
    "contains",
    "coordinates_problem",
]
