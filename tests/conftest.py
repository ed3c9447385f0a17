import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.pdf import blank_pdf
from registry.models import Area, Entity, Role
from registry.seeding import load_reference_entities
from tests.factories import UserFactory, member

BARI, LECCE, ARCA_SUD_SALENTO, ARCA_PUGLIA_CENTRALE, REGION = "072006", "075035", "750000", "720000", "160000"
pytest_plugins = ["tests.calls.fixtures"]  # the one `call` and the Comuni's calls officers, for every folder


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: API throttle counters, cached counts and
    pages of one test must not leak into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def english():
    """Messages asserted in their source language, whatever the Italian catalogue says."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api():
    """An anonymous client of the API (force_authenticate it to act as someone)."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def behind_proxy(settings):
    """PUSH behind one reverse proxy that appends the client's address to X-Forwarded-For."""
    settings.PUSH_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.PUSH_TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def region_admin_client(client, region_admin):
    """The test client signed in as a regional administrator."""
    client.force_login(region_admin)
    return client


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


@pytest.fixture
def stock_csv():
    """An Italian-Excel CSV of synthetic units for an owner: stock_csv(owner_code, count)."""
    from registry.synthetic import generate_csv

    def make(owner_code, count=30, seed=7, comuni=None):
        owner = Entity.objects.get(code=owner_code)
        if comuni is None:
            if owner.kind == "comune":
                comuni = [(owner.code, owner.province, owner.population or 1)]
            else:
                comuni = list(
                    Entity.objects.comuni()
                    .filter(covering_arca=owner)
                    .order_by("-population")
                    .values_list("code", "province", "population")[:3]
                )
        return generate_csv(owner_code=owner_code, comuni=comuni, count=count, seed=seed)

    return make


@pytest.fixture
def load_stock(stock_csv):
    """Write synthetic units for an owner straight through the importer: load_stock(code, count)."""
    from registry.stock.services import import_file

    def load(owner_code, count=30, **kwargs):
        owner = Entity.objects.get(code=owner_code)
        # Synthetic stock of another size spreads buildings over the Comuni differently:
        # the moves that implies are accepted, as an officer would after reading them.
        parsed, result = import_file(
            content=stock_csv(owner_code, count, **kwargs), filename="stock.csv", owner=owner, confirm_moves=True
        )
        assert result is not None, parsed.errors[:5]
        return result

    return load
