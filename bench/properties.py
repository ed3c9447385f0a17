#!/usr/bin/env python
"""Benchmark of the property register.

Generates N units (default 100,000) as an Italian-Excel CSV, imports them through the same
code path as the admin (upload → background job → validation → write), then measures the
admin unit list (server time and queries) and an API page of 100 units with the whole stock
loaded. Runs on SQLite, and on PostgreSQL too when DATABASE_URL points at a server (a
separate `<name>_bench` database is created and dropped there).

    python bench/properties.py [--units N]

Ends with one name=value line per figure (PostgreSQL's when it ran, SQLite's otherwise):
import_rows_per_s, admin_list_ms, admin_list_queries, api_list_ms.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from support import drop_database, prepare_database  # the script's own folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("import_rows_per_s", "admin_list_ms", "admin_list_queries", "api_list_ms")
OWNER_CODE = "720000"  # ARCA Puglia Centrale: its territory is the provinces of Bari and BAT
PROVINCES = ("BA", "BT")


def write_units_csv(path, n: int, seed: int = 2026, *, owner_code: str = OWNER_CODE, provinces=PROVINCES) -> int:
    """Write `n` synthetic units of `owner_code` (spread over the Comuni of `provinces` by
    population, registry.synthetic) to `path` as the units file in Italian Excel CSV (BOM,
    `;`, decimal comma, dd/mm/yyyy), streamed: memory stays flat for a million rows. The
    same arguments always give the same file. Sets Django up (settings from
    DJANGO_SETTINGS_MODULE, default config.settings.bench) if it is not; needs no database.
    Returns the file's size in bytes."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from core.tabular import csv_lines
    from registry.seeding import read_comuni
    from registry.stock.spec import EXPORT_HEADERS
    from registry.synthetic import generate_rows

    comuni = [(c["code"], c["province"], c["population"]) for c in read_comuni() if c["province"] in provinces]
    rows = generate_rows(owner_code=owner_code, comuni=comuni, count=n, seed=seed)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        buffer = []
        for line in csv_lines(EXPORT_HEADERS, rows):
            buffer.append(line)
            if len(buffer) >= 4096:
                handle.write("".join(buffer))
                buffer.clear()
        handle.write("".join(buffer))
    return Path(path).stat().st_size


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--write-csv", metavar="PATH", help="only write the units file (write_units_csv) and stop")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_csv:
        started = time.perf_counter()
        size = write_units_csv(args.write_csv, args.units, args.seed)
        print(f"wrote {args.units} units, {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
        return
    if args.child:
        run_child(args.child, args.database_url, args.units)
        return

    runs = [("sqlite", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")]
    server_url = os.environ.get("DATABASE_URL", "")
    if server_url.startswith(("postgres://", "postgresql://")):
        parsed = urlparse(server_url)
        bench_name = (parsed.path.lstrip("/") or "push") + "_bench"
        runs.append(("postgresql", parsed._replace(path="/" + bench_name).geturl()))

    results = {}
    for vendor, url in runs:
        print(f"== {vendor}: {args.units} units", flush=True)
        completed = subprocess.run(
            [sys.executable, __file__, "--child", vendor, "--database-url", url, "--units", str(args.units)],
            cwd=ROOT,
            # The whole file goes through the admin's upload path, whose size limit is a
            # deployment setting: raised here so that 100,000 rows (about 22 MB) fit.
            env={
                **os.environ,
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "config.settings.bench",
                "PUSH_MAX_IMPORT_BYTES": str(256 * 1024 * 1024),
            },
            capture_output=True,
            text=True,
        )
        if completed.returncode:
            sys.exit(f"{vendor} run failed:\n{completed.stdout}\n{completed.stderr}")
        output = completed.stdout
        print(output, end="", flush=True)
        results[vendor] = dict(line.split("=", 1) for line in output.splitlines() if "=" in line and " " not in line)
    final = results.get("postgresql") or results["sqlite"]
    for name in FIGURES:
        print(f"{name}={final[name]}")


def bench_people():
    """The reference entities, the owner of the benchmark's units, an officer of its register
    and a regional reviewer (Django set up, database migrated)."""
    from registry import roles
    from registry.models import Area, Entity, Membership, Role, User
    from registry.seeding import load_reference_entities

    load_reference_entities()
    owner = Entity.objects.get(code=OWNER_CODE)
    officer = User.objects.create(username="bench.officer", email="bench.officer@example.it")
    Membership.objects.create(user=officer, entity=owner, role=Role.OFFICER, area=Area.PROPERTY_REGISTER)
    roles.sync_user_groups(officer)
    reviewer = User.objects.create(username="bench.reviewer", email="bench.reviewer@example.it")
    Membership.objects.create(user=reviewer, entity=Entity.objects.get(kind="region"), role=Role.REVIEWER)
    roles.sync_user_groups(reviewer)
    return owner, officer, reviewer


def run_child(vendor, url, units):
    prepare_database(vendor, url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from registry.models import Unit
    from registry.stock.services import create_import_job

    call_command("migrate", verbosity=0)
    owner, officer, reviewer = bench_people()

    started = time.perf_counter()
    csv_path = ROOT / "var" / f"bench-units-{vendor}.csv"
    write_units_csv(csv_path, units, 2026, owner_code=owner.code)
    content = csv_path.read_bytes()
    csv_path.unlink()
    print(f"generated {units} units, {len(content) / 1e6:.1f} MB CSV in {time.perf_counter() - started:.1f} s")

    # The admin's path: the upload creates a job, the background task validates and writes.
    started = time.perf_counter()
    job = create_import_job(owner=owner, uploaded_by=officer, uploaded_file=SimpleUploadedFile("alloggi.csv", content))
    job.refresh_from_db()
    elapsed = time.perf_counter() - started
    assert job.status == "done", (job.status, job.errors[:3], job.failure)
    assert Unit.objects.count() == units
    print(f"import: {job.created_units} units, {job.created_buildings} buildings in {elapsed:.2f} s")
    print(f"{vendor}_import_rows_per_s={units / elapsed:.0f}")

    # Re-importing the same file: validation plus the comparison with what is stored.
    started = time.perf_counter()
    again = create_import_job(
        owner=owner, uploaded_by=officer, uploaded_file=SimpleUploadedFile("alloggi.csv", content)
    )
    again.refresh_from_db()
    print(f"re-import (nothing changes): {again.unchanged_units} unchanged in {time.perf_counter() - started:.2f} s")

    if vendor == "postgresql":
        # The steady state of a production database: autovacuum has run after the load.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registry_unit")
            cursor.execute("VACUUM ANALYZE registry_building")

    client = Client()
    client.force_login(reviewer)

    def timed(url, repeat=7):
        client.get(url)  # warm up
        times, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured)
        return statistics.median(times), queries

    admin_ms, admin_queries = timed("/admin/registry/unit/")
    filtered_ms, _ = timed("/admin/registry/unit/?status__exact=vacant_ready&province=BA")
    api_ms, api_queries = timed("/api/v1/units?limit=100")
    print(f"admin list with {units} units: {admin_ms:.0f} ms, {admin_queries} queries; filtered: {filtered_ms:.0f} ms")
    print(f"API page of 100 units: {api_ms:.0f} ms, {api_queries} queries")
    print(f"import_rows_per_s={units / elapsed:.0f}")
    print(f"admin_list_ms={admin_ms:.0f}")
    print(f"admin_list_queries={admin_queries}")
    print(f"api_list_ms={api_ms:.0f}")
    connections.close_all()
    drop_database(vendor, url)


if __name__ == "__main__":
    main()
