from collections import Counter

import pytest

from registry.models import Entity, EntityKind
from registry.seeding import load_reference_entities, read_comuni

pytestmark = pytest.mark.django_db


def test_seeding_loads_the_257_comuni_by_province_and_the_five_arca():
    result = load_reference_entities()

    comuni = Counter(Entity.objects.comuni().values_list("province", flat=True))
    assert sum(comuni.values()) == 257
    assert comuni == {"FG": 61, "BA": 41, "TA": 29, "BR": 20, "LE": 96, "BT": 10}
    assert dict(Entity.objects.arca().values_list("code", "name")) == {
        "710000": "ARCA Capitanata",
        "720000": "ARCA Puglia Centrale",
        "730000": "ARCA Jonica",
        "740000": "ARCA Nord Salento",
        "750000": "ARCA Sud Salento",
    }
    assert Entity.objects.filter(kind=EntityKind.REGION).count() == 1
    assert result.created == 263


def test_real_codes_keep_their_leading_zero_and_cadastral_code():
    load_reference_entities()
    bari = Entity.objects.get(code="072006")
    assert (bari.name, bari.province, bari.cadastral_code) == ("Bari", "BA", "A662")
    assert str(bari) == "Comune di Bari"
    assert Entity.objects.get(code="110002").name == "Barletta"
    assert Entity.objects.get(code="075098").name == "Presicce-Acquarica"
    assert not Entity.objects.filter(code__in=["075001", "075062"]).exists()


def test_coverage_is_seeded_from_the_province_with_bat_under_puglia_centrale():
    load_reference_entities()
    coverage = {code: arca for code, arca in Entity.objects.comuni().values_list("code", "covering_arca__code")}
    assert coverage["110002"] == "720000"  # Barletta (BAT)
    assert coverage["072006"] == "720000"  # Bari
    assert coverage["071024"] == "710000"  # Foggia
    assert coverage["073027"] == "730000"  # Taranto
    assert coverage["074001"] == "740000"  # Brindisi
    assert coverage["075035"] == "750000"  # Lecce
    assert None not in coverage.values()


def test_second_run_changes_nothing():
    load_reference_entities()
    before = list(Entity.objects.order_by("code").values())

    again = load_reference_entities()

    assert (again.created, again.updated, again.unchanged) == (0, 0, 263)
    assert list(Entity.objects.order_by("code").values()) == before


def test_changed_name_updates_the_row_and_keeps_what_the_region_edited():
    load_reference_entities()
    bari = Entity.objects.get(code="072006")
    bari.pec = "protocollo@pec.comune.bari.it"
    bari.covering_arca = None
    bari.save()
    comuni = read_comuni()
    for row in comuni:
        if row["code"] == "072006":
            row["name"] = "Bari (renamed)"

    result = load_reference_entities(comuni)

    bari.refresh_from_db()
    assert result.updated == 1 and result.created == 0
    assert bari.name == "Bari (renamed)"
    assert bari.pec == "protocollo@pec.comune.bari.it"
    assert bari.covering_arca is None
    assert Entity.objects.count() == 263


def test_population_is_the_2021_figure():
    load_reference_entities()
    assert Entity.objects.get(code="071001").population == 2275  # Accadia, 1/1/2021
