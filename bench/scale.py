#!/usr/bin/env python
"""Benchmark at national scale: 1,000,000 units and a riparto over 8,000 Comuni.

What it does, on its own PostgreSQL database (`push_bench_scale` beside the one DATABASE_URL
names, dropped and created again unless --reuse):

1. the riparto (calls.riparto.allocate) over 8,000 Comuni-like claims, best of 5;
2. a units file of N units (default 1,000,000) of ARCA Puglia Centrale, written once to
   var/ and reused while the seed and N are the same: the same seed gives the same file.
   Exactly N/10 units lie in the Comune di Bari, so that a filter on that Comune is the
   "first 100,000 units" the exports are timed on;
3. `manage.py import_units <file> --owner 720000`, timed as an office runs it;
4. as a regional reviewer (Django test client, DEBUG off, median of 7 after one warm-up):
   the admin unit list, unfiltered and filtered, and the API: the first page of 100 units
   and a page reached by a cursor half-way through the stock;
5. the admin's CSV and XLSX exports of the Comune di Bari (N/10 units), through the list's
   export link as a person clicks it, until the file is downloaded.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/push python bench/scale.py [--units N] [--reuse] [--keep]

Ends with name=value lines: riparto_ms_8000, import_1m_s, list_ms_1m, list_queries_1m,
api_ms_1m, api_first_ms_1m, api_queries_1m, export_csv_s, export_xlsx_s.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

from support import drop_database, prepare_database  # the script's own folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
OWNER = "720000"  # ARCA Puglia Centrale: the Comuni of Bari and BAT
BARI = "072006"
SEED = 2026


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--comuni", type=int, default=8_000, help="claims in the riparto")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database and skip the import")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at a PostgreSQL server")
    url = urlparse(server_url)._replace(path="/push_bench_scale").geturl()
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        # An initial national load is one file larger than what the admin accepts.
        PUSH_MAX_ROWS=str(max(args.units + 1, 250_000)),
        PUSH_MAX_IMPORT_BYTES=str(2 * 1024 * 1024 * 1024),
    )
    figures = {}
    figures["riparto_ms_8000"] = f"{riparto_ms(args.comuni):.1f}"

    if not args.reuse:
        prepare_database("postgresql", url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from registry.models import Unit

    reviewer = prepare_entities_and_people()
    if not (args.reuse and Unit.objects.exists()):
        path = units_file(args.units)
        figures["import_1m_s"] = f"{import_units(path, args.units):.1f}"
    vacuum()
    figures.update(measure_lists(reviewer, args.units))
    figures.update(measure_exports(reviewer, args.units))

    from django.db import connections

    connections.close_all()
    if not args.keep:
        drop_database("postgresql", url)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for name, value in figures.items():
        print(f"{name}={value}")


def riparto_ms(comuni: int) -> float:
    sys.path.insert(0, str(ROOT))
    from calls.riparto import Claim, allocate

    rng = random.Random(SEED)
    claims = [
        Claim(f"{index:06d}", rng.randint(0, 5_000_000_00), rng.randint(0, 1_500_000_00)) for index in range(comuni)
    ]
    times = []
    for _ in range(5):
        started = time.perf_counter()
        result = allocate(claims, fund_base=100_000_000_00, fund_premium=30_000_000_00, threshold=Decimal("0.20"))
        times.append((time.perf_counter() - started) * 1000)
    assert result.allocated + result.residual == 130_000_000_00
    print(f"riparto of {comuni} Comuni-like claims: best {min(times):.1f} ms, median {statistics.median(times):.1f} ms")
    return min(times)


def prepare_entities_and_people():
    from registry import roles
    from registry.models import Entity, Membership, Role, User
    from registry.seeding import load_reference_entities

    if not Entity.objects.filter(code=OWNER).exists():
        load_reference_entities()
    reviewer, created = User.objects.get_or_create(
        username="bench.reviewer", defaults={"email": "bench.reviewer@example.it"}
    )
    if created:
        Membership.objects.create(user=reviewer, entity=Entity.objects.get(kind="region"), role=Role.REVIEWER)
        roles.sync_user_groups(reviewer)
    return reviewer


def units_file(units: int) -> Path:
    """The units file, generated once per (units, seed) with registry.synthetic's generator
    (the format of bench/properties.py): a tenth of the units in the Comune di Bari, the rest
    over the other Comuni of Bari and BAT by population."""
    from core.tabular.writing import write_csv
    from registry.models import Entity
    from registry.stock.spec import EXPORT_HEADERS
    from registry.synthetic import allocate, generate_rows

    path = ROOT / "var" / f"bench-scale-{units}-{SEED}.csv"
    if path.exists():
        print(f"units file {path.name} reused ({path.stat().st_size / 1e6:.0f} MB)")
        return path
    others = list(
        Entity.objects.comuni()
        .filter(province__in=["BA", "BT"])
        .exclude(code=BARI)
        .order_by("code")
        .values_list("code", "province", "population")
    )
    # Shares equal to these "populations" exactly, since they add up to `units`.
    comuni = [(BARI, "BA", units // 10), *allocate(units - units // 10, others)]
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        write_csv(EXPORT_HEADERS, generate_rows(owner_code=OWNER, comuni=comuni, count=units, seed=SEED), handle)
    partial.rename(path)
    print(f"generated {units} units, {path.stat().st_size / 1e6:.0f} MB, in {time.perf_counter() - started:.1f} s")
    return path


def import_units(path: Path, units: int) -> float:
    from registry.models import Unit

    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "import_units", str(path), "--owner", OWNER], cwd=ROOT, check=True, env=os.environ
    )
    elapsed = time.perf_counter() - started
    assert Unit.objects.count() == units
    print(f"import_units: {units} units in {elapsed:.1f} s ({units / elapsed:.0f} rows/s)")
    return elapsed


def vacuum():
    # The steady state of a production database: autovacuum has run after the load.
    from django.db import connection

    started = time.perf_counter()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for table in ("registry_unit", "registry_building", "registry_propertychange"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE")  # the entities and people just created, too
    print(f"vacuum analyze: {time.perf_counter() - started:.1f} s")


def _timed(client, url, repeat=7):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        queries = len(captured)
    return statistics.median(times), queries, response


def measure_lists(reviewer, units: int) -> dict:
    from django.test import Client

    from registry.models import Entity, Unit
    from registry.stock.api import encode_cursor

    client = Client()
    client.force_login(reviewer)
    bari = Entity.objects.get(code=BARI)
    owner = Entity.objects.get(code=OWNER)
    figures = {}
    lists = {
        "list": "/admin/registry/unit/",
        "list_status": "/admin/registry/unit/?status__exact=vacant_ready",
        "list_province": "/admin/registry/unit/?province=BT",
        "list_comune": f"/admin/registry/unit/?building__comune__id__exact={bari.pk}",
        "list_owner": f"/admin/registry/unit/?owner__id__exact={owner.pk}",
        "list_status_province": "/admin/registry/unit/?status__exact=vacant_ready&province=BA",
        "list_search": "/admin/registry/unit/?q=Garibaldi",
        "list_page_100": "/admin/registry/unit/?p=100",
    }
    for name, url in lists.items():
        # Searches and territory filters are not indexed for the natural order: fewer repeats.
        ms, queries, _ = _timed(client, url, repeat=3 if name in ("list_search", "list_province") else 7)
        print(f"admin {name} ({url}): {ms:.0f} ms, {queries} queries")
        if name == "list":
            figures["list_ms_1m"] = f"{ms:.0f}"
            figures["list_queries_1m"] = str(queries)

    first_ms, first_queries, response = _timed(client, "/api/v1/units?limit=100")
    assert len(response.json()["results"]) == 100 and "cursor=" in response.json()["next"]
    middle = Unit.objects.order_by("push_id").values_list("push_id", flat=True)[units // 2]
    cursor_url = f"/api/v1/units?limit=100&cursor={encode_cursor(middle)}"
    cursor_ms, cursor_queries, response = _timed(client, cursor_url)
    assert len(response.json()["results"]) == 100
    filtered_ms, _, _ = _timed(client, f"/api/v1/units?limit=100&status=vacant_ready&cursor={encode_cursor(middle)}")
    offset_ms, _, _ = _timed(client, f"/api/v1/units?limit=100&offset={units // 2}", repeat=3)
    print(f"API first page of 100: {first_ms:.0f} ms, {first_queries} queries")
    print(f"API page of 100 by cursor half-way: {cursor_ms:.0f} ms, {cursor_queries} queries")
    print(f"API page of 100 by cursor, status filter: {filtered_ms:.0f} ms")
    print(f"API page of 100 by offset half-way (for comparison): {offset_ms:.0f} ms")
    figures["api_ms_1m"] = f"{cursor_ms:.0f}"
    figures["api_first_ms_1m"] = f"{first_ms:.0f}"
    figures["api_queries_1m"] = str(cursor_queries)
    return figures


def measure_exports(reviewer, units: int) -> dict:
    """The export of the Comune di Bari (a tenth of the units) as a person gets it: the
    list's export link, then, when the list answers with the background export's status
    page, the download once it is ready."""
    from django.test import Client

    from registry.models import Entity

    client = Client()
    client.force_login(reviewer)
    bari = Entity.objects.get(code=BARI)
    figures = {}
    for file_format in ("csv", "xlsx"):
        url = f"/admin/registry/unit/?building__comune__id__exact={bari.pk}&export={file_format}"
        started = time.perf_counter()
        size = _download(client, url)
        elapsed = time.perf_counter() - started
        print(f"export {file_format} of {units // 10} units: {elapsed:.1f} s, {size / 1e6:.1f} MB")
        figures[f"export_{file_format}_s"] = f"{elapsed:.1f}"
    return figures


def _download(client, url) -> int:
    response = client.get(url)
    if response.status_code == 302:
        # A long export: the status page, then the file once the background task wrote it.
        download = response["Location"].rstrip("/") + "/download/"
        deadline = time.monotonic() + 600
        response = client.get(download)
        while response.status_code == 404 and time.monotonic() < deadline:
            time.sleep(0.1)
            response = client.get(download)
    assert response.status_code == 200, (url, response.status_code)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert len(content) > 1000, content[:300]
    return len(content)


if __name__ == "__main__":
    main()
