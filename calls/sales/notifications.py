"""What the sale plans tell people (core.notifications).

- a plan sent (or its integration): the Region's reviewers;
- an integration requested, the approval, the rejection: the owner's legal representatives
  and property-register officers (registry.recipients.people_of).

The person who acted is never told of their own action. The stored context holds ids and
the protocol number only; the plan is loaded when the e-mail is rendered."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.notifications import notify
from core.notifications.kinds import Kind
from registry import recipients
from registry.models import Area

SENT = "sale_plan_sent"
INTEGRATION_REQUESTED = "sale_plan_integration_requested"
APPROVED = "sale_plan_approved"
REJECTED = "sale_plan_rejected"


def _plan(context: dict) -> dict:
    from .models import SalePlan

    return {"plan": SalePlan.objects.select_related("owner").get(pk=context["plan"])}


KINDS = (
    Kind(SENT, _("Sale plans: an owner sent a sale plan to review"), render_context=_plan),
    Kind(INTEGRATION_REQUESTED, _("Sale plans: the Region asks to integrate a sale plan"), render_context=_plan),
    Kind(APPROVED, _("Sale plans: the Region approved a sale plan"), render_context=_plan),
    Kind(REJECTED, _("Sale plans: the Region rejected a sale plan"), render_context=_plan),
)

AFTER_DECISION = {"request_integration": INTEGRATION_REQUESTED, "approve": APPROVED, "reject": REJECTED}


def plan_url(plan) -> str:
    return reverse("sales_plan", args=[plan.pk])


def _without(people, by):
    return [person for person in people if person.pk != getattr(by, "pk", None)]


def reviewers() -> list:
    from . import policy

    return [person for person in recipients.regional_people() if policy.reviews_sale_plans(person)]


def owner_people(plan) -> list:
    return recipients.people_of(plan.owner_id, areas=(Area.PROPERTY_REGISTER,))


def _context(plan) -> dict:
    return {"plan": plan.pk, "protocol": plan.protocol_number}


def plan_sent(plan, *, by) -> int:
    return notify(
        kind=SENT,
        recipients=_without(reviewers(), by),
        context=_context(plan),
        url=plan_url(plan),
        dedupe_key=f"sale-plan-sent:{plan.protocol_number}",
    )


def after_decision(plan, action: str, *, by) -> int:
    return notify(
        kind=AFTER_DECISION[action],
        recipients=_without(owner_people(plan), by),
        context=_context(plan),
        url=plan_url(plan),
        dedupe_key=f"sale-plan-{action}:{plan.pk}:{plan.updated_at.isoformat()}",
    )
