"""Draw a `Result` as an image: bar, horizontal bar, stacked bar, line, donut, map.

Every image is a new `matplotlib.figure.Figure` on its own Agg canvas, never pyplot: pyplot keeps
a global list of figures, which is neither thread-safe nor freed without `close()`. Nothing here
changes matplotlib's global settings (fonts, colours and sizes are passed to each artist), except
the SVG hash salt, set for the length of one SVG save under a lock (see `_save`).

The layout is computed, not left to matplotlib's layout engines: header (title, active
filters), plot, footer (note, source, map attribution). It is cheap and the same on every run,
so the same data always gives the same bytes (PNG and SVG without timestamps), which the
image cache and the browsers' ETag rely on.
"""

import io
import math
import textwrap
import threading

import matplotlib
import numpy as np
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from dashboards.results import Result, Unit

from . import theme
from .formats import NOT_AVAILABLE, ItalianTickFormatter, format_value
from .puglia_map import ATTRIBUTION, draw_map

CHART_KINDS = ("bar", "hbar", "stacked", "line", "donut", "map")
FORMATS = ("png", "svg")
DPI = 100
SVG_HASH_SALT = "push-dashboards"

TITLE_PT = 13
FILTERS_PT = 9
LABEL_PT = 8.5
FOOTER_PT = 7.5
PAD_PX = 12
LINE_FACTOR = 1.35  # line height / font size
CHAR_WIDTH = 0.52  # average glyph width / font size (Titillium Web and DejaVu Sans alike, roughly)
# Sizes a caller may ask for, in pixels: enough for a phone's thumbnail and a printed page,
# and no more (a request for a huge image would cost memory and seconds).
WIDTH_RANGE = (240, 2400)
HEIGHT_RANGE = (180, 2400)
VALUE_LABELS_UP_TO = 15  # categories: beyond this, bars carry no value labels (they would overlap)

_svg_lock = threading.Lock()


def _px(points: float) -> float:
    return points * DPI / 72


def _wrap(text: str, points: float, width_px: float) -> list[str]:
    if not text:
        return []
    per_line = max(20, int(width_px / (_px(points) * CHAR_WIDTH)))
    return textwrap.wrap(text, per_line) or [text]


def has_gaps(result: Result) -> bool:
    return any(value is None for series in result.series for value in series.values)


def footer_lines(result: Result, *, kind: str) -> list[str]:
    """What the footer says, in order: the note (and why there are gaps), the source, and for
    a map its boundaries' attribution."""
    note = result.note
    if has_gaps(result):
        gaps = _("Values not shown (%(na)s) are left blank.") % {"na": NOT_AVAILABLE}
        note = f"{note} {gaps}".strip()
    lines = [note] if note else []
    if result.source:
        lines.append(_("Source: %(source)s") % {"source": result.source})
    if kind == "map":
        lines.append(ATTRIBUTION)
    return lines


def _values(series) -> np.ndarray:
    return np.array([np.nan if value is None else float(value) for value in series.values], dtype=float)


