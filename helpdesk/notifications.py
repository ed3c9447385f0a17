"""The helpdesk's notifications (core.notifications): who is told of what about a ticket.

- a new ticket: the Region's helpdesk staff (registry.recipients.regional_people);
- the entity replies or reopens: the ticket's assignee, or the Region's staff while nobody
  has taken it;
- the Region replies, asks for information or resolves: the entity's helpdesk people and
  legal representatives (registry.recipients.people_of) and the ticket's author.

The person who acted is never told of their own action. Internal notes notify nobody on the
entity's side, and their text never enters a notification's context."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.notifications import notify
from core.notifications.kinds import Kind
from registry import recipients
from registry.models import Area

OPENED = "ticket_opened"
ENTITY_MESSAGE = "ticket_entity_message"
REOPENED = "ticket_reopened"
REPLIED = "ticket_replied"
INFO_REQUESTED = "ticket_info_requested"
RESOLVED = "ticket_resolved"


def _labels(context: dict) -> dict:
    """The topic's label in the recipient's language (the context keeps its code)."""
    from .models import Topic

    topic = context.get("topic", "")
    return {"topic_label": Topic(topic).label if topic in Topic.values else topic}


KINDS = (
    Kind(OPENED, _("Helpdesk: a new ticket from an entity"), render_context=_labels),
    Kind(ENTITY_MESSAGE, _("Helpdesk: an entity replied on a ticket"), render_context=_labels),
    Kind(REOPENED, _("Helpdesk: a ticket was reopened"), render_context=_labels),
    Kind(REPLIED, _("Helpdesk: the Region replied to your ticket"), render_context=_labels),
    Kind(INFO_REQUESTED, _("Helpdesk: the Region asks for information"), render_context=_labels),
    Kind(RESOLVED, _("Helpdesk: your ticket was resolved"), render_context=_labels),
)

# The notification sent after each transition (helpdesk/transitions.py), and to which side.
AFTER_TRANSITION = {
    "message": ENTITY_MESSAGE,
    "reply": REPLIED,
    "request_info": INFO_REQUESTED,
    "resolve": RESOLVED,
}


def _context(ticket) -> dict:
    return {
        "ticket": ticket.pk,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "entity": ticket.entity.display_name,
        "topic": ticket.topic,
    }


def ticket_url(ticket) -> str:
    return reverse("helpdesk_ticket", args=[ticket.pk])


def _without(people, by):
    return [person for person in people if person.pk != getattr(by, "pk", None)]


def region_recipients(ticket) -> list:
    if ticket.assignee_id and ticket.assignee.is_active:
        return [ticket.assignee]
    return recipients.regional_people()


def entity_recipients(ticket) -> list:
    people = recipients.people_of(ticket.entity_id, areas=(Area.HELPDESK,))
    if ticket.author.is_active and ticket.author.pk not in {person.pk for person in people}:
        people.append(ticket.author)
    return people


def ticket_opened(ticket, *, by) -> int:
    return notify(
        kind=OPENED,
        recipients=_without(recipients.regional_people(), by),
        context=_context(ticket),
        url=ticket_url(ticket),
    )


def after_transition(ticket, action: str, *, by) -> int:
    if action == "reopen":
        from . import policy

        if policy.handles_tickets(by):
            kind, people = REPLIED, entity_recipients(ticket)
        else:
            kind, people = REOPENED, region_recipients(ticket)
    elif action == "message":
        kind, people = ENTITY_MESSAGE, region_recipients(ticket)
    else:
        kind, people = AFTER_TRANSITION[action], entity_recipients(ticket)
    return notify(kind=kind, recipients=_without(people, by), context=_context(ticket), url=ticket_url(ticket))
