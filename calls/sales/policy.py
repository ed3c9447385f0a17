"""Who may do what with the sale plans: one named predicate per question, on the access rule
(registry/access.py: which entities a person acts for) and the roles' permissions
(calls/sales/roles.py).

- The owner's side: `sales.change_saleplan`, no regional membership, and an owner (ARCA or
  Comune) the person acts for (access.can_edit: an ARCA's people do not act for the Comuni it
  covers, so they never propose a Comune's units).
- The Region's side: a regional membership and `sales.review_saleplan` (a permission alone is
  not enough, as an owner's role could be given it by mistake).

The services ask these once, before they act; screens ask them only to decide what to show.
Which state a plan may move to is its transition table (calls/sales/transitions.py)."""

from registry import access
from registry.models import EntityKind

OWNER_SIDE = "owner"
REGION_SIDE = "region"
OWNER_KINDS = (EntityKind.ARCA, EntityKind.COMUNE)


def reviews_sale_plans(user) -> bool:
    """The Region's reviewers: every owner's plans, their review, every owner's proceeds."""
    return access.is_regional(user) and user.has_perm("sales.review_saleplan")


def proposes_sale_plans(user) -> bool:
    """A person acting for some owner who may propose plans (the form offers those owners)."""
    return (
        user.has_perm("sales.change_saleplan")
        and not access.is_regional(user)
        and bool(access.access_for(user).editable_ids())
    )


def can_act_for_owner(user, owner) -> bool:
    """Propose a plan of `owner`, change it, send it, record its sales and reinvestments."""
    return getattr(owner, "kind", None) in OWNER_KINDS and proposes_sale_plans(user) and access.can_edit(user, owner.pk)


def can_see_sale_plans(user) -> bool:
    return user.has_perm("sales.view_saleplan") and (reviews_sale_plans(user) or proposes_sale_plans(user))


def can_take(user, plan, transition) -> bool:
    """Whether the person's side may take the transition on this plan (whatever its state)."""
    if transition.side == REGION_SIDE:
        return reviews_sale_plans(user)
    return can_act_for_owner(user, plan.owner)
