"""The drop-down filters of the register list only what the person may see: the options of
another owner's stock (its name as owner, the Comuni where it has buildings, who manages
them) would tell an officer about stock that is not theirs."""

from django.urls import reverse

from registry.models import Entity
from tests.conftest import ARCA_SUD_SALENTO, BARI


def test_an_officer_sees_only_their_own_owners_and_comuni_in_the_filters(client, bari_officer, load_stock):
    load_stock(BARI, 5)
    load_stock(ARCA_SUD_SALENTO, 5)
    arca_comuni = set(
        Entity.objects.filter(buildings_in_territory__owner__code=ARCA_SUD_SALENTO)
        .values_list("name", flat=True)
        .distinct()
    )
    assert arca_comuni and "Bari" not in arca_comuni
    client.force_login(bari_officer)
    for url in (reverse("registry_unit_modeladmin_index"), reverse("registry_building_modeladmin_index")):
        page = client.get(url).content.decode()
        assert "ARCA Sud Salento" not in page, url
        for name in arca_comuni:
            assert f">{name}</option>" not in page, (url, name)
        assert ">Bari (072006)</option>" in page and ">Bari</option>" in page


def test_the_region_sees_every_owner_in_the_filters(client, region_admin, load_stock):
    load_stock(BARI, 5)
    load_stock(ARCA_SUD_SALENTO, 5)
    client.force_login(region_admin)
    page = client.get(reverse("registry_unit_modeladmin_index")).content.decode()
    assert ">ARCA Sud Salento (750000)</option>" in page and ">Bari (072006)</option>" in page
    assert ">Lecce</option>" in page
