"""Reading sale plans: which plans a person may see, the units an owner may still propose,
the proceeds of the sales against the reinvestments, by owner.

Every screen, export and API endpoint finds a plan through `plans_visible_to` (the access
rule by the plan's owner: the owner's people see their own owners' plans, never those of the
Comuni an ARCA covers; the Region's reviewers see all) and an owner's figures through
`proceeds_by_owner`, which applies the same rule."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from registry import access
from registry.models import Building, Entity, OccupancyStatus, Unit
from registry.stock import selectors as stock_selectors

from . import policy
from .models import OPEN_STATES, Reinvestment, Sale, SalePlan, SalePlanUnit

# Units that cannot be put in a plan: already for sale or sold.
NOT_PROPOSABLE = (OccupancyStatus.FOR_SALE, OccupancyStatus.SOLD)
CENT = Decimal("0.01")


def plans_visible_to(user):
    """The plans `user` may read: all for the Region's reviewers, their own owners' for the
    owners' people, none for anyone else."""
    queryset = SalePlan.objects.select_related("owner").annotate(unit_total=Count("lines"))
    if policy.reviews_sale_plans(user):
        return queryset
    if not policy.can_see_sale_plans(user):
        return queryset.none()
    return access.scope(queryset, user, path="owner", for_edit=True)


def owners_for(user):
    """The owners (ARCA, Comuni) for which `user` proposes plans and records sales."""
    if not policy.proposes_sale_plans(user):
        return Entity.objects.none()
    return access.scope(Entity.objects.filter(kind__in=policy.OWNER_KINDS), user, path="", for_edit=True).order_by(
        "name"
    )


def lines_of(plan):
    """The plan's units with their building, Comune and sale, by PUSH id."""
    return (
        SalePlanUnit.objects.filter(plan=plan)
        .select_related("unit__building__comune", "sale")
        .order_by("unit__push_id")
    )


def proposable_units(owner, *, comune=None, building=None, status=""):
    """The units of `owner` that may go in a plan: not for sale or sold already, and in no
    other plan still open. Narrowed by the Comune, building and status given."""
    in_open_plan = SalePlanUnit.objects.filter(unit=OuterRef("pk"), plan__state__in=OPEN_STATES)
    queryset = (
        Unit.objects.filter(owner=owner)
        .exclude(status__in=NOT_PROPOSABLE)
        .exclude(Exists(in_open_plan))
        .select_related("building__comune")
        .order_by(*stock_selectors.natural_unit_order())
    )
    if comune is not None:
        queryset = queryset.filter(building__comune=comune)
    if building is not None:
        queryset = queryset.filter(building=building)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def comuni_of(owner):
    """The Comuni where `owner` has buildings (the unit picker's filter)."""
    return Entity.objects.filter(pk__in=Building.objects.filter(owner=owner).values("comune_id")).order_by("name")


def buildings_of(owner, comune=None):
    queryset = Building.objects.filter(owner=owner).order_by("local_id")
    if comune is not None:
        queryset = queryset.filter(comune=comune)
    return queryset


# --- proceeds against reinvestments ---------------------------------------------------------


@dataclass
class OwnerProceeds:
    owner: Entity
    units_sold: int
    proceeds: Decimal
    reinvested: Decimal
    new_housing: Decimal
    recovery: Decimal

    @property
    def balance(self) -> Decimal:
        """Proceeds not yet reinvested (negative: more reinvested than received)."""
        return self.proceeds - self.reinvested


def proceeds_by_owner(user, *, year: int | None = None) -> list[OwnerProceeds]:
    """Per owner the person may see (the Region: every owner with a sale or a reinvestment;
    an owner's people: their own owners), the units sold and proceeds against the amounts
    reinvested, in two aggregate queries. `year` keeps the sales and reinvestments of that
    calendar year."""
    sales = Sale.objects.order_by()
    reinvestments = Reinvestment.objects.order_by()
    if year:
        sales = sales.filter(sold_on__year=year)
        reinvestments = reinvestments.filter(spent_on__year=year)
    if not policy.reviews_sale_plans(user):
        if not policy.can_see_sale_plans(user):
            return []
        sales = access.scope(sales, user, path="owner", for_edit=True)
        reinvestments = access.scope(reinvestments, user, path="owner", for_edit=True)
    sold = {row["owner_id"]: row for row in sales.values("owner_id").annotate(units=Count("pk"), proceeds=Sum("price"))}
    spent = {
        row["owner_id"]: row
        for row in reinvestments.values("owner_id").annotate(
            total=Sum("amount"),
            new_housing=Sum("amount", filter=Q(purpose="new_housing")),
            recovery=Sum("amount", filter=Q(purpose="recovery")),
        )
    }
    owners = Entity.objects.filter(pk__in=set(sold) | set(spent)).order_by("name")

    def cents(row, key) -> Decimal:
        # SQLite sums decimals without their scale: every amount is given to the cent.
        return Decimal(row.get(key) or 0).quantize(CENT)

    return [
        OwnerProceeds(
            owner=owner,
            units_sold=sold.get(owner.pk, {}).get("units", 0),
            proceeds=cents(sold.get(owner.pk, {}), "proceeds"),
            reinvested=cents(spent.get(owner.pk, {}), "total"),
            new_housing=cents(spent.get(owner.pk, {}), "new_housing"),
            recovery=cents(spent.get(owner.pk, {}), "recovery"),
        )
        for owner in owners
    ]


def reinvestments_visible_to(user):
    queryset = Reinvestment.objects.select_related("owner", "intervention")
    if policy.reviews_sale_plans(user):
        return queryset
    if not policy.can_see_sale_plans(user):
        return queryset.none()
    return access.scope(queryset, user, path="owner", for_edit=True)
