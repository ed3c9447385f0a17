"""A ticket's life: its states, the transitions between them and which side may take each.

                 +---- reply (Region) ----> answered --------+
                 |                                           |
    open <-------+---- message (entity) <--------------------+
      |          |                                           |
      |          +---- request_info (Region) -> info_requested
      |
      +-- resolve (Region, from any active state) --> resolved --reopen (either side)--> open

The state says whose turn it is: `open` is the Region's, `answered` and `info_requested`
the entity's. Assigning a ticket and writing an internal note change no state; they are
services of their own (helpdesk/services.py).

`move_ticket` is the only way a ticket's state changes: it checks the table and the person's
side (helpdesk/policy.can_take), locks the row, checks the stored state, saves, and writes
the audit entry, in one transaction. The services call it with the message they write.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from . import policy
from .models import ACTIVE_STATES, MessageKind, Ticket, TicketState

ENTITY, REGION = policy.ENTITY_SIDE, policy.REGION_SIDE


@dataclass(frozen=True)
class TicketTransition:
    sources: tuple[str, ...]
    target: str
    sides: tuple[str, ...]  # who may take it: the entity's people, the Region's staff
    message_kind: str  # the kind of the message written with it
    label: str
    confirm: bool = False  # the screen shows a summary and asks to confirm


TRANSITIONS = {
    "message": TicketTransition(
        ACTIVE_STATES, TicketState.OPEN, (ENTITY,), MessageKind.MESSAGE, gettext_lazy("Reply to the Region")
    ),
    "reply": TicketTransition(
        ACTIVE_STATES, TicketState.ANSWERED, (REGION,), MessageKind.REPLY, gettext_lazy("Reply to the entity")
    ),
    "request_info": TicketTransition(
        ACTIVE_STATES,
        TicketState.INFO_REQUESTED,
        (REGION,),
        MessageKind.INFO_REQUEST,
        gettext_lazy("Ask for information"),
    ),
    "resolve": TicketTransition(
        ACTIVE_STATES,
        TicketState.RESOLVED,
        (REGION,),
        MessageKind.RESOLUTION,
        gettext_lazy("Resolve the ticket"),
        confirm=True,
    ),
    "reopen": TicketTransition(
        (TicketState.RESOLVED,),
        TicketState.OPEN,
        (ENTITY, REGION),
        MessageKind.REOPENING,
        gettext_lazy("Reopen the ticket"),
        confirm=True,
    ),
}

AUDIT_ACTIONS = {
    "push.ticket.open": gettext_lazy("Ticket opened"),
    "push.ticket.message": gettext_lazy("Ticket: the entity replied"),
    "push.ticket.reply": gettext_lazy("Ticket: the Region replied"),
    "push.ticket.request_info": gettext_lazy("Ticket: information requested"),
    "push.ticket.resolve": gettext_lazy("Ticket resolved"),
    "push.ticket.reopen": gettext_lazy("Ticket reopened"),
    "push.ticket.note": gettext_lazy("Ticket: internal note"),
    "push.ticket.assign": gettext_lazy("Ticket assigned"),
}


def may_take(user, ticket: Ticket, action: str) -> bool:
    transition = TRANSITIONS[action]
    return ticket.state in transition.sources and policy.can_take(user, ticket, transition)


def allowed_transitions(user, ticket: Ticket) -> list[str]:
    """The actions this person may take on the ticket now, in the table's order."""
    return [action for action in TRANSITIONS if may_take(user, ticket, action)]


def move_ticket(ticket: Ticket, action: str, by, *, data: dict | None = None) -> Ticket:
    """Take `action` on the ticket: atomic (the row locked, the stored state checked), refused
    with PermissionDenied to a side the table does not allow and with ValidationError (code
    "state") from a state the action does not start from. Sets the timings: the first
    response at the Region's first message, `resolved_at` at a resolution (cleared by a
    reopening). Returns the locked, saved ticket."""
    transition = TRANSITIONS[action]
    if not policy.can_take(by, ticket, transition):
        raise PermissionDenied(_("You may not do this to this ticket."))
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.state not in transition.sources:
            raise ValidationError(
                _("This cannot be done to a ticket in state “%(state)s”.") % {"state": locked.get_state_display()},
                code="state",
            )
        old = locked.state
        now = timezone.now()
        locked.state = transition.target
        locked.updated_at = now
        fields = ["state", "updated_at"]
        if REGION in transition.sides and policy.handles_tickets(by) and action != "reopen":
            if locked.first_response_at is None:
                locked.first_response_at = now
                fields.append("first_response_at")
        if transition.target == TicketState.RESOLVED:
            locked.resolved_at = now
            fields.append("resolved_at")
        elif old == TicketState.RESOLVED:
            locked.resolved_at = None
            fields.append("resolved_at")
        locked.save(update_fields=fields)
        log(
            instance=locked,
            action=f"push.ticket.{action}",
            user=by,
            data={"from": old, "to": locked.state, **(data or {})},
        )
    return locked
