#!/usr/bin/env python
"""Benchmark of the calls.

1. An applicant list of N rows (default 50,000) uploaded to a Comune's submission through
   the same service as the admin and the API: read, validate (codice fiscale with checksum),
   pseudonymise, compute band and contribution, write, total, then look for the same people
   in other Comuni's lists. On SQLite, and on PostgreSQL when DATABASE_URL is set (in a
   separate `<name>_bench_calls` database, created and dropped).
   The duplicate check compares with lists as sent only, so Lecce's list (2,000 people
   Bari lists too) is sent first.
2. The riparto for M Comuni (default 7,904, all of Italy): the pure function, best of 5.
3. On PostgreSQL only: a burst of sendings. Each of Puglia's 257 Comuni has a draft ready
   (a small list, co-financing, the required attachment) and all send at the same moment,
   served by --workers processes with a database connection each, as an application
   server's workers would (PostgreSQL's default max_connections is 100, so not one
   connection per Comune; processes, not threads, so that both cores work).
   burst_257_s is the wall time from the first request to the last protocol number
   committed; receipts_257_s is a background worker (db_worker --batch) then rendering and
   e-mailing the 257 receipts, as production does after the commit.

    python bench/calls.py [--applicants N] [--comuni M] [--workers W] [--no-burst] [--no-sqlite]

--no-burst leaves out part 3, --no-sqlite the SQLite run (the figures of parts 1 and 2 alone).

Ends with name=value lines: applicants_seconds (PostgreSQL's when it ran), riparto_ms, and
on PostgreSQL burst_257_s and receipts_257_s.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

from support import drop_database, prepare_database  # the script's own folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--comuni", type=int, default=7_904)
    parser.add_argument("--workers", type=int, default=8, help="processes serving the burst (PostgreSQL)")
    parser.add_argument("--no-burst", action="store_true", help="leave out the burst of sendings")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only (when DATABASE_URL is set)")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.database_url, args.applicants, 0 if args.no_burst else args.workers)
        return

    runs = [("sqlite", f"sqlite:///{ROOT / 'var' / 'bench-calls.sqlite3'}")]
    server_url = os.environ.get("DATABASE_URL", "")
    if server_url.startswith(("postgres://", "postgresql://")):
        if args.no_sqlite:
            runs = []
        parsed = urlparse(server_url)
        runs.append(
            ("postgresql", parsed._replace(path="/" + (parsed.path.lstrip("/") or "push") + "_bench_calls").geturl())
        )
    seconds, bursts = {}, {}
    for vendor, url in runs:
        completed = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                vendor,
                "--database-url",
                url,
                "--applicants",
                str(args.applicants),
                "--workers",
                str(args.workers),
                *(["--no-burst"] if args.no_burst else []),
            ],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.bench"},
            capture_output=True,
            text=True,
        )
        if completed.returncode:
            sys.exit(f"{vendor} run failed:\n{completed.stdout}\n{completed.stderr}")
        print(completed.stdout, end="")
        seconds[vendor] = next(
            line.split("=", 1)[1]
            for line in completed.stdout.splitlines()
            if line.startswith(f"{vendor}_applicants_seconds=")
        )
        for line in completed.stdout.splitlines():
            if line.startswith(("burst_257_s=", "receipts_257_s=")):
                name, value = line.split("=", 1)
                bursts[name] = value

    from calls.riparto import Claim, allocate

    rng = random.Random(7904)
    claims = [
        Claim(f"{index:06d}", rng.randint(0, 5_000_000_00), rng.randint(0, 1_500_000_00))
        for index in range(args.comuni)
    ]
    times = []
    for _ in range(5):
        started = time.perf_counter()
        result = allocate(claims, fund_base=100_000_000_00, fund_premium=30_000_000_00, threshold=Decimal("0.20"))
        times.append((time.perf_counter() - started) * 1000)
    assert result.allocated + result.residual == 130_000_000_00
    print(f"riparto of {args.comuni} Comuni: best {min(times):.1f} ms, median {sorted(times)[2]:.1f} ms")
    print(f"applicants_seconds={seconds.get('postgresql') or seconds['sqlite']}")
    print(f"riparto_ms={min(times):.1f}")
    for name, value in bursts.items():
        print(f"{name}={value}")


def _time_stages(services):
    """Wall time spent in the upload's stages (calls.services' own functions, wrapped)."""
    stages = {}

    def timed(name):
        real = getattr(services, name)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                stages[name] = stages.get(name, 0.0) + time.perf_counter() - started

        setattr(services, name, wrapper)

    for name in ("_store_upload", "read_list", "_stream_list", "_write_list", "_list_written", "duplicates"):
        timed(name)
    return stages


def run_child(vendor, url, applicants, workers):
    prepare_database(vendor, url)
    import django

    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from calls import services
    from calls.models import Call
    from calls.synthetic import applicants_csv
    from registry import roles
    from registry.models import Area, Entity, Membership, Role, User
    from registry.seeding import load_reference_entities

    call_command("migrate", verbosity=0)
    load_reference_entities()
    now = timezone.now()
    call = Call.objects.create(
        call_type="rent_support",
        year=2025,
        title="Bench",
        legal_act="-",
        state="open",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=1),
    )
    bari, lecce = Entity.objects.get(code="072006"), Entity.objects.get(code="075035")
    officers = {}
    for comune in (bari, lecce):
        officer = User.objects.create(username=f"bench-{comune.code}")
        Membership.objects.create(user=officer, entity=comune, role=Role.OFFICER, area=Area.CALLS)
        roles.sync_user_groups(officer)
        officers[comune.code] = officer
    # Lecce lists 2,000 people whom Bari lists too (fewer if Bari's list is shorter): the
    # duplicate check has work to do.
    content = applicants_csv(applicants, seed=1)
    other = applicants_csv(min(2_000, applicants), seed=1)
    lecce_submission = services.open_submission(call=call, comune=lecce, by=officers[lecce.code])
    services.upload_applicants(
        submission=lecce_submission, content=other, filename="lecce.csv", by=officers[lecce.code]
    )
    # Only lists as sent are compared: Lecce sends its list before Bari uploads.
    services.submit(submission=lecce_submission, by=officers[lecce.code])
    submission = services.open_submission(call=call, comune=bari, by=officers[bari.code])
    stages = _time_stages(services)
    started = time.perf_counter()
    services.upload_applicants(submission=submission, content=content, filename="bari.csv", by=officers[bari.code])
    duplicates = services.duplicates(submission)
    elapsed = time.perf_counter() - started
    submission.refresh_from_db()
    print(
        f"{vendor}: {applicants} applicants ({len(content) / 1e6:.1f} MB) validated, computed, written and checked for duplicates in {elapsed:.2f} s"
    )
    print(
        f"  eligible {submission.eligible_count} (A {submission.eligible_a}, B {submission.eligible_b}), need {submission.need} €, {len(duplicates)} also listed by Lecce"
    )
    print(f"{vendor}_applicants_seconds={elapsed:.2f}")
    print(
        "  stages (wall time, inclusive): " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in stages.items())
    )
    if vendor == "postgresql" and workers:
        burst(workers)
    connections.close_all()
    drop_database(vendor, url)


def burst(workers):
    """257 Comuni send their ready drafts at once (see the module's docstring)."""
    import datetime
    import multiprocessing
    import statistics

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connections
    from django.test import override_settings
    from django.utils import timezone
    from fpdf import FPDF

    from calls import services
    from calls.models import Call, ProtocolEntry, Submission
    from calls.synthetic import applicants_csv
    from registry import roles
    from registry.models import Area, Entity, EntityKind, Membership, Role, User

    attachment = "Determina di approvazione della graduatoria"
    now = timezone.now()
    call = Call.objects.create(
        call_type="rent_support",
        year=2026,
        title="Bench burst",
        legal_act="-",
        state="open",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=1),
        required_attachments=attachment,
    )
    page = FPDF()
    page.add_page()
    pdf = bytes(page.output())
    started = time.perf_counter()
    drafts = []
    comuni = list(Entity.objects.filter(kind=EntityKind.COMUNE).order_by("code"))
    for index, comune in enumerate(comuni):
        officer = User.objects.create(username=f"burst-{comune.code}")
        Membership.objects.create(user=officer, entity=comune, role=Role.OFFICER, area=Area.CALLS)
        roles.sync_user_groups(officer)
        submission = services.open_submission(call=call, comune=comune, by=officer)
        services.upload_applicants(
            submission=submission, content=applicants_csv(20, seed=10_000 + index), filename="g.csv", by=officer
        )
        services.set_co_financing(submission=submission, amount=Decimal("15000.00"), by=officer)
        services.add_attachment(
            submission=submission, name=attachment, uploaded_file=SimpleUploadedFile("d.pdf", pdf), by=officer
        )
        drafts.append((submission, officer))
    print(f"burst: {len(drafts)} drafts ready in {time.perf_counter() - started:.1f} s")

    # Each worker process takes its share of the requests, all waiting from the start.
    shares = [[(s.pk, o.pk) for s, o in drafts[index::workers]] for index in range(workers)]
    context = multiprocessing.get_context("fork")
    go, start, results = context.Event(), context.Value("d", 0.0), context.Queue()

    def serve(share):
        """One application-server worker process with its own connection."""
        go.wait()
        waited = []
        try:
            for submission_id, officer_id in share:
                services.submit(submission=Submission.objects.get(pk=submission_id), by=User.objects.get(pk=officer_id))
                waited.append(time.monotonic() - start.value)
            results.put(("ok", waited))
        except Exception as error:  # reported by the parent
            results.put(("error", repr(error)))
        finally:
            connections.close_all()

    # The receipts go to the database queue, as in production, and are timed apart.
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}):
        connections.close_all()  # never shared with the forked workers
        processes = [context.Process(target=serve, args=(share,)) for share in shares]
        for process in processes:
            process.start()
        start.value = time.monotonic()
        go.set()
        outcomes = [results.get() for _ in processes]
        burst_s = time.monotonic() - start.value
        for process in processes:
            process.join()
        errors = [detail for status, detail in outcomes if status == "error"]
        assert not errors, errors[:3]
        latencies = [seconds for status, detail in outcomes for seconds in detail]
        entries = list(ProtocolEntry.objects.filter(submission__call=call).order_by("sequence"))
        assert len(entries) == len(drafts)
        sequences = [entry.sequence for entry in entries]
        assert sequences == list(range(sequences[0], sequences[0] + len(drafts))), "numbers not gapless"
        times = [entry.registered_at for entry in entries]
        assert times == sorted(times), "a later number carries an earlier time"
        started = time.perf_counter()
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        receipts_s = time.perf_counter() - started
    rendered = ProtocolEntry.objects.filter(submission__call=call).exclude(receipt_sha256="").count()
    assert rendered == len(drafts), f"{rendered} receipts of {len(drafts)}"
    print(
        f"burst: {len(drafts)} sendings at once, served by {workers} processes, in {burst_s:.2f} s "
        f"(a Comune waited: median {statistics.median(latencies):.2f} s, at most {max(latencies):.2f} s); "
        f"numbers gapless, times in number order; {rendered} receipts rendered and mailed by one "
        f"background worker in {receipts_s:.2f} s"
    )
    print(f"burst_257_s={burst_s:.2f}")
    print(f"receipts_257_s={receipts_s:.2f}")


if __name__ == "__main__":
    main()
