"""Indicators of the sale plans (L. 560/1993), per owner: units proposed, approved and sold,
and the proceeds against the amounts reinvested.

Restricted: the Region's people read every owner's figures, an owner's people their own
owners' only (the audience). Every figure is an SQL aggregate (COUNT or SUM grouped by owner),
one query per figure whatever the number of plans; `year` keeps the plans first sent, the
plans approved, the sales and the reinvestments of that calendar year (Europe/Rome).

The sale plans' services bump the register's data version on every change (a plan's units
and states are part of the register's life), so these indicators are versioned with STOCK."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.sales.models import Reinvestment, Sale, SalePlanState, SalePlanUnit
from dashboards.results import CategoryKind, Level, Result, Series, Unit
from registry.models import Entity

from .catalogue import STOCK, Indicator

SOURCE = "Piani di vendita L. 560/1993 (PUSH)"
OWNER_FIELDS = (("code", gettext_lazy("PUSH code of the owner")), ("category", gettext_lazy("Owner")))


def _owned(queryset, audience, path="owner_id"):
    if audience.entity_ids is not None:
        queryset = queryset.filter(**{f"{path}__in": audience.entity_ids})
    return queryset


def _grouped(queryset, owner_path: str, value) -> dict[int, int | Decimal]:
    return dict(queryset.order_by().values_list(owner_path).annotate(value=value).values_list(owner_path, "value"))


def _result(indicator, shown, owner_ids, series) -> Result:
    owners = {entity.pk: entity for entity in Entity.objects.filter(pk__in=owner_ids).order_by()}
    order = sorted(owners.values(), key=lambda entity: entity.code)
    return Result(
        indicator=indicator.key,
        title=str(indicator.title),
        unit=indicator.unit,
        category_kind=CategoryKind.LABEL,
        categories=[owner.display_name for owner in order],
        codes=[owner.code for owner in order],
        series=[Series(key, label, [values.get(owner.pk, 0) for owner in order]) for key, label, values in series],
        parameters=shown,
        source=indicator.source_note or SOURCE,
    )


def units_by_owner(indicator, params, audience, shown):
    """Per owner: units in the plans it sent (the year of the first sending), in its approved
    plans (the year of the approval) and sold (the year of the sale)."""
    lines = _owned(SalePlanUnit.objects.all(), audience, "plan__owner_id")
    proposed = lines.filter(plan__first_sent_at__isnull=False)
    approved = lines.filter(plan__state=SalePlanState.APPROVED)
    sales = _owned(Sale.objects.all(), audience)
    if "year" in params:
        proposed = proposed.filter(plan__first_sent_at__year=params["year"])
        approved = approved.filter(plan__decided_at__year=params["year"])
        sales = sales.filter(sold_on__year=params["year"])
    series = [
        ("proposed", _("Units proposed"), _grouped(proposed, "plan__owner_id", Count("pk"))),
        ("approved", _("Units approved"), _grouped(approved, "plan__owner_id", Count("pk"))),
        ("sold", _("Units sold"), _grouped(sales, "owner_id", Count("pk"))),
    ]
    owner_ids = set().union(*(values for _key, _label, values in series))
    return _result(indicator, shown, owner_ids, series)


def proceeds_by_owner(indicator, params, audience, shown):
    """Per owner: the proceeds of its sales against the amounts it reinvested (€)."""
    sales = _owned(Sale.objects.all(), audience)
    spent = _owned(Reinvestment.objects.all(), audience)
    if "year" in params:
        sales = sales.filter(sold_on__year=params["year"])
        spent = spent.filter(spent_on__year=params["year"])
    series = [
        ("proceeds", _("Proceeds of the sales (€)"), _grouped(sales, "owner_id", Sum("price"))),
        ("reinvested", _("Reinvested (€)"), _grouped(spent, "owner_id", Sum("amount"))),
    ]
    owner_ids = set().union(*(values for _key, _label, values in series))
    result = _result(indicator, shown, owner_ids, series)
    for item in result.series:
        item.values = [Decimal(value or 0).quantize(Decimal("0.01")) for value in item.values]
    return result


INDICATORS = (
    Indicator(
        key="sales_units_by_owner",
        title=gettext_lazy("Sale plans: units proposed, approved and sold by owner"),
        description=gettext_lazy(
            "Per owner: units of the sale plans sent to the Region (year of the first sending), of the "
            "approved plans (year of the approval) and units sold (year of the sale)."
        ),
        level=Level.RESTRICTED,
        parameters=("year",),
        unit=Unit.COUNT,
        category_kind=CategoryKind.LABEL,
        sources=(STOCK,),
        default_kind="bar",
        select=units_by_owner,
        fields=(
            *OWNER_FIELDS,
            ("proposed", gettext_lazy("Units proposed")),
            ("approved", gettext_lazy("Units approved")),
            ("sold", gettext_lazy("Units sold")),
        ),
    ),
    Indicator(
        key="sales_proceeds_by_owner",
        title=gettext_lazy("Sale plans: proceeds and reinvestments by owner"),
        description=gettext_lazy(
            "Per owner: the proceeds of the units sold under the sale plans and the amounts reinvested in new "
            "housing or recovery (€), by the year of the sale and of the reinvestment."
        ),
        level=Level.RESTRICTED,
        parameters=("year",),
        unit=Unit.EURO,
        category_kind=CategoryKind.LABEL,
        sources=(STOCK,),
        default_kind="bar",
        select=proceeds_by_owner,
        fields=(
            *OWNER_FIELDS,
            ("proceeds", gettext_lazy("Proceeds of the sales (€)")),
            ("reinvested", gettext_lazy("Reinvested (€)")),
        ),
    ),
)
