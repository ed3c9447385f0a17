"""Who may do what with the tickets: one named predicate per question, on the access rule
(registry/access.py: which entities a person acts for) and the roles' permissions
(helpdesk/roles.py).

- The entity's side: `helpdesk.add_ticket`, no regional membership, and an entity the person
  acts for (access.can_edit: an ARCA's people do not act for the Comuni it covers). Any
  active member of the entity may open and follow its tickets (see roles.py for why).
- The Region's side: a regional membership and `helpdesk.handle_ticket` (a permission alone
  is not enough, as an entity's role could be given it by mistake).
- Internal notes are read only by the Region's side.

The services ask these once, before they act; screens ask them only to decide what to show.
Which state a ticket may move to is its transition table (helpdesk/transitions.py)."""

from registry import access

ENTITY_SIDE = "entity"
REGION_SIDE = "region"


def handles_tickets(user) -> bool:
    """The Region's helpdesk staff: the queue, replies, notes, assignment, resolution."""
    return access.is_regional(user) and user.has_perm("helpdesk.handle_ticket")


def opens_tickets(user) -> bool:
    """A person acting for some entity who may open tickets for it (the form then offers the
    entities they act for)."""
    return (
        user.has_perm("helpdesk.add_ticket")
        and not access.is_regional(user)
        and bool(access.access_for(user).editable_ids())
    )


def can_open_ticket(user, entity) -> bool:
    return opens_tickets(user) and access.can_edit(user, getattr(entity, "pk", entity))


def can_see_tickets(user) -> bool:
    return user.has_perm("helpdesk.view_ticket") and (handles_tickets(user) or opens_tickets(user))


def can_see_ticket(user, ticket) -> bool:
    if handles_tickets(user):
        return True
    return can_see_tickets(user) and access.can_edit(user, ticket.entity_id)


def can_act_as_entity(user, ticket) -> bool:
    """Reply to the Region, add files, reopen: the entity's own people."""
    return can_open_ticket(user, ticket.entity_id)


def can_read_internal_notes(user) -> bool:
    return handles_tickets(user)


def can_take(user, ticket, transition) -> bool:
    """Whether the person's side may take the transition on this ticket (whatever its state)."""
    if REGION_SIDE in transition.sides and handles_tickets(user):
        return True
    return ENTITY_SIDE in transition.sides and can_act_as_entity(user, ticket)


def side_of(user, ticket) -> str | None:
    if handles_tickets(user):
        return REGION_SIDE
    if can_act_as_entity(user, ticket):
        return ENTITY_SIDE
    return None
