"""A sale plan's life: its states, the transitions between them and which side may take each.

    draft --send (owner)--> sent --approve (Region)--> approved
                             |  +--reject (Region)--> rejected
                             |
          request_integration (Region)
                             v
                  integration_requested --integrate (owner)--> sent

Sending and integrating are numbered in the calls' protocol register (calls/sales/services.py);
approving marks the plan's units `for_sale` in the register. `send`, `integrate`, `approve`
and `reject` cannot be undone: the screens show a summary and ask to confirm them.

`move_plan` is the only way a plan's state changes: it checks the side (policy.can_take),
locks the row, checks the stored state, saves the fields the service gives, and writes the
audit entry, in the caller's transaction."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from . import policy
from .models import SalePlan, SalePlanState

OWNER, REGION = policy.OWNER_SIDE, policy.REGION_SIDE


@dataclass(frozen=True)
class PlanTransition:
    sources: tuple[str, ...]
    target: str
    side: str  # who may take it: the owner's people or the Region's reviewers
    label: str
    confirm: bool  # irreversible: the screen shows a summary and asks to confirm


TRANSITIONS = {
    "send": PlanTransition((SalePlanState.DRAFT,), SalePlanState.SENT, OWNER, gettext_lazy("Send to the Region"), True),
    "integrate": PlanTransition(
        (SalePlanState.INTEGRATION_REQUESTED,),
        SalePlanState.SENT,
        OWNER,
        gettext_lazy("Send the integration"),
        True,
    ),
    "request_integration": PlanTransition(
        (SalePlanState.SENT,),
        SalePlanState.INTEGRATION_REQUESTED,
        REGION,
        gettext_lazy("Request an integration"),
        False,
    ),
    "approve": PlanTransition(
        (SalePlanState.SENT,), SalePlanState.APPROVED, REGION, gettext_lazy("Approve the plan"), True
    ),
    "reject": PlanTransition(
        (SalePlanState.SENT,), SalePlanState.REJECTED, REGION, gettext_lazy("Reject the plan"), True
    ),
}

AUDIT_ACTIONS = {
    "push.sale_plan.create": gettext_lazy("Sale plan created"),
    "push.sale_plan.units": gettext_lazy("Sale plan: units changed"),
    "push.sale_plan.send": gettext_lazy("Sale plan sent"),
    "push.sale_plan.integrate": gettext_lazy("Sale plan: integration sent"),
    "push.sale_plan.request_integration": gettext_lazy("Sale plan: integration requested"),
    "push.sale_plan.approve": gettext_lazy("Sale plan approved"),
    "push.sale_plan.reject": gettext_lazy("Sale plan rejected"),
    "push.sale_plan.sale": gettext_lazy("Sale plan: sale recorded"),
    "push.sale_plan.reinvestment": gettext_lazy("Proceeds reinvested"),
}


def may_take(user, plan: SalePlan, action: str) -> bool:
    transition = TRANSITIONS[action]
    return plan.state in transition.sources and policy.can_take(user, plan, transition)


def allowed_transitions(user, plan: SalePlan) -> list[str]:
    """The actions this person may take on the plan now, in the table's order."""
    return [action for action in TRANSITIONS if may_take(user, plan, action)]


def require(user, plan: SalePlan, action: str):
    """The transition, if the person's side may take it (PermissionDenied otherwise)."""
    transition = TRANSITIONS[action]
    if not policy.can_take(user, plan, transition):
        raise PermissionDenied(_("You may not do this to this sale plan."))
    return transition


def lock(plan: SalePlan, transition: PlanTransition) -> SalePlan:
    """The plan's row locked for update, refused (ValidationError, code "state") when its
    stored state is not one the transition starts from. Inside the caller's transaction."""
    locked = SalePlan.objects.select_for_update().select_related("owner").get(pk=plan.pk)
    if locked.state not in transition.sources:
        raise ValidationError(
            _("This cannot be done to a sale plan in state “%(state)s”.") % {"state": locked.get_state_display()},
            code="state",
        )
    return locked


def move_plan(locked: SalePlan, action: str, by, *, fields: dict | None = None, data: dict | None = None) -> SalePlan:
    """Save the locked plan in the transition's target state with `fields`, and write the
    audit entry. The caller holds the lock (`lock`) and its transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move_plan runs inside the service's transaction")
    transition = TRANSITIONS[action]
    old = locked.state
    locked.state = transition.target
    locked.updated_at = timezone.now()
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
    locked.save(update_fields=["state", "updated_at", *(fields or {})])
    log(
        instance=locked,
        action=f"push.sale_plan.{action}",
        user=by,
        data={"from": old, "to": locked.state, **(data or {})},
    )
    return locked
