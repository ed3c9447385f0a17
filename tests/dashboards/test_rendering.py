"""Dashboard images (dashboards.rendering): valid PNG/SVG of every chart kind, Italian numbers,
hidden values as gaps, the same bytes for the same data, no pyplot."""

import hashlib
import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from dashboards.rendering import CHART_KINDS, render, theme
from dashboards.rendering.charts import draw, footer_lines
from dashboards.rendering.formats import ItalianTickFormatter, format_value, tick_places
from dashboards.results import CategoryKind, Result, Series, Unit

ROOT = Path(__file__).resolve().parents[2]


def _by_status(unit=Unit.COUNT) -> Result:
    return Result(
        indicator="stock_by_status",
        title="Units by occupancy status",
        unit=unit,
        category_kind=CategoryKind.LABEL,
        categories=["Occupied", "Vacant, ready", "Vacant, to renovate", "Sold"],
        codes=["occupied", "vacant_ready", "vacant_renovate", "sold"],
        series=[
            Series("arca", "ARCA", [1234, None, 56, 7]),
            Series("comuni", "Comuni", [300, 12, None, 9]),
        ],
        suppressed=2,
        note="Valori inferiori a 5 non mostrati.",
        source="Anagrafe del patrimonio PUSH",
    )


def _by_province() -> Result:
    return Result(
        indicator="units_by_province",
        title="Units by province",
        unit=Unit.COUNT,
        category_kind=CategoryKind.PROVINCE,
        categories=["Bari", "Barletta-Andria-Trani", "Brindisi", "Foggia", "Lecce", "Taranto"],
        codes=["BA", "BT", "BR", "FG", "LE", "TA"],
        series=[Series("units", "Units", [5000, None, 1200, 3100, 2800, 2500])],
        source="Anagrafe del patrimonio PUSH",
    )


def _for(kind: str) -> Result:
    return _by_province() if kind == "map" else _by_status()


def _render(kind: str, **kwargs) -> bytes:
    return render(_for(kind), kind=kind, title="Alloggi", filters_text="Anno: 2025 · Provincia: Bari", **kwargs)


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_each_kind_renders_a_valid_png_of_the_requested_size_with_hidden_values(kind):
    image = Image.open(io.BytesIO(_render(kind, width=640, height=400)))
    image.verify()
    assert image.format == "PNG"
    assert image.size == (640, 400)


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_each_kind_renders_valid_svg(kind):
    root = ElementTree.fromstring(_render(kind, fmt="svg"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_same_data_gives_the_same_png_bytes(kind):
    assert _render(kind) == _render(kind)


@pytest.mark.parametrize("kind", ["bar", "map"])
def test_same_data_gives_the_same_svg_bytes(kind):
    first = _render(kind, fmt="svg")
    assert b"<dc:date>" not in first
    assert first == _render(kind, fmt="svg")


def test_png_carries_no_software_or_time_stamp():
    data = _render("bar")
    assert b"matplotlib" not in data.lower()
    assert b"tIME" not in data


def test_renders_in_parallel_threads_give_the_serial_bytes():
    expected = {kind: _render(kind) for kind in CHART_KINDS}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda kind: (kind, _render(kind)), list(CHART_KINDS) * 2))
    assert all(data == expected[kind] for kind, data in results)


def test_unknown_kind_or_format_is_refused():
    with pytest.raises(ValueError):
        _render("pie3d")
    with pytest.raises(ValueError):
        _render("bar", fmt="gif")


@pytest.mark.parametrize(("width", "height"), [(100, 450), (800, 100), (5000, 450), (800, 5000)])
def test_sizes_outside_the_allowed_range_are_refused(width, height):
    with pytest.raises(ValueError):
        _render("bar", width=width, height=height)


def test_image_shows_the_title_the_active_filters_the_note_and_the_source():
    figure = draw(
        _by_status(), kind="bar", title="Alloggi", filters_text="Anno: 2025 · Provincia: Bari", width=800, height=450
    )
    texts = " ".join(text.get_text() for text in figure.texts)
    assert "Alloggi" in texts
    assert "Anno: 2025 · Provincia: Bari" in texts
    assert "Valori inferiori a 5 non mostrati." in texts
    assert "Anagrafe del patrimonio PUSH" in texts


def test_footer_says_hidden_values_are_gaps_only_when_there_are_some():
    with_gaps = footer_lines(_by_status(), kind="bar")
    assert with_gaps[0].startswith("Valori inferiori a 5 non mostrati.")
    assert "(n.d.)" in with_gaps[0]
    complete = Result(
        indicator="x",
        title="x",
        unit=Unit.COUNT,
        category_kind=CategoryKind.LABEL,
        categories=["a"],
        codes=["a"],
        series=[Series("s", "S", [10])],
    )
    assert footer_lines(complete, kind="bar") == []


