"""Fixtures of the API's contract tests: a call open for submissions and the people who
use the API (a Comune's officer for calls, the Region's reviewer)."""

import datetime

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
