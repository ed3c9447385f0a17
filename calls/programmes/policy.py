"""Who may do what with the intervention programmes: one named predicate per question, on the
access rule (registry/access.py, on the intervention's `beneficiary`) and the roles'
permissions (calls/programmes/roles.py).

- The beneficiary's side: `programmes.change_intervention`, no regional membership, and the
  beneficiary among the entities the person acts for (access.can_edit: an ARCA's people do
  not act for the Comuni it covers). They keep their interventions current: CUP, amounts,
  dates, progress reports, buildings of their own register, and the stage transitions.
- The Region's side: a regional membership and `programmes.manage_intervention` (funding,
  revocation, reinstatement) or `programmes.monitor_programme` (the progress of every
  programme and its exports). A permission alone is not enough, as an entity's role could be
  given it by mistake.

The services ask these once, before they act; screens ask them to decide what to show.
Which state an intervention may move to is its transition table (transitions.py)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from registry import access

BENEFICIARY_SIDE = "beneficiary"
REGION_SIDE = "region"


def manages_programmes(user) -> bool:
    """The Region's staff who create programmes and fund, revoke and reinstate interventions."""
    return access.is_regional(user) and user.has_perm("programmes.manage_intervention")


def monitors_programmes(user) -> bool:
    """The Region's staff who follow every programme's progress (and export it)."""
    return access.is_regional(user) and user.has_perm("programmes.monitor_programme")


def updates_interventions(user) -> bool:
    """A person acting for some entity who may update its interventions."""
    return (
        user.has_perm("programmes.change_intervention")
        and not access.is_regional(user)
        and bool(access.access_for(user).editable_ids())
    )


def can_see_interventions(user) -> bool:
    return user.has_perm("programmes.view_intervention")


def can_see_programmes(user) -> bool:
    return user.has_perm("programmes.view_programme")


def sees_every_programme(user) -> bool:
    """The Region's staff who read programmes read all of them; others read those of their
    entities (selectors.programmes_visible_to)."""
    return can_see_programmes(user) and access.is_regional(user)


def can_update(user, intervention) -> bool:
    """May `user` update the intervention as its beneficiary?"""
    return updates_interventions(user) and access.can_edit(user, intervention.beneficiary_id)


def can_take(user, intervention, transition) -> bool:
    """Whether the person's side may take the transition on this intervention (whatever its state)."""
    if REGION_SIDE in transition.sides and manages_programmes(user):
        return True
    return BENEFICIARY_SIDE in transition.sides and can_update(user, intervention)


def require_update(user, intervention) -> None:
    if not can_update(user, intervention):
        raise PermissionDenied(_("You cannot update this intervention."))


def require_manage(user) -> None:
    if not manages_programmes(user):
        raise PermissionDenied(_("Only the Region funds and revokes interventions."))
