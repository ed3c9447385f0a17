from registry.models import Building, PropertyChange, Unit
from tests.conftest import ARCA_SUD_SALENTO


def test_synthetic_stock_imports(entities, load_stock):
    result = load_stock(ARCA_SUD_SALENTO, 40)
    assert result.created_units == 40
    assert Unit.objects.filter(owner__code=ARCA_SUD_SALENTO).count() == 40
    assert Building.objects.filter(owner__code=ARCA_SUD_SALENTO).count() == result.created_buildings
    assert PropertyChange.objects.filter(created=True, unit__isnull=False).count() == 40
