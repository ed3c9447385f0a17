"""Fixtures of the API's contract tests: a call open for submissions and the people who
use the API (a Comune's officer for calls, the Region's reviewer)."""

import datetime
import os

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from registry.models import Area, Role
from tests.conftest import BARI
from tests.factories import member

PROBLEM = "application/problem+json"


@pytest.fixture
def open_call(db):
    from calls.models import Call, CallState

    now = timezone.now()
    return Call.objects.create(
        call_type="rent_support",
        year=2026,
        title="Fondo affitti 2026",
        legal_act="DGR 1/2026",
        state=CallState.OPEN,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=30),
    )


@pytest.fixture
def bari_calls_officer(entities):
    return member(BARI, Role.OFFICER, Area.CALLS)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_bari(api, bari_calls_officer):
    api.force_authenticate(bari_calls_officer)
    return api


# --- the schema fuzz (test_schema_fuzz.py): run on its own, as CI does --------------------


def pytest_configure(config):
    config.addinivalue_line("markers", "schema: fuzzes the API from its schema (run with PUSH_SCHEMA_FUZZ=1)")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PUSH_SCHEMA_FUZZ") == "1":
        return
    skip = pytest.mark.skip(reason="schema fuzz: set PUSH_SCHEMA_FUZZ=1 and run it with -m schema")
    for item in items:
        if "schema" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def fuzz_register(entities, load_stock, open_call):
    """A small register to fuzz: Bari's units, an open call with Bari's draft, last year's
    allocated call with Bari's sent submission, its upload and its receipt; a Comune officer
    (calls) of Bari and a reviewer of the Region."""
    from django.core.files.base import ContentFile

    from calls.models import ApplicantUpload, Call, CallState, ProtocolEntry, ProtocolKind, Submission
    from registry.models import Role, Unit
    from tests.conftest import REGION

    load_stock(BARI, 5)
    officer = member(BARI, Role.OFFICER, Area.CALLS)
    reviewer = member(REGION, Role.REVIEWER)
    now = timezone.now()
    draft = Submission.objects.create(call=open_call, comune=entities[BARI])
    last_year = Call.objects.create(
        call_type="rent_support",
        year=2025,
        title="Fondo affitti 2025",
        legal_act="DGR 2/2025",
        state=CallState.ALLOCATED,
        opens_at=now - datetime.timedelta(days=400),
        closes_at=now - datetime.timedelta(days=300),
        riparto_published_at=now - datetime.timedelta(days=200),
    )
    sent = Submission.objects.create(call=last_year, comune=entities[BARI], state="accepted")
    upload = ApplicantUpload.objects.create(
        submission=sent, uploaded_by=officer, original_name="elenco.csv", sha256="0" * 64, size=1
    )
    entry = ProtocolEntry.objects.create(
        number="PUSH/2025/000001",
        year=2025,
        sequence=1,
        registered_at=now - datetime.timedelta(days=310),
        kind=ProtocolKind.SUBMISSION_SENT,
        submission=sent,
        receipt_pdf=ContentFile(b"%PDF-1.4 ricevuta", name="ricevuta.pdf"),
        receipt_sha256="0" * 64,
    )
    unit = Unit.objects.filter(owner__code=BARI).first()
    submissions = [{"id": draft.pk}, {"id": sent.pk}]
    return {
        "users": {"comune officer": officer, "regional reviewer": reviewer},
        # Addresses of records that exist, so that answers about them are checked too.
        "paths": {
            "/api/v1/buildings/{id}": [{"id": unit.building_id}],
            "/api/v1/units/{push_id}": [{"push_id": unit.push_id}],
            "/api/v1/entities/{code}": [{"code": BARI}, {"code": REGION}],
            "/api/v1/calls/{id}": [{"id": open_call.pk}, {"id": last_year.pk}],
            "/api/v1/calls/{id}/allocation": [{"id": last_year.pk}],
            "/api/v1/submissions/{id}": submissions,
            "/api/v1/submissions/{id}/applicants": submissions,
            "/api/v1/submissions/{id}/duplicates": submissions,
            "/api/v1/submissions/{id}/submit": submissions,
            "/api/v1/submissions/{id}/uploads/{upload_id}": [{"id": sent.pk, "upload_id": upload.pk}],
            "/api/v1/submissions/{id}/receipts/{entry_id}": [{"id": sent.pk, "entry_id": entry.pk}],
        },
    }
