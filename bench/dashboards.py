#!/usr/bin/env python
"""Benchmark of the dashboards: the images' rendering, then the public demo page on PostgreSQL.

1. Rendering. Each chart kind of dashboards.rendering (bar, hbar, stacked, line, donut, map of
   Puglia by Comune with building dots) drawn from a Result shaped like the indicators'
   (statuses, provinces, years, all 257 Comuni), timed against the floor: a bare matplotlib
   Figure of the same size and kind (the same bars, line, wedges or Comuni polygons, no theme,
   no text), saved as PNG the same way. Each figure is the median of --repeat renders; "cold"
   means the image cache is empty, as in a process where the GeoJSON and the font are loaded
   (their one-off cost is `first_map_ms`). `chart_cold_ratio_max` is render / bare figure.
2. Pages (when DATABASE_URL points at PostgreSQL; a separate `<name>_bench_dashboards`
   database is created and dropped; its migrated schema is kept as `<…>_template` and reused
   while no migration changes, since `migrate` alone takes minutes). The reference entities,
   the demo site and dashboards, --units units (default 100,000) of the synthetic stock
   (registry.synthetic) imported for the five ARCA over the Comuni each one covers, in
   proportion to population, through the
   register's importer, and --applicants applicants (default 50,000; calls.synthetic) uploaded
   to Bari's submission of a rent-support call through the calls' service. Then the public
   demo dashboard "Patrimonio ERP in Puglia" (a key figure, a donut, a bar chart, a map) as
   an anonymous browser gets it, through Django's test client, all in one process:
   - `dashboard_cold_ms`: the shared cache emptied (so the data version is new too), the page
     and then each of its chart images: every Result computed, every chart drawn;
   - `dashboard_warm_ms`: the same requests again, everything from the cache;
   - `dashboard_page_cold_ms`, `dashboard_page_warm_ms`: the HTML page alone;
   - `dashboard_cold_queries`, `dashboard_warm_queries`: queries of the HTML page;
   - `chart_cold_ms_max`: the slowest image request with the cache empty (its Result
     computed and the chart drawn), and `chart_request_ratio_max`: that request against the
     issue's floor, the indicator's own query plus the bare figure.
   The cache is the configured one (the in-process memory cache unless REDIS_URL is set).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/push python bench/dashboards.py \
        [--repeat 7] [--buildings 2000] [--units 100000] [--applicants 50000]

Ends with name=value lines: one `<kind>_png_ms` per kind, `first_map_ms`, `map_cold_ms`,
`chart_cold_ratio_max`, and on PostgreSQL the page figures above.
"""

import argparse
import io
import os
import random
import re
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

from support import drop_database  # the script's own folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEMO_SLUG = "patrimonio-erp-in-puglia"


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
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--pages-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    if args.pages_child:
        run_pages(args.pages_child, args)
        return

    figures = rendering_figures(args)
    server_url = os.environ.get("DATABASE_URL", "")
    if server_url.startswith(("postgres://", "postgresql://")):
        parsed = urlparse(server_url)
        url = parsed._replace(path="/" + (parsed.path.lstrip("/") or "push") + "_bench_dashboards").geturl()
        print(f"== postgresql: {args.units} units, {args.applicants} applicants", flush=True)
        command = [sys.executable, __file__, "--pages-child", url, "--repeat", str(args.repeat)]
        command += ["--units", str(args.units), "--applicants", str(args.applicants)]
        completed = subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.bench"},
            capture_output=True,
            text=True,
        )
        for line in completed.stdout.splitlines():
            if "=" not in line:
                print(line)
        if completed.returncode:
            sys.stderr.write(completed.stderr[-4000:])
            raise SystemExit(completed.returncode)
        for line in completed.stdout.splitlines():
            name, sep, value = line.partition("=")
            if sep and re.fullmatch(r"[a-z_0-9]+", name):
                figures[name] = float(value)
    else:
        print("DATABASE_URL is not PostgreSQL: the page figures are not measured")
    for name, value in figures.items():
        print(f"{name}={value:.2f}")


def rendering_figures(args) -> dict:
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
    return figures