def _style_axes(ax, family: str, unit: Unit, *, horizontal: bool = False) -> None:
    value_axis = ax.xaxis if horizontal else ax.yaxis
    value_axis.set_major_formatter(ItalianTickFormatter(unit))
    if unit == Unit.COUNT:
        value_axis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.tick_params(labelfontfamily=family, labelsize=LABEL_PT, colors=theme.TEXT, length=0)
    ax.grid(axis="x" if horizontal else "y", color=theme.GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left" if not horizontal else "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom" if not horizontal else "left"].set_color(theme.TEXT_SECONDARY)


def _legend(ax, result: Result, family: str) -> None:
    if len(result.series) > 1:
        legend = ax.legend(
            loc="lower left",
            bbox_to_anchor=(0, 1.01),
            ncols=min(4, len(result.series)),
            frameon=False,
            prop={"family": family, "size": LABEL_PT},
            borderaxespad=0,
            handlelength=1.2,
        )
        for text in legend.get_texts():
            text.set_color(theme.TEXT)


def _value_labels(ax, result: Result, positions, values, *, horizontal: bool, family: str) -> None:
    """Each bar's value at its end; a hidden value as "n.d." where its bar would start."""
    span = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1.0
    offset = 0.01 * (span or 1.0)
    for position, value in zip(positions, values):
        hidden = not np.isfinite(value)
        text = NOT_AVAILABLE if hidden else format_value(value, result.unit)
        at = offset if hidden else value + math.copysign(offset, value)
        xy = (at, position) if horizontal else (position, at)
        ax.text(
            *xy,
            text,
            ha="left" if horizontal else "center",
            va="center" if horizontal else "bottom",
            fontsize=LABEL_PT - 0.5,
            fontfamily=family,
            color=theme.TEXT_SECONDARY if hidden else theme.TEXT,
        )


def _draw_bars(ax, result: Result, family: str, *, horizontal: bool, stacked: bool) -> None:
    count = len(result.categories)
    positions = np.arange(count)
    colours = theme.series_colours(len(result.series))
    series_count = len(result.series)
    width = 0.75 if stacked or series_count == 1 else 0.8 / series_count
    base = np.zeros(count)
    for index, (series, colour) in enumerate(zip(result.series, colours)):
        values = _values(series)
        if stacked:
            offsets, bottom = positions, base.copy()
            base = base + np.nan_to_num(values)
        else:
            offsets, bottom = positions + (index - (series_count - 1) / 2) * width, None
        if horizontal:
            ax.barh(offsets, values, height=width, left=bottom, color=colour, label=series.label)
        else:
            ax.bar(offsets, values, width=width, bottom=bottom, color=colour, label=series.label)
    if series_count == 1 and count <= VALUE_LABELS_UP_TO:
        _value_labels(ax, result, positions, _values(result.series[0]), horizontal=horizontal, family=family)
    _style_axes(ax, family, result.unit, horizontal=horizontal)
    category_size = _category_fontsize(ax, count, horizontal=horizontal)
    if horizontal:
        ax.set_yticks(positions, result.categories, fontsize=category_size)
        ax.set_ylim(count - 0.5, -0.5)  # first category on top, as in the table
        ax.margins(x=0.08)
    else:
        _category_xticks(ax, positions, result, category_size)
        ax.set_xlim(-0.5, count - 0.5)
        ax.margins(y=0.08)
    _legend(ax, result, family)


def _category_fontsize(ax, count: int, *, horizontal: bool) -> float:
    """The category labels' size: the usual one, smaller when many categories share the axis
    (257 Comuni on one axis), so that labels do not overlap."""
    box = ax.get_position()
    figure = ax.get_figure()
    span_px = (box.height * figure.bbox.height) if horizontal else (box.width * figure.bbox.width)
    if not horizontal and _rotation_for(count) != 90:
        return LABEL_PT
    return max(3.0, min(LABEL_PT, span_px / max(count, 1) / 1.3 * 72 / DPI))


def _category_xticks(ax, positions, result: Result, size: float) -> None:
    rotation = _rotation(result)
    ax.set_xticks(positions, result.categories, rotation=rotation, ha="right" if rotation else "center", fontsize=size)


def _draw_line(ax, result: Result, family: str) -> None:
    positions = np.arange(len(result.categories))
    for series, colour in zip(result.series, theme.series_colours(len(result.series))):
        ax.plot(positions, _values(series), color=colour, linewidth=2, marker="o", markersize=4, label=series.label)
    _style_axes(ax, family, result.unit)
    _category_xticks(ax, positions, result, _category_fontsize(ax, len(positions), horizontal=False))
    ax.margins(x=0.04, y=0.1)
    _legend(ax, result, family)


def _draw_donut(ax, result: Result, family: str) -> None:
    values = _values(result.series[0]) if result.series else np.array([])
    shown = [index for index, value in enumerate(values) if np.isfinite(value) and value > 0]
    colours = [theme.CATEGORICAL[position % len(theme.CATEGORICAL)] for position in range(len(shown))]
    total = float(np.nansum(values))
    if shown:
        wedges, *_rest = ax.pie(
            [values[index] for index in shown],
            colors=colours,
            startangle=90,
            counterclock=False,
            wedgeprops={"width": 0.38, "edgecolor": theme.BACKGROUND, "linewidth": 1},
        )
    else:
        wedges = []
    ax.set_aspect("equal")
    ax.text(
        0,
        0,
        format_value(total, result.unit),
        ha="center",
        va="center",
        fontsize=TITLE_PT,
        fontfamily=family,
        fontweight="bold",
        color=theme.TEXT,
    )
    labels, handles = [], []
    for wedge, index in zip(wedges, shown):
        share = format_value(100 * values[index] / total, Unit.PERCENT)
        labels.append(f"{result.categories[index]}: {format_value(values[index], result.unit)} ({share})")
        handles.append(wedge)
    for index, value in enumerate(values):
        if not np.isfinite(value):
            labels.append(f"{result.categories[index]}: {NOT_AVAILABLE}")
            handles.append(Patch(facecolor=theme.NO_DATA, edgecolor=theme.NO_DATA))
    if handles:
        legend = ax.legend(
            handles,
            labels,
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            frameon=False,
            prop={"family": family, "size": LABEL_PT},
        )
        for text in legend.get_texts():
            text.set_color(theme.TEXT)


def _rotation_for(count: int) -> int | None:
    return 90 if count > 20 else None


def _rotation(result: Result) -> int:
    longest = max((len(label) for label in result.categories), default=0)
    if _rotation_for(len(result.categories)):
        return 90
    if len(result.categories) * max(longest, 4) > 70:
        return 35
    return 0


def _plot_box(
    result: Result, kind: str, width: int, height: int, top_px: float, bottom_px: float
) -> tuple[float, float, float, float]:
    """The plot's rectangle in pixels (left, bottom, width, height), leaving room for the
    category labels and the legend."""
    label_px = _px(LABEL_PT) * CHAR_WIDTH
    longest = max((len(label) for label in result.categories), default=0)
    left, right = PAD_PX + 8 + 7 * label_px, PAD_PX + 6  # room for the value ticks
    bottom = bottom_px + _px(LABEL_PT) * 2
    if kind == "hbar":
        size = max(3.0, min(LABEL_PT, 0.8 * height / max(len(result.categories), 1) / 1.3 * 72 / DPI))
        left = PAD_PX + min(0.4 * width, longest * label_px * size / LABEL_PT + 10)
        right = PAD_PX + 70  # value labels past the longest bar
        bottom = bottom_px + _px(LABEL_PT) * 2
    elif kind in ("bar", "stacked", "line"):
        rotation = _rotation(result)
        if rotation == 90:  # many categories: labels as small as _category_fontsize makes them
            label_px *= max(3.0, min(LABEL_PT, 0.85 * width / len(result.categories) / 1.3 * 72 / DPI)) / LABEL_PT
        if rotation:
            bottom = bottom_px + min(0.35 * height, longest * label_px * math.sin(math.radians(rotation)) + 16)
    elif kind == "donut":
        left, right = PAD_PX, PAD_PX + max(160, min(0.5 * width, (longest + 22) * label_px))
    elif kind == "map":
        # The legend sits left of the map (Puglia is about as wide as it is tall).
        left, right, bottom = PAD_PX + min(0.35 * width, 230), PAD_PX, bottom_px + 4
    top = top_px
    if kind in ("bar", "hbar", "stacked", "line") and len(result.series) > 1:
        top += _px(LABEL_PT) * LINE_FACTOR * math.ceil(len(result.series) / 4) + 6
    return left, bottom, right, top


def draw(
    result: Result, *, kind: str, title: str, filters_text: str, buildings=None, width: int, height: int
) -> Figure:
    """A new Figure with `result` drawn as `kind`, titled, with its filters and footer."""
    family = theme.font_family()
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor=theme.BACKGROUND)
    FigureCanvasAgg(figure)
    text_width = width - 2 * PAD_PX

    y = height - PAD_PX
    for line in _wrap(title, TITLE_PT, text_width):
        figure.text(
            PAD_PX / width,
            y / height,
            line,
            ha="left",
            va="top",
            fontsize=TITLE_PT,
            fontweight="bold",
            fontfamily=family,
            color=theme.TEXT,
        )
        y -= _px(TITLE_PT) * LINE_FACTOR
    for line in _wrap(filters_text, FILTERS_PT, text_width):
        figure.text(
            PAD_PX / width,
            y / height,
            line,
            ha="left",
            va="top",
            fontsize=FILTERS_PT,
            fontfamily=family,
            color=theme.TEXT_SECONDARY,
        )
        y -= _px(FILTERS_PT) * LINE_FACTOR
    top_px = height - y + 6

    footer = [wrapped for line in footer_lines(result, kind=kind) for wrapped in _wrap(line, FOOTER_PT, text_width)]
    y = PAD_PX
    for line in reversed(footer):
        figure.text(
            PAD_PX / width,
            y / height,
            line,
            ha="left",
            va="bottom",
            fontsize=FOOTER_PT,
            fontfamily=family,
            color=theme.TEXT_SECONDARY,
        )
        y += _px(FOOTER_PT) * LINE_FACTOR
    bottom_px = y + 4

    left, bottom, right, top = _plot_box(result, kind, width, height, top_px, bottom_px)
    box = [
        left / width,
        bottom / height,
        max(0.05, (width - left - right) / width),
        max(0.05, (height - bottom - top) / height),
    ]
    ax = figure.add_axes(box)
    if not result.categories or not result.series:
        ax.set_axis_off()
        ax.text(
            0.5,
            0.5,
            _("No data for these filters."),
            ha="center",
            va="center",
            fontsize=FILTERS_PT + 2,
            fontfamily=family,
            color=theme.TEXT_SECONDARY,
        )
    elif kind == "map":
        draw_map(ax, result, buildings=buildings, family=family, fontsize=LABEL_PT)
    elif kind == "donut":
        _draw_donut(ax, result, family)
    elif kind == "line":
        _draw_line(ax, result, family)
    else:
        _draw_bars(ax, result, family, horizontal=kind == "hbar", stacked=kind == "stacked")
    return figure


