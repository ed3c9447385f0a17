"""Fixtures of the API's contract tests: an API client, one signed in as Bari's calls officer
(the call and the officers are the shared ones of tests/calls/fixtures.py), and the small
register the schema fuzz runs on."""

import datetime
import os

import pytest
from django.utils import timezone

from registry.models import Role
from tests.calls.fixtures import make_call
from tests.conftest import BARI
from tests.factories import member

PROBLEM = "application/problem+json"


@pytest.fixture
def as_bari(api, bari_calls):
    api.force_authenticate(bari_calls)
    return api


# --- the schema fuzz (test_schema_fuzz.py): run on its own, as CI does --------------------


def pytest_configure(config):
    config.addinivalue_line("markers", "schema: fuzzes the API from its schema (run with PUSH_SCHEMA_FUZZ=1)")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PUSH_SCHEMA_FUZZ") == "1":
        return
    skip = pytest.mark.skip(reason="schema fuzz: set PUSH_SCHEMA_FUZZ=1 and run it with -m schema")
    for item in items:
        if item.get_closest_marker("schema"):
            item.add_marker(skip)


@pytest.fixture
def fuzz_register(entities, load_stock, call, bari_calls):
    """A small register to fuzz: Bari's units, an open call with Bari's draft, last year's
    allocated call with Bari's sent submission, its upload and its receipt; a Comune officer
    (calls) of Bari and a reviewer of the Region."""
    from django.core.files.base import ContentFile

    from calls.models import ApplicantUpload, CallState, ProtocolEntry, ProtocolKind, Submission
    from registry.models import Unit
    from tests.conftest import REGION

    load_stock(BARI, 5)
    officer = bari_calls
    reviewer = member(REGION, Role.REVIEWER)
    now = timezone.now()
    draft = Submission.objects.create(call=call, comune=entities[BARI])
    last_year = make_call(
        year=2024,
        title="Fondo sostegno locazioni 2024",
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
            "/api/v1/calls/{id}": [{"id": call.pk}, {"id": last_year.pk}],
            "/api/v1/calls/{id}/allocation": [{"id": last_year.pk}],
            "/api/v1/submissions/{id}": submissions,
            "/api/v1/submissions/{id}/applicants": submissions,
            "/api/v1/submissions/{id}/duplicates": submissions,
            "/api/v1/submissions/{id}/submit": submissions,
            "/api/v1/submissions/{id}/uploads/{upload_id}": [{"id": sent.pk, "upload_id": upload.pk}],
            "/api/v1/submissions/{id}/receipts/{entry_id}": [{"id": sent.pk, "entry_id": entry.pk}],
        },
    }
