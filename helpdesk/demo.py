"""Demo tickets: Bari's and Sud Salento's people asking the Region, in every state (one
waiting, one answered, one with information requested, one resolved with its internal
note), written through the services so that their threads, timings and audit entries are
what the screens will show."""

import datetime

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


def load():
    """Create the demo tickets once (idempotent)."""
    User = get_user_model()
    people = {
        user.username: user
        for user in User.objects.filter(
            username__in=(
                "regione.admin",
                "regione.istruttore",
                "bari.referente",
                "bari.sindaco",
                "sudsalento.referente",
            )
        )
    }
    if len(people) < 5 or Ticket.objects.exists():
        return
    bari = Entity.objects.get(code="072006")
    salento = Entity.objects.get(code="750000")
    region, reviewer = people["regione.admin"], people["regione.istruttore"]
    with transaction.atomic():
        waiting = services.open_ticket(
            entity=bari,
            topic=Topic.CALLS,
            subject="Cofinanziamento comunale: va indicato al lordo?",
            body="Buongiorno, il cofinanziamento da indicare nella domanda è al lordo delle economie dell'anno precedente?",
            by=people["bari.referente"],
        )
        _aged(waiting, 2)

        answered = services.open_ticket(
            entity=salento,
            topic=Topic.PROPERTY_REGISTER,
            subject="Import alloggi: errore sulla classe energetica",
            body="Il file di import viene rifiutato alla colonna classe energetica per gli alloggi senza APE.",
            by=people["sudsalento.referente"],
        )
        services.assign(ticket=answered, assignee=reviewer, by=region)
        services.add_note(ticket=answered, body="Verificare se serve un valore 'non disponibile'.", by=reviewer)
        services.write(
            ticket=answered,
            action="reply",
            body="Per gli alloggi senza APE lasciate la cella vuota: il campo non è obbligatorio.",
            by=reviewer,
        )
        _aged(answered, 9)

        info = services.open_ticket(
            entity=bari,
            topic=Topic.ACCREDITATION,
            subject="Nuovo referente per il patrimonio",
            body="Dobbiamo sostituire il referente del patrimonio: come si procede?",
            by=people["bari.sindaco"],
        )
        services.write(
            ticket=info,
            action="request_info",
            body="Ci inviate il numero e la data dell'atto di designazione del nuovo referente?",
            by=region,
        )
        _aged(info, 5)

        resolved = services.open_ticket(
            entity=bari,
            topic=Topic.TECHNICAL,
            subject="Accesso con SPID non riuscito",
            body="Da questa mattina l'accesso con SPID restituisce un errore.",
            by=people["bari.referente"],
        )
        services.write(ticket=resolved, action="reply", body="Stiamo verificando con il fornitore.", by=reviewer)
        services.write(
            ticket=resolved,
            action="resolve",
            body="Il problema del fornitore è stato risolto: l'accesso funziona di nuovo.",
            by=reviewer,
        )
        _aged(resolved, 20)
