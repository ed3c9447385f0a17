import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.pdf import blank_pdf
from registry.models import Area, Entity, Role
from registry.seeding import load_reference_entities
from tests.factories import UserFactory, member

BARI, LECCE, ARCA_SUD_SALENTO, ARCA_PUGLIA_CENTRALE, REGION = "072006", "075035", "750000", "720000", "160000"


@pytest.fixture
def entities(db):
    """The real register: the Region, 5 ARCA and 257 Comuni."""
    load_reference_entities()
    return {
        entity.code: entity
        for entity in Entity.objects.filter(code__in=[BARI, LECCE, ARCA_SUD_SALENTO, ARCA_PUGLIA_CENTRALE, REGION])
    }


@pytest.fixture
def region_admin(entities):
    return member(REGION, Role.ADMINISTRATOR)


@pytest.fixture
def reviewer(entities):
    return member(REGION, Role.REVIEWER)


@pytest.fixture
def bari_officer(entities):
    return member(BARI, Role.OFFICER, Area.PROPERTY_REGISTER)


@pytest.fixture
def bari_legal_rep(entities):
    return member(BARI, Role.LEGAL_REPRESENTATIVE)


@pytest.fixture
def lecce_legal_rep(entities):
    return member(LECCE, Role.LEGAL_REPRESENTATIVE)


@pytest.fixture
def arca_officer(entities):
    return member(ARCA_SUD_SALENTO, Role.OFFICER, Area.PROPERTY_REGISTER)


@pytest.fixture
def outsider(entities):
    """Signed in, but with no membership at all."""
    return UserFactory()


@pytest.fixture
def pdf_file():
    def make(name="designazione.pdf", content=None):
        return SimpleUploadedFile(name, blank_pdf() if content is None else content, content_type="application/pdf")

    return make
