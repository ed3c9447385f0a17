"""Demo tickets: Bari's and Sud Salento's people asking the Region, in every state (one
waiting, one answered, one with information requested, one resolved with its internal
note), written through the services so that their threads, timings and audit entries are
what the screens will show."""

import datetime
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction

from registry.models import Entity

from . import services
from .models import Message, Ticket, Topic


def _aged(ticket, days: float) -> None:
    """Spread the demo over the past weeks: the thread keeps its order, shifted back."""
    shift = datetime.timedelta(days=days)
    for message in ticket.messages.all():
        Message.objects.filter(pk=message.pk).update(created_at=message.created_at - shift)
    ticket.refresh_from_db()
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=ticket.created_at - shift,
        updated_at=ticket.updated_at - shift,
        first_response_at=ticket.first_response_at - shift if ticket.first_response_at else None,
        resolved_at=ticket.resolved_at - shift if ticket.resolved_at else None,
    )


class DemoTicket(NamedTuple):
    """A demo ticket: the entity (PUSH code), its topic, subject and first message, who opened
    it, what was done then, in order — (action, by, text): "assign" (text: the assignee's
    username), "note", or a transition of helpdesk/transitions.py ("reply", "request_info",
    "resolve") — and how many days ago it all happened."""

    entity: str
    topic: str
    subject: str
    body: str
    author: str
    steps: tuple  # (action, by, text)
    days_ago: int


TICKETS = (
    DemoTicket(
        "072006",
        Topic.CALLS,
        "Cofinanziamento comunale: va indicato al lordo?",
        "Buongiorno, il cofinanziamento da indicare nella domanda è al lordo delle economie dell'anno precedente?",
        "bari.referente",
        (),
        2,
    ),
    DemoTicket(
        "750000",
        Topic.PROPERTY_REGISTER,
        "Import alloggi: errore sulla classe energetica",
        "Il file di import viene rifiutato alla colonna classe energetica per gli alloggi senza APE.",
        "sudsalento.referente",
        (
            ("assign", "regione.admin", "regione.istruttore"),
            ("note", "regione.istruttore", "Verificare se serve un valore 'non disponibile'."),
            (
                "reply",
                "regione.istruttore",
                "Per gli alloggi senza APE lasciate la cella vuota: il campo non è obbligatorio.",
            ),
        ),
        9,
    ),
    DemoTicket(
        "072006",
        Topic.ACCREDITATION,
        "Nuovo referente per il patrimonio",
        "Dobbiamo sostituire il referente del patrimonio: come si procede?",
        "bari.sindaco",
        (
            (
                "request_info",
                "regione.admin",
                "Ci inviate il numero e la data dell'atto di designazione del nuovo referente?",
            ),
        ),
        5,
    ),
    DemoTicket(
        "072006",
        Topic.TECHNICAL,
        "Accesso con SPID non riuscito",
        "Da questa mattina l'accesso con SPID restituisce un errore.",
        "bari.referente",
        (
            ("reply", "regione.istruttore", "Stiamo verificando con il fornitore."),
            (
                "resolve",
                "regione.istruttore",
                "Il problema del fornitore è stato risolto: l'accesso funziona di nuovo.",
            ),
        ),
        20,
    ),
)


def _act(ticket, action: str, by, text: str, people: dict) -> None:
    if action == "assign":
        services.assign(ticket=ticket, assignee=people[text], by=by)
    elif action == "note":
        services.add_note(ticket=ticket, body=text, by=by)
    else:
        services.write(ticket=ticket, action=action, body=text, by=by)


def load():
    """Create the demo tickets once (idempotent)."""
    usernames = {name for row in TICKETS for name in (row.author, *(step[1] for step in row.steps))}
    usernames |= {step[2] for row in TICKETS for step in row.steps if step[0] == "assign"}
    people = {user.username: user for user in get_user_model().objects.filter(username__in=usernames)}
    if len(people) < len(usernames) or Ticket.objects.exists():
        return
    entities = {entity.code: entity for entity in Entity.objects.filter(code__in={row.entity for row in TICKETS})}
    with transaction.atomic():
        for row in TICKETS:
            ticket = services.open_ticket(
                entity=entities[row.entity], topic=row.topic, subject=row.subject, body=row.body, by=people[row.author]
            )
            for action, by, text in row.steps:
                _act(ticket, action, people[by], text, people)
            _aged(ticket, row.days_ago)