def load_data(units: int, applicants: int) -> None:
    """The reference entities, the demo site and dashboards, the stock and an applicant list."""
    import datetime

    from django.utils import timezone

    from calls import services
    from calls.models import Call
    from calls.synthetic import applicants_csv
    from cms import demo as site_demo
    from dashboards import demo as dashboards_demo
    from registry import roles
    from registry.models import Area, Entity, EntityKind, Membership, Role, User
    from registry.seeding import load_reference_entities
    from registry.stock import services as stock
    from registry.synthetic import allocate, generate_csv

    started = time.perf_counter()
    load_reference_entities()
    site_demo.load()
    dashboards_demo.load()
    print(f"entities and demo pages in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    comuni = list(Entity.objects.comuni().values_list("code", "province", "population", "covering_arca_id"))
    arcas = list(Entity.objects.filter(kind=EntityKind.ARCA).order_by("code"))
    shares = allocate(units, [(arca.code, "", sum(c[2] or 0 for c in comuni if c[3] == arca.pk)) for arca in arcas])
    for arca in arcas:
        count = next((part for code, _province, part in shares if code == arca.code), 0)
        covered = [
            (code, province, population or 1) for code, province, population, owner in comuni if owner == arca.pk
        ]
        if not count or not covered:
            continue
        content = generate_csv(owner_code=arca.code, comuni=covered, count=count, seed=2026)
        parsed, result = stock.import_file(content=content, filename="alloggi.csv", owner=arca)
        assert result is not None, parsed.errors[:3]
    print(f"{units} units imported in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    now = timezone.now()
    call = Call.objects.create(
        call_type="rent_support",
        year=2025,
        title="Fondo sostegno locazioni 2025",
        legal_act="-",
        state="open",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=10),
    )
    bari = Entity.objects.get(code="072006")
    officer = User.objects.create(username="bench-bari")
    Membership.objects.create(user=officer, entity=bari, role=Role.OFFICER, area=Area.CALLS)
    roles.sync_user_groups(officer)
    submission = services.open_submission(call=call, comune=bari, by=officer)
    services.upload_applicants(
        submission=submission, content=applicants_csv(applicants, seed=1), filename="bari.csv", by=officer
    )
    print(f"{applicants} applicants uploaded in {time.perf_counter() - started:.1f} s", flush=True)


def migrations_fingerprint() -> str:
    """Changes with any migration of the project or of the installed packages."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(ROOT.rglob("migrations/[0-9]*.py")):  # the project's and the .venv's
        if "node_modules" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:32]


def prepare_from_template(url: str) -> None:
    """The bench database, created from a migrated template when one matches the migrations
    (`migrate` alone takes minutes on a loaded machine); otherwise empty, to be migrated and
    then kept as the template (`keep_template`)."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name + "_template"]
        ).fetchone()
        if row and row[0] == migrations_fingerprint():
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_template"')
        else:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}_template"')
            connection.execute(f'CREATE DATABASE "{name}"')


def keep_template(url: str) -> None:
    import psycopg
    from django.db import connections

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    connections.close_all()
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name + "_template"]).fetchone():
            return
        connection.execute(f'CREATE DATABASE "{name}_template" TEMPLATE "{name}"')
        connection.execute(f"COMMENT ON DATABASE \"{name}_template\" IS '{migrations_fingerprint()}'")


def run_pages(url: str, args) -> None:
    prepare_from_template(url)
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dashboards import indicators
    from dashboards.models import DashboardPage
    from dashboards.readers import reader_audience

    try:
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        keep_template(url)
        print(f"schema in {time.perf_counter() - started:.1f} s", flush=True)
        load_data(args.units, args.applicants)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the steady state: autovacuum has run after the load

        page = DashboardPage.objects.get(slug=DEMO_SLUG)
        client = Client()
        blocks = [block for block in page.body if block.block_type == "chart"]
        images = [
            reverse("dashboards:chart_image", kwargs={"page_id": page.pk, "block_id": block.id}) for block in blocks
        ]

        def get(path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        def whole_page():
            get(page.url)
            for image in images:
                get(image)

        def cold_page():
            cache.clear()
            whole_page()

        def cold_html():
            cache.clear()
            get(page.url)

        cold_page()  # once: the GeoJSON, the font, the templates, the connection
        figures = {
            "dashboard_cold_ms": median_ms(cold_page, args.repeat),
            "dashboard_warm_ms": median_ms(whole_page, args.repeat),
            "dashboard_page_cold_ms": median_ms(cold_html, args.repeat),
            "dashboard_page_warm_ms": median_ms(lambda: get(page.url), args.repeat),
        }
        cache.clear()
        with CaptureQueriesContext(connection) as cold_queries:
            get(page.url)
        with CaptureQueriesContext(connection) as warm_queries:
            get(page.url)
        figures["dashboard_cold_queries"] = len(cold_queries)
        figures["dashboard_warm_queries"] = len(warm_queries)

        # Each image with the cache empty: its Result computed, the chart drawn, against the
        # issue's floor (the indicator's own query plus the bare figure of its kind).
        from django.contrib.auth.models import AnonymousUser

        audience = reader_audience(page, AnonymousUser())
        chart_ms, ratios = {}, {}
        for block, image in zip(blocks, images):
            chart = block.value["chart"]

            def cold_image(image=image):
                cache.clear()
                get(image)

            def query(chart=chart):
                return indicators.compute(chart.indicator, params=dict(chart.parameters or {}), audience=audience)

            chart_ms[chart.kind] = median_ms(cold_image, args.repeat)
            query_ms = median_ms(query, args.repeat)
            result = query()
            bare_ms = median_ms(
                lambda chart=chart, result=result: bare_figure(chart.kind, result, 800, 450), args.repeat
            )
            ratios[chart.kind] = chart_ms[chart.kind] / (query_ms + bare_ms)
            print(
                f"image {chart.kind:6} {chart_ms[chart.kind]:7.1f} ms   query {query_ms:6.1f} ms   "
                f"bare figure {bare_ms:6.1f} ms   ratio {ratios[chart.kind]:.2f}"
            )
            figures[f"chart_{chart.kind}_cold_ms"] = chart_ms[chart.kind]
        figures["chart_cold_ms_max"] = max(chart_ms.values())
        figures["chart_request_ratio_max"] = max(ratios.values())
        for name, value in figures.items():
            print(f"{name}={value:.2f}")
    finally:
        connections.close_all()
        drop_database("postgresql", url)


if __name__ == "__main__":
    main()
