#!/usr/bin/env python
"""Benchmark of the calls.

1. An applicant list of N rows (default 50,000) uploaded to a Comune's submission through
   the same service as the admin and the API: read, validate (codice fiscale with checksum),
   pseudonymise, compute band and contribution, write, total, then look for the same people
   in other Comuni's lists. On SQLite, and on PostgreSQL when DATABASE_URL is set (in a
   separate `<name>_bench_calls` database, created and dropped).
2. The riparto for M Comuni (default 7,904, all of Italy): the pure function, best of 5.

    python bench/calls.py [--applicants N] [--comuni M]

Ends with name=value lines: applicants_seconds (PostgreSQL's when it ran), riparto_ms.
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
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.database_url, args.applicants)
        return

    runs = [("sqlite", f"sqlite:///{ROOT / 'var' / 'bench-calls.sqlite3'}")]
    server_url = os.environ.get("DATABASE_URL", "")
    if server_url.startswith(("postgres://", "postgresql://")):
        parsed = urlparse(server_url)
        runs.append(
            ("postgresql", parsed._replace(path="/" + (parsed.path.lstrip("/") or "push") + "_bench_calls").geturl())
        )
    seconds = {}
    for vendor, url in runs:
        completed = subprocess.run(
            [sys.executable, __file__, "--child", vendor, "--database-url", url, "--applicants", str(args.applicants)],
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
    print(f"applicants_seconds={seconds.get('postgresql', seconds['sqlite'])}")
    print(f"riparto_ms={min(times):.1f}")


def run_child(vendor, url, applicants):
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
    # Lecce lists 2,000 people whom Bari lists too: the duplicate check has work to do.
    content = applicants_csv(applicants, seed=1)
    other = applicants_csv(2_000, seed=1)
    lecce_submission = services.open_submission(call=call, comune=lecce, by=officers[lecce.code])
    services.upload_applicants(
        submission=lecce_submission, content=other, filename="lecce.csv", by=officers[lecce.code]
    )
    submission = services.open_submission(call=call, comune=bari, by=officers[bari.code])
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
    connections.close_all()
    drop_database(vendor, url)


if __name__ == "__main__":
    main()
