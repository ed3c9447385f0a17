#!/usr/bin/env python
"""Benchmark of the unit register's export (the regional export of the whole stock).

Loads N units (default 100,000, ARCA Puglia Centrale, bench/properties.py's generator)
through the importer, then a regional reviewer exports the unit list unfiltered, as CSV and
as XLSX, through the admin's URL (Django test client, DEBUG off), the file read to its last
byte. The export is answered in the request (the background threshold raised): the same
work the background task does, without storing the file. On PostgreSQL when DATABASE_URL
is set (a separate `<name>_bench_exports` database, created and dropped), otherwise on
SQLite.

    python bench/exports.py [--units N] [--statement]

--statement also times the general path (spec.unit_export_rows over model instances, then
core.tabular's CSV and XLSX writers), for comparison.

Ends with name=value lines: export_csv_s, export_xlsx_s.
"""

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from support import drop_database, prepare_database  # the script's own folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--statement", action="store_true", help="also time the general path")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.database_url, args.units, args.statement)
        return
    server_url = os.environ.get("DATABASE_URL", "")
    if server_url.startswith(("postgres://", "postgresql://")):
        parsed = urlparse(server_url)
        vendor = "postgresql"
        url = parsed._replace(path="/" + (parsed.path.lstrip("/") or "push") + "_bench_exports").geturl()
    else:
        vendor, url = "sqlite", f"sqlite:///{ROOT / 'var' / 'bench-exports.sqlite3'}"
    command = [sys.executable, __file__, "--child", vendor, "--database-url", url, "--units", str(args.units)]
    completed = subprocess.run(
        command + (["--statement"] if args.statement else []),
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.bench"},
        capture_output=True,
        text=True,
    )
    print(completed.stdout, end="")
    if completed.returncode:
        sys.exit(f"{vendor} run failed:\n{completed.stderr}")


def run_child(vendor, url, units, statement):
    prepare_database(vendor, url)
    sys.path.insert(0, str(ROOT))  # before bench/: the project's packages, not the benches
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client, override_settings
    from django.urls import reverse
    from properties import bench_people, write_units_csv

    from registry.models import Unit
    from registry.stock.services import create_import_job

    call_command("migrate", verbosity=0)
    owner, officer, reviewer = bench_people()

    started = time.perf_counter()
    csv_path = ROOT / "var" / f"bench-exports-{vendor}.csv"
    write_units_csv(csv_path, units, 2026, owner_code=owner.code)
    content = csv_path.read_bytes()
    csv_path.unlink()
    # The whole stock in one file, larger than an upload may be: the limit is raised here.
    with override_settings(PUSH_MAX_IMPORT_BYTES=len(content) + 1):
        job = create_import_job(
            owner=owner, uploaded_by=officer, uploaded_file=SimpleUploadedFile("alloggi.csv", content)
        )
    job.refresh_from_db()
    assert job.status == "done", (job.status, job.errors[:3], job.failure)
    assert Unit.objects.count() == units
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"{vendor}: {units} units loaded in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(reviewer)
    index = reverse("registry_unit_modeladmin_index")
    figures = {}
    with override_settings(PUSH_EXPORT_BACKGROUND_ROWS=10**9):
        client.get(index)  # warm-up: session, permissions, templates
        for export_format in ("csv", "xlsx"):
            started = time.perf_counter()
            response = client.get(f"{index}?export={export_format}")
            assert response.status_code == 200, response.status_code
            body = b"".join(response.streaming_content) if response.streaming else response.content
            figures[export_format] = time.perf_counter() - started
            lines = body.count(b"\r\n") if export_format == "csv" else _xlsx_rows(body)
            assert lines == units + 1, (export_format, lines)
            print(
                f"{vendor}: export of {units} units as {export_format.upper()} ({len(body) / 1e6:.1f} MB, "
                f"{'streamed' if response.streaming else 'whole'}) in {figures[export_format]:.2f} s"
            )
    if statement:
        _statement(vendor, units)
    connections.close_all()
    drop_database(vendor, url)
    print(f"export_csv_s={figures['csv']:.2f}")
    print(f"export_xlsx_s={figures['xlsx']:.2f}")


def _xlsx_rows(body: bytes) -> int:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return sum(1 for _ in sheet.iter_rows(values_only=True))


def _statement(vendor, units):
    """The general path, for comparison: model instances through spec.unit_export_rows,
    then core.tabular's writers."""
    from core.tabular import write_csv, write_xlsx
    from registry.models import Unit
    from registry.stock.spec import EXPORT_HEADERS, unit_export_rows

    def rows():
        queryset = Unit.objects.select_related("building__comune", "building__manager", "owner").order_by("push_id")
        return unit_export_rows(queryset.iterator(chunk_size=2000))

    started = time.perf_counter()
    write_csv(EXPORT_HEADERS, rows(), io.StringIO())
    print(f"{vendor}: general path, CSV of {units} units in {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    write_xlsx([str(header) for header in EXPORT_HEADERS], rows(), io.BytesIO(), sheet_title="Alloggi")
    print(f"{vendor}: general path, XLSX (XlsxWriter) of {units} units in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
