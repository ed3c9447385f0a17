"""The look of every dashboard image: one PA theme.

Colours follow Bootstrap Italia (the Italian public administration's design system):
primary blue #0066CC, dark text #17324D, secondary text #5D7083. Series are told apart by the
Okabe–Ito palette, designed to stay distinguishable with the common colour-vision deficiencies;
maps use a single-hue blue ramp (ColorBrewer "Blues"), ordered by lightness, so its classes read
in the same order for every reader and in greyscale print.

Text is set in Titillium Web, the font of the Italian PA's sites, shipped by the
bootstrap_italia_template package under the SIL Open Font License 1.1 (its OFL.txt sits beside
the TTF files; the licence allows embedding the font's glyphs in images and documents). It is
registered with matplotlib once, on first use; when the files are missing, DejaVu Sans
(matplotlib's own font) is used instead.
"""

import importlib.resources
import threading

from matplotlib import font_manager

PRIMARY = "#0066CC"
TEXT = "#17324D"
TEXT_SECONDARY = "#5D7083"
GRID = "#D9DADB"
BACKGROUND = "#FFFFFF"

# Okabe & Ito (2008), "Color Universal Design": colour-blind-safe categorical colours.
# Yellow and black last: yellow has low contrast on white.
CATEGORICAL = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

# ColorBrewer "Blues" (colour-blind safe and print friendly), light to dark: five of its nine
# steps, skipping the near-white ones so that the lightest class still reads against the page.
SEQUENTIAL = ("#DEEBF7", "#9ECAE1", "#6BAED6", "#3182BD", "#08519C")
# Comuni without a value: neutral grey (and hatched on the map, so it is not read as a class).
NO_DATA = "#D4D4D4"
NO_DATA_HATCH = "#8C8C8C"
BUILDING = "#D55E00"  # vermilion dots stand out on every blue of the ramp

FALLBACK_FAMILY = "DejaVu Sans"
_TITILLIUM = "Titillium Web"
_TITILLIUM_FILES = (
    "titillium-web-v10-latin-ext_latin-regular.ttf",
    "titillium-web-v10-latin-ext_latin-600.ttf",
    "titillium-web-v10-latin-ext_latin-700.ttf",
)
_font_lock = threading.Lock()
_family: str | None = None


def _titillium_directory():
    try:
        package = importlib.resources.files("bootstrap_italia_template")
    except ModuleNotFoundError:
        return None
    return package / "static" / "fonts" / "Titillium_Web"


def font_family() -> str:
    """The family every text of the images uses: Titillium Web, registered once (thread-safe),
    or DejaVu Sans when the font files are not installed."""
    global _family
    if _family is not None:
        return _family
    with _font_lock:
        if _family is None:
            directory = _titillium_directory()
            paths = [directory / name for name in _TITILLIUM_FILES] if directory is not None else []
            if paths and all(path.is_file() for path in paths):
                for path in paths:
                    font_manager.fontManager.addfont(str(path))
                _family = _TITILLIUM
            else:
                _family = FALLBACK_FAMILY
    return _family


def series_colours(count: int) -> list[str]:
    """One colour per series: the PA primary blue for a single series, Okabe–Ito for several."""
    if count == 1:
        return [PRIMARY]
    return [CATEGORICAL[index % len(CATEGORICAL)] for index in range(count)]
