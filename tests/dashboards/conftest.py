"""Fixtures of the dashboards' tests: a small register and a call whose figures are counted
by hand in the tests (tests/dashboards/test_indicators*.py), written through the register's
importer and the calls' models."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from registry.models import AccreditationState, Entity
from registry.stock import services as stock
from registry.stock.spec import STATUS_LABELS_IT, UNIT_COLUMNS
from tests.conftest import ARCA_PUGLIA_CENTRALE, ARCA_SUD_SALENTO, BARI, LECCE

GALLIPOLI, ALTAMURA = "075031", "072004"

# owner -> [(Comune, status, how many units)], counted by hand in the tests:
#   Bari 24 units (Comune di Bari 18: 12 let, 3 vacant ready, 2 needing works, 1 sold;
#   ARCA Puglia Centrale 6 let), Lecce 8 (ARCA Sud Salento: 7 let, 1 vacant ready),
#   Gallipoli 2 (ARCA Sud Salento, let). Province BA 24, LE 10; in all 34.
STOCK = {
    BARI: [(BARI, "let", 12), (BARI, "vacant_ready", 3), (BARI, "vacant_needs_works", 2), (BARI, "sold", 1)],
    ARCA_PUGLIA_CENTRALE: [(BARI, "let", 6)],
    ARCA_SUD_SALENTO: [(LECCE, "let", 7), (LECCE, "vacant_ready", 1), (GALLIPOLI, "let", 2)],
}


def units_file(records) -> bytes:
    keys = [column.key for column in UNIT_COLUMNS]
    lines = [";".join(column.header for column in UNIT_COLUMNS)]
    lines += [";".join(str(record.get(key, "")) for key in keys) for record in records]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def write_units(owner_code: str, rows, **fields) -> None:
    """Units of `owner_code` through the importer: rows of (Comune, status, count), one
    building per Comune; `fields` are given to every unit (e.g. cadastral data)."""
    records = []
    for comune, status, count in rows:
        for _ in range(count):
            records.append(
                {
                    "unit_id": f"U{len(records) + 1}",
                    "building_id": f"F-{comune}",
                    "comune_code": comune,
                    "building_street": "Via Giuseppe Fanelli",
                    "status": STATUS_LABELS_IT[status],
                    **fields,
                }
            )
    parsed, result = stock.import_file(
        content=units_file(records), filename="alloggi.csv", owner=Entity.objects.get(code=owner_code)
    )
    assert result is not None, parsed.errors[:5]


@pytest.fixture
def small_register(entities):
    for owner, rows in STOCK.items():
        write_units(owner, rows)
    return STOCK


@pytest.fixture
def call_figures(entities):
    """A closed rent-support call with Bari's submission sent on time, Lecce's sent late
    (under an extension), Altamura's still a draft; Bari accredited; the riparto published
    for Bari and Lecce."""
    from calls.models import Allocation, CallState, Submission, SubmissionState
    from tests.calls.fixtures import make_call

    now = timezone.now()
    call = make_call(
        year=2024,
        title="Fondo sostegno locazioni 2024",
        state=CallState.ALLOCATED,
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        riparto_published_at=now - datetime.timedelta(days=1),
    )
    bari, lecce = entities[BARI], entities[LECCE]
    altamura = Entity.objects.get(code=ALTAMURA)
    Entity.objects.filter(pk=bari.pk).update(accreditation_state=AccreditationState.ACCREDITED)
    common = {"call": call, "state": SubmissionState.ACCEPTED}
    Submission.objects.create(
        comune=bari,
        submitted_at=now - datetime.timedelta(days=40),
        protocol_number="PUSH/2024/000001",
        applicant_count=40,
        eligible_count=30,
        eligible_a=20,
        eligible_b=10,
        need=D("64000.00"),
        **common,
    )
    Submission.objects.create(
        comune=lecce,
        submitted_at=now - datetime.timedelta(days=20),
        protocol_number="PUSH/2024/000002",
        applicant_count=9,
        eligible_count=4,
        eligible_a=3,
        eligible_b=1,
        need=D("9500.00"),
        **common,
    )
    Submission.objects.create(call=call, comune=altamura, applicant_count=7, need=D("7000.00"))
    for comune, need, total in ((bari, "64000.00", "1000.00"), (lecce, "9500.00", "500.00")):
        Allocation.objects.create(
            call=call,
            comune=comune,
            need=D(need),
            co_financing=D("0"),
            premium_eligible=False,
            base=D(total),
            premium=D("0"),
            total=D(total),
        )
    return call
