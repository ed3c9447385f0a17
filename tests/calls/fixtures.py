"""The calls' fixtures, shared by every test folder (registered in tests/conftest.py with
`pytest_plugins`): one call made one way, and the Comuni's calls officers.

A test that needs another call passes what differs to `make_call` (type, year, dates,
fund), so a new field of the call is given its default here once."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from calls import services
from calls.models import Call, CallState, CallType
from registry.models import Area, Role
from tests.conftest import BARI, LECCE
from tests.factories import member, valid_fiscal_code

ATTACHMENT = "Determina di approvazione della graduatoria"

# --- a Comune's list of applicants, as the Comuni write it (Italian Excel CSV) ------------

HEADERS = [
    "Codice fiscale",
    "Componenti nucleo",
    "Over 65",
    "Disabili",
    "Minori",
    "Reddito annuo",
    "ISEE",
    "Canone annuo",
    "Mesi",
    "Estremi registrazione contratto",
]


def applicants_csv(rows):
    lines = [";".join(HEADERS)]
    for row in rows:
        lines.append(";".join(str(cell) for cell in row))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def applicant(code=None, income="10.000,00", rent="4.800,00", months="12", size="3"):
    return [code or valid_fiscal_code(), size, "no", "no", "sì", income, "", rent, months, "TNF1T123456"]


WORKED_EXAMPLES = [
    applicant(income="10.000,00", rent="4.800,00"),  # A, capped 3.098,74
    applicant(income="15.000,00", rent="4.200,00"),  # B, 600,00
    applicant(income="15.000,00", rent="3.000,00"),  # not eligible
]


def make_call(**fields) -> Call:
    """An open rent-support call of 2025 (opened yesterday, closing in ten days, a fund of
    1.000 € base and 500 € premium, one required attachment), with `fields` changed."""
    now = timezone.now()
    values = {
        "call_type": CallType.RENT_SUPPORT,
        "year": 2025,
        "title": "Fondo sostegno locazioni 2025",
        "legal_act": "DGR n. 100 del 10/01/2026",
        "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=10),
        "state": CallState.OPEN,
        "fund_base": D("1000"),
        "fund_premium": D("500"),
        "required_attachments": ATTACHMENT,
    }
    values.update(fields)
    return Call.objects.create(**values)


def make_arrears_call(**fields) -> Call:
    """An open arrears call of 2025, closing in thirty days."""
    values = {
        "call_type": CallType.ARREARS,
        "title": "Fondo morosità 2025",
        "legal_act": "DGR n. 101 del 10/01/2026",
        "closes_at": timezone.now() + datetime.timedelta(days=30),
    }
    values.update(fields)
    return make_call(**values)


@pytest.fixture
def clock(monkeypatch):
    """Sets the time every `timezone.now()` reads (the services', the views', the pages');
    sign in after setting it, as sessions expire by it too."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


@pytest.fixture
def call(db):
    return make_call()


@pytest.fixture
def arrears_call(db):
    return make_arrears_call()


@pytest.fixture
def bari_calls(entities):
    """Bari's calls officer (the address the Comune's e-mails go to)."""
    return member(BARI, Role.OFFICER, Area.CALLS, email="referente.bandi@comune.bari.example.it")


@pytest.fixture
def lecce_calls(entities):
    return member(LECCE, Role.OFFICER, Area.CALLS)


@pytest.fixture
def ready(call, entities, bari_calls, pdf_file):
    """Bari's submission with the worked examples, co-financing and the attachment, made
    through the services: ready to be sent."""
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    services.upload_applicants(
        submission=submission, content=applicants_csv(WORKED_EXAMPLES), filename="graduatoria.csv", by=bari_calls
    )
    services.set_co_financing(submission=submission, amount=D("1000.00"), by=bari_calls)
    services.add_attachment(submission=submission, name=ATTACHMENT, uploaded_file=pdf_file(), by=bari_calls)
    submission.refresh_from_db()
    return submission


# --- what an officer does on the admin's pages -------------------------------------------


def action(client, submission, name, data=None):
    """Press one of the submission page's buttons (a form posted to its action)."""
    return client.post(reverse("calls_submission_action", args=[submission.pk, name]), data or {})


def confirm(client, submission, name, data=None):
    """What an officer does on a confirmation page: press its confirm button."""
    url = reverse("calls_submission_confirm", args=[submission.pk, name])
    return client.post(url, {"confirm": "yes", **(data or {})})
