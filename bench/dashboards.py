#!/usr/bin/env python
"""Benchmark of the dashboard images (rendering part).

Renders each chart kind of dashboards.rendering (bar, hbar, stacked, line, donut, map of
Puglia by Comune with building dots) from a Result shaped like the indicators' (statuses,
provinces, years, all 257 Comuni), and times it against the floor: a bare matplotlib Figure of
the same size and kind (the same bars, line, wedges or Comuni polygons, no theme, no text),
saved as PNG the same way. Each figure is the median of --repeat renders; "cold" means the
image cache is empty (every request renders), as in a fresh process after the GeoJSON and the
font are loaded (their one-off cost is `first_map_ms`).

    python bench/dashboards.py [--repeat 7] [--buildings 2000]

Not yet here: the indicators' SQL on 100,000 units and 50,000 applicants (PostgreSQL) and the
dashboard page warm and cold (`dashboard_warm_ms`, `dashboard_cold_ms`); `chart_cold_ratio_max`
below is render / bare figure, i.e. with no query time on either side.

Ends with name=value lines: one `<kind>_png_ms` per kind, `first_map_ms`, `map_cold_ms`,
`chart_cold_ratio_max`.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(function, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def results():
    from dashboards.rendering.puglia_map import boundaries
    from dashboards.results import CategoryKind, Result, Series, Unit

    rng = random.Random(11)
    statuses = ["Occupied", "Vacant, ready", "Vacant, to renovate", "Under renovation", "Sold", "Other"]
    provinces = ["BA", "BT", "BR", "FG", "LE", "TA"]
    years = [str(year) for year in range(2019, 2027)]
    codes = list(boundaries().codes)

    def result(categories, codes, kind, unit, series_count=1, low=0, high=5000):
        series = [
            Series(f"s{index}", f"Series {index + 1}", [rng.randint(low, high) for _ in categories])
            for index in range(series_count)
        ]
        series[0].values[1 % len(categories)] = None  # one hidden value, as public readers get
        return Result(
            indicator="bench",
            title="Bench",
            unit=unit,
            category_kind=kind,
            categories=categories,
            codes=codes,
            series=series,
            note="Valori inferiori a 5 non mostrati.",
            source="Anagrafe del patrimonio PUSH",
        )

    by_comune = result(codes, codes, CategoryKind.COMUNE, Unit.RATE)
    by_comune.series[0].values = [
        None if value is None else Decimal(value) / 100 for value in by_comune.series[0].values
    ]
    return {
        "bar": result(statuses, statuses, CategoryKind.LABEL, Unit.COUNT),
        "hbar": result(provinces, provinces, CategoryKind.PROVINCE, Unit.EURO, high=9_000_000),
        "stacked": result(provinces, provinces, CategoryKind.PROVINCE, Unit.COUNT, series_count=4),
        "line": result(years, years, CategoryKind.YEAR, Unit.COUNT, series_count=2),
        "donut": result(statuses, statuses, CategoryKind.LABEL, Unit.COUNT),
        "map": by_comune,
    }


def bare_figure(kind: str, result, width: int, height: int) -> bytes:
    """The floor: the same marks on a default Figure, no theme, no text of ours."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure

    from dashboards.rendering.puglia_map import boundaries

    figure = Figure(figsize=(width / 100, height / 100), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    values = [np.array([np.nan if v is None else float(v) for v in s.values]) for s in result.series]
    positions = np.arange(len(result.categories))
    if kind == "map":
        ax.add_collection(PolyCollection(boundaries().polygons, facecolors="#3182BD"))
        ax.autoscale_view()
    elif kind == "donut":
        ax.pie(np.nan_to_num(values[0]), wedgeprops={"width": 0.4})
    elif kind == "line":
        for series in values:
            ax.plot(positions, series)
    elif kind == "hbar":
        ax.barh(positions, values[0])
    else:
        bottom = np.zeros(len(positions))
        for series in values:
            ax.bar(positions, series, bottom=bottom if kind == "stacked" else None)
            bottom = bottom + np.nan_to_num(series)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--buildings", type=int, default=2000, help="building dots on the map")
    parser.add_argument("--width", type=int, default=800)
    parser.add_argument("--height", type=int, default=450)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    from django.core.cache import cache

    from dashboards.rendering import cached_render, render

    rng = random.Random(3)
    buildings = [(rng.uniform(15.5, 18.3), rng.uniform(40.2, 41.6)) for _ in range(args.buildings)]
    size = {"width": args.width, "height": args.height}
    filters = "Anno: 2026 · Provincia: tutte"

    start = time.perf_counter()
    charts = results()  # reads the boundaries
    first = charts["map"]
    render(first, kind="map", title="Bench", filters_text=filters, buildings=buildings, **size)
    first_map_ms = (time.perf_counter() - start) * 1000

    figures, ratios = {}, {}
    for kind, result in charts.items():
        extra = {"buildings": buildings} if kind == "map" else {}

        def cold(kind=kind, result=result, extra=extra):
            cache.clear()
            return cached_render(
                chart_key=f"bench-{kind}",
                params={"year": 2026},
                version="1",
                fmt="png",
                produce=lambda: render(result, kind=kind, title="Bench", filters_text=filters, **extra, **size),
            )

        figures[f"{kind}_png_ms"] = median_ms(cold, args.repeat)
        bare_ms = median_ms(lambda kind=kind, result=result: bare_figure(kind, result, **size), args.repeat)
        ratios[kind] = figures[f"{kind}_png_ms"] / bare_ms
        print(
            f"{kind:8} {figures[f'{kind}_png_ms']:7.1f} ms   bare figure {bare_ms:7.1f} ms   ratio {ratios[kind]:.2f}"
        )
    figures["first_map_ms"] = first_map_ms
    figures["map_cold_ms"] = figures["map_png_ms"]
    figures["chart_cold_ratio_max"] = max(ratios.values())
    for name, value in figures.items():
        print(f"{name}={value:.2f}")


if __name__ == "__main__":
    main()