def save(figure: Figure, fmt: str) -> bytes:
    """The figure's bytes, with no timestamp or software version in them (same data, same bytes)."""
    buffer = io.BytesIO()
    if fmt == "svg":
        # The SVG writer names its clip paths and hatches with a hash salted by rcParams
        # (a random UUID by default). The salt is only read while saving: fix it for that
        # moment, one SVG at a time, and restore it.
        with _svg_lock, matplotlib.rc_context({"svg.hashsalt": SVG_HASH_SALT}):
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    else:
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def render(
    result: Result,
    *,
    kind: str,
    title: str,
    filters_text: str,
    fmt: str = "png",
    buildings: list[tuple[float, float]] | None = None,
    width: int = 800,
    height: int = 450,
) -> bytes:
    """`result` drawn as a chart of `kind` (one of CHART_KINDS), as PNG or SVG bytes.

    The image carries `title`, the active filters (`filters_text`), the result's note and source
    (and, for a map, the boundaries' attribution); hidden values (None) are left as gaps and the
    footer says so. `buildings`, (longitude, latitude) pairs, are drawn as dots on a map.
    Thread-safe: each call draws on its own Figure."""
    if kind not in CHART_KINDS:
        raise ValueError(f"Unknown chart kind {kind!r}: expected one of {', '.join(CHART_KINDS)}.")
    if fmt not in FORMATS:
        raise ValueError(f"Unknown image format {fmt!r}: expected one of {', '.join(FORMATS)}.")
    if not (WIDTH_RANGE[0] <= width <= WIDTH_RANGE[1] and HEIGHT_RANGE[0] <= height <= HEIGHT_RANGE[1]):
        raise ValueError(f"Image size {width}×{height} outside {WIDTH_RANGE} × {HEIGHT_RANGE} pixels.")
    figure = draw(
        result, kind=kind, title=title, filters_text=filters_text, buildings=buildings, width=width, height=height
    )
    return save(figure, fmt)
