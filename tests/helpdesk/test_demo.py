"""The demo tickets: loaded after the demo people, in every state, once."""

from django.core.management import call_command

from helpdesk.models import MessageKind, Ticket, TicketState


def test_demo_tickets_in_every_state_loaded_once(db):
    call_command("load_demo_data", stock_scale=0.002)
    states = sorted(Ticket.objects.values_list("state", flat=True))
    assert states == sorted(TicketState.values)
    resolved = Ticket.objects.get(state=TicketState.RESOLVED)
    assert resolved.first_response_at and resolved.resolved_at > resolved.first_response_at > resolved.created_at
    assert Ticket.objects.filter(messages__kind=MessageKind.NOTE).count() == 1
    call_command("load_demo_data", stock_scale=0.002)
    assert Ticket.objects.count() == len(states)
