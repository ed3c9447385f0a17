"""Indicators of the property register, each one aggregate query (GROUP BY in the database;
no unit is loaded into Python).

Filters: `province` and `comune` are where the building lies; `arca` is the territory of an
ARCA (the Comuni it covers), whoever owns the units there. An entity's people see only the
units their entities own (the audience); public readers see the small counts suppressed
(dashboards/suppression.py), with the Comuni of each province as a group whose total is
published (the units by province).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards import suppression
from dashboards.results import Result, Series
from registry.models import Entity, OccupancyStatus, Province, SnapshotCell
from registry.models import Unit as HousingUnit

from . import population

SOURCE = "Anagrafe del patrimonio ERP (PUSH)"
VACANT = (OccupancyStatus.VACANT_READY, OccupancyStatus.VACANT_NEEDS_WORKS)
# Units out of the housing stock proper: no longer owned, or not homes.
OUTSIDE_HOUSING_STOCK = (OccupancyStatus.SOLD, OccupancyStatus.NON_RESIDENTIAL)

# A unit's record is complete when the register knows where it is on the cadastre, what it
# is and how big, and its energy class: the fields the Region's yearly census asks for
# beyond those a file cannot be imported without.
INCOMPLETE_UNIT = (
    Q(cadastral_sheet="")
    | Q(cadastral_parcel="")
    | Q(cadastral_subunit="")
    | Q(cadastral_category="")
    | Q(conventional_area__isnull=True)
    | Q(energy_class="")
)


def units(params: dict, audience):
    """The units the parameters and the audience select (a queryset, not evaluated)."""
    queryset = HousingUnit.objects.order_by()
    if "province" in params:
        queryset = queryset.filter(building__comune__province=params["province"])
    if "arca" in params:
        queryset = queryset.filter(building__comune__covering_arca__code=params["arca"])
    if "comune" in params:
        queryset = queryset.filter(building__comune__code=params["comune"])
    if audience.entity_ids is not None:
        queryset = queryset.filter(owner_id__in=audience.entity_ids)
    return queryset


def _result(indicator, params, categories, codes, series, *, kind=None, unit=None) -> Result:
    return Result(
        indicator=indicator.key,
        title=str(indicator.title),
        unit=unit or indicator.unit,
        category_kind=kind or indicator.category_kind,
        categories=categories,
        codes=codes,
        series=series,
        parameters=params,
        source=indicator.source_note or SOURCE,
    )


def _province_groups(provinces: list[str]) -> list[list[int]]:
    groups = {}
    for index, province in enumerate(provinces):
        groups.setdefault(province, []).append(index)
    return list(groups.values())


def by_status(indicator, params, audience, shown):
    counts = dict(units(params, audience).values_list("status").annotate(n=Count("id")))
    codes = list(OccupancyStatus.values)
    result = _result(
        indicator,
        shown,
        [str(OccupancyStatus(code).label) for code in codes],
        codes,
        [Series("units", _("Units"), [counts.get(code, 0) for code in codes])],
    )
    if audience.public:
        suppression.suppress_result(result)
    return result


def by_owner(indicator, params, audience, shown):
    rows = list(
        units(params, audience)
        .values("owner__code", "owner__name", "owner__kind")
        .annotate(n=Count("id"))
        .order_by("owner__code")
    )
    owners = [Entity(code=row["owner__code"], name=row["owner__name"], kind=row["owner__kind"]) for row in rows]
    result = _result(
        indicator,
        shown,
        [owner.display_name for owner in owners],
        [owner.code for owner in owners],
        [Series("units", _("Units"), [row["n"] for row in rows])],
    )
    if audience.public:
        suppression.suppress_result(result)
    return result


def _comune_counts(params, audience):
    return list(
        units(params, audience)
        .values("building__comune__code", "building__comune__name", "building__comune__province")
        .annotate(n=Count("id"))
        .order_by("building__comune__code")
    )


def by_comune(indicator, params, audience, shown):
    rows = _comune_counts(params, audience)
    result = _result(
        indicator,
        shown,
        [row["building__comune__name"] for row in rows],
        [row["building__comune__code"] for row in rows],
        [Series("units", _("Units"), [row["n"] for row in rows])],
    )
    if audience.public:
        suppression.suppress_result(
            result, row_groups=_province_groups([row["building__comune__province"] for row in rows])
        )
    return result


def by_province(indicator, params, audience, shown):
    counts = dict(units(params, audience).values_list("building__comune__province").annotate(n=Count("id")))
    codes = [code for code in Province.values if code in counts]
    result = _result(
        indicator,
        shown,
        [str(Province(code).label) for code in codes],
        codes,
        [Series("units", _("Units"), [counts[code] for code in codes])],
    )
    if audience.public:
        suppression.suppress_result(result)
    return result


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def vacancy_by_province(indicator, params, audience, shown):
    """Vacant units (ready or needing works) over the housing stock (units neither sold
    nor non-residential), per province."""
    rows = list(
        units(params, audience)
        .exclude(status__in=OUTSIDE_HOUSING_STOCK)
        .values("building__comune__province")
        .annotate(stock=Count("id"), vacant=Count("id", filter=Q(status__in=VACANT)))
    )
    counts = {row["building__comune__province"]: row for row in rows}
    codes = [code for code in Province.values if code in counts]
    matrix = [[counts[code]["vacant"], counts[code]["stock"]] for code in codes]
    hidden = set()
    if audience.public:
        hidden = suppression.hidden_cells(matrix, limit=suppression.threshold())
    values = [None if (r, 0) in hidden or (r, 1) in hidden else _percent(*matrix[r]) for r in range(len(codes))]
    result = _result(
        indicator,
        shown,
        [str(Province(code).label) for code in codes],
        codes,
        [Series("vacancy_rate", _("Vacant units (%)"), values)],
    )
    suppression.hide(result, {(r, 0) for r, value in enumerate(values) if value is None and matrix[r][1]})
    return result


def per_thousand_residents(indicator, params, audience, shown):
    """Units per 1,000 residents (ISTAT 2021) in each Comune with units."""
    rows = _comune_counts(params, audience)
    residents = population.population_by_comune()
    hidden = set()
    if audience.public:
        hidden = suppression.hidden_cells(
            [[row["n"]] for row in rows],
            limit=suppression.threshold(),
            row_groups=_province_groups([row["building__comune__province"] for row in rows]),
        )
    values = []
    for index, row in enumerate(rows):
        people = residents.get(row["building__comune__code"])
        if (index, 0) in hidden or not people:
            values.append(None)
        else:
            values.append((Decimal(1000) * row["n"] / people).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    result = _result(
        indicator,
        shown,
        [row["building__comune__name"] for row in rows],
        [row["building__comune__code"] for row in rows],
        [Series("units_per_1000", _("Units per 1,000 residents"), values)],
    )
    suppression.hide(result, hidden)
    return result


def completeness_by_owner(indicator, params, audience, shown):
    """Per owner: its units, those whose record misses a field of INCOMPLETE_UNIT, and the
    share complete."""
    rows = list(
        units(params, audience)
        .values("owner__code", "owner__name", "owner__kind")
        .annotate(total=Count("id"), incomplete=Count("id", filter=INCOMPLETE_UNIT))
        .order_by("owner__code")
    )
    owners = [Entity(code=row["owner__code"], name=row["owner__name"], kind=row["owner__kind"]) for row in rows]
    return _result(
        indicator,
        shown,
        [owner.display_name for owner in owners],
        [owner.code for owner in owners],
        [
            Series("units", _("Units"), [row["total"] for row in rows]),
            Series("incomplete", _("Units with missing data"), [row["incomplete"] for row in rows]),
        ],
    )


def days_since_update_by_owner(indicator, params, audience, shown):
    """Per owner: days since the latest change to any of its units (today: 0)."""
    rows = list(
        units(params, audience)
        .values("owner__code", "owner__name", "owner__kind")
        .annotate(latest=Max("updated_at"))
        .order_by("owner__code")
    )
    today = timezone.localdate()
    owners = [Entity(code=row["owner__code"], name=row["owner__name"], kind=row["owner__kind"]) for row in rows]
    return _result(
        indicator,
        shown,
        [owner.display_name for owner in owners],
        [owner.code for owner in owners],
        [
            Series(
                "days",
                _("Days since the last update"),
                [(today - timezone.localtime(row["latest"]).date()).days for row in rows],
            )
        ],
    )


def by_year(indicator, params, audience, shown):
    """Units at each yearly snapshot's reference date (one category per year)."""
    cells = SnapshotCell.objects.order_by()
    if "province" in params:
        cells = cells.filter(comune__province=params["province"])
    if "arca" in params:
        cells = cells.filter(comune__covering_arca__code=params["arca"])
    if "comune" in params:
        cells = cells.filter(comune__code=params["comune"])
    if audience.entity_ids is not None:
        cells = cells.filter(owner_id__in=audience.entity_ids)
    rows = list(cells.values("snapshot__reference_date").annotate(n=Sum("units")).order_by("snapshot__reference_date"))
    result = _result(
        indicator,
        shown,
        [str(row["snapshot__reference_date"].year) for row in rows],
        [str(row["snapshot__reference_date"].year) for row in rows],
        [Series("units", _("Units"), [row["n"] for row in rows])],
    )
    if audience.public:
        suppression.suppress_result(result)
    return result
