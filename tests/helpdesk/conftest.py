"""Fixtures of the helpdesk's tests: the entities' and the Region's people (tests/conftest.py)
with the helpdesk's own, a ticket opened through the service, and files as an officer would
attach them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk import services
from helpdesk.models import Topic
from registry.models import Area, Role
from tests.conftest import BARI, LECCE
from tests.factories import member


@pytest.fixture
def bari_helpdesk(entities):
    return member(BARI, Role.OFFICER, Area.HELPDESK, first_name="Rosa", last_name="Referente-Bari")


@pytest.fixture
def lecce_helpdesk(entities):
    return member(LECCE, Role.OFFICER, Area.HELPDESK, first_name="Luca", last_name="Referente-Lecce")


def png_bytes() -> bytes:
    from PIL import Image

    handle = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(handle, format="PNG")
    return handle.getvalue()


@pytest.fixture
def png_file():
    def make(name="schermata.png", content=None):
        return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type="image/png")

    return make


@pytest.fixture
def open_ticket(entities):
    """open_ticket(code, by, subject=...): a ticket opened through the service."""

    def make(code, by, *, subject="Problema con l'import degli alloggi", body="Il file viene rifiutato.", **extra):
        extra.setdefault("topic", Topic.PROPERTY_REGISTER)
        return services.open_ticket(entity=entities[code], subject=subject, body=body, by=by, **extra)

    return make


@pytest.fixture
def lecce_ticket(open_ticket, lecce_helpdesk, region_admin, pdf_file):
    """Lecce's ticket with a file, a reply of the Region and an internal note, each with a
    text found nowhere else."""
    ticket = open_ticket(
        LECCE,
        lecce_helpdesk,
        subject="Segreto-Lecce: graduatoria",
        body="Testo-Lecce riservato",
        files=[pdf_file("allegato-lecce.pdf")],
    )
    services.write(ticket=ticket, action="reply", body="Risposta-Lecce della Regione", by=region_admin)
    services.add_note(ticket=ticket, body="Nota-interna-Lecce", by=region_admin)
    return ticket


LECCE_MARKERS = ("Segreto-Lecce", "Testo-Lecce", "Risposta-Lecce", "Nota-interna-Lecce", "allegato-lecce.pdf")