def test_every_map_carries_the_boundaries_attribution():
    assert footer_lines(_by_province(), kind="map")[-1] == "Confini: Openpolis su dati ISTAT, CC BY 4.0"
    assert "Confini: Openpolis su dati ISTAT, CC BY 4.0" not in footer_lines(_by_province(), kind="bar")


def test_single_series_bars_label_a_hidden_value_nd():
    result = _by_status()
    result.series = result.series[:1]
    figure = draw(result, kind="hbar", title="t", filters_text="", width=800, height=450)
    labels = [text.get_text() for text in figure.axes[0].texts]
    assert labels == ["1.234", "n.d.", "56", "7"]


def test_a_result_without_categories_renders_a_message():
    empty = Result(
        indicator="x", title="x", unit=Unit.COUNT, category_kind=CategoryKind.LABEL, categories=[], codes=[], series=[]
    )
    Image.open(io.BytesIO(render(empty, kind="bar", title="t", filters_text=""))).verify()


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1234, Unit.COUNT, "1.234"),
        (1234567, Unit.COUNT, "1.234.567"),
        (Decimal("1234.56"), Unit.EURO, "1.234,56\u00a0€"),
        (Decimal("12.34"), Unit.PERCENT, "12,3\u00a0%"),
        (Decimal("4.561"), Unit.RATE, "4,56"),
        (None, Unit.COUNT, "n.d."),
        (-0.0, Unit.RATE, "0,00"),
    ],
)
def test_values_are_written_the_italian_way(value, unit, expected):
    assert format_value(value, unit) == expected


def test_days_carry_their_unit():
    assert format_value(Decimal("3.5"), Unit.DAYS).startswith("3,5")


@pytest.mark.parametrize(
    ("unit", "ticks", "expected"),
    [
        (Unit.COUNT, [0, 2500, 5000, 7500], ["0", "2.500", "5.000", "7.500"]),
        (Unit.EURO, [0, 500000, 1000000], ["0\u00a0€", "500.000\u00a0€", "1.000.000\u00a0€"]),
        (Unit.PERCENT, [0, 2.5, 5.0], ["0,0\u00a0%", "2,5\u00a0%", "5,0\u00a0%"]),
        (Unit.RATE, [0, 0.25, 0.5], ["0,00", "0,25", "0,50"]),
    ],
)
def test_axis_ticks_are_written_the_italian_way_with_the_decimals_the_step_needs(unit, ticks, expected):
    assert ItalianTickFormatter(unit).format_ticks(ticks) == expected


def test_tick_places_follow_the_step():
    assert tick_places([0, 1000, 2000]) == 0
    assert tick_places([0, 0.5, 1]) == 1
    assert tick_places([0.1, 0.15, 0.2]) == 2
    assert tick_places([0, 2.5, 5]) == 1


def test_axes_use_the_italian_formatter():
    figure = draw(_by_status(Unit.EURO), kind="bar", title="t", filters_text="", width=800, height=450)
    assert isinstance(figure.axes[0].yaxis.get_major_formatter(), ItalianTickFormatter)


def test_text_is_set_in_titillium_web_from_the_bootstrap_italia_package():
    assert theme.font_family() == "Titillium Web"


def test_font_falls_back_to_dejavu_sans_without_the_font_files(monkeypatch):
    monkeypatch.setattr(theme, "_family", None)
    monkeypatch.setattr(theme, "_titillium_directory", lambda: None)
    assert theme.font_family() == "DejaVu Sans"


def test_series_colours_are_the_pa_blue_then_okabe_ito():
    assert theme.series_colours(1) == ["#0066CC"]
    assert theme.series_colours(3) == list(theme.CATEGORICAL[:3])


def _digests() -> str:
    return " ".join(
        hashlib.sha256(_render(kind, fmt=fmt)).hexdigest()[:16] for kind in CHART_KINDS for fmt in ("png", "svg")
    )


def test_another_process_renders_the_same_bytes_and_never_imports_pyplot():
    """Two server processes must serve the same image for the same data (ETag), and pyplot's
    global state must stay out of the server."""
    script = (
        "import sys, django; django.setup()\n"
        "from tests.dashboards.test_rendering import _digests\n"
        "print(_digests())\n"
        "print('pyplot' if 'matplotlib.pyplot' in sys.modules else 'clean')\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(ROOT)}
    environment.pop("MPLBACKEND", None)
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    digests, imported = completed.stdout.strip().splitlines()[-2:]
    assert imported == "clean"
    assert digests == _digests()
