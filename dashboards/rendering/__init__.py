"""Dashboard images: an indicator's `Result` drawn as a chart or a map of Puglia, and cached.

render(result, *, kind, title, filters_text, fmt="png", buildings=None, width=800, height=450) -> bytes
map_colours(result) -> {ISTAT code: "#RRGGBB"}
cached_render(*, chart_key, params, version, fmt, produce) -> bytes
"""

from .charts import CHART_KINDS, FORMATS, render
from .image_cache import cached_render, image_cache_key
from .puglia_map import ATTRIBUTION, map_colours

__all__ = ["ATTRIBUTION", "CHART_KINDS", "FORMATS", "cached_render", "image_cache_key", "map_colours", "render"]
