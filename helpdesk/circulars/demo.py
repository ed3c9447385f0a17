"""Demo circulars: one to ARCA Puglia Centrale and the Comuni it covers, already read by Bari;
one to the Comuni of the province of Lecce and ARCA Sud Salento asking for a reply within
ten days (nobody has read it yet); one to all the Comuni of Puglia, read by Bari's mayor."""

import datetime
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.pdf import blank_pdf
from registry.models import Entity

from . import services
from .models import Audience, Circular

FIRST = "Aggiornamento annuale dell'anagrafe del patrimonio"
SECOND = "Ricognizione del fabbisogno abitativo 2027"
THIRD = "Nuove modalità di accesso a PUSH con SPID e CIE"


class DemoCircular(NamedTuple):
    """A demo circular: what the Region writes, to whom (an audience and its province or ARCA
    code), its attachments, the reply-by date in days from today (None: no reply asked) and
    who has read it ((entity code, username) pairs)."""

    subject: str
    body: str
    audience: str
    province: str = ""
    arca: str = ""
    attachments: tuple = ()
    reply_in_days: int | None = None
    readers: tuple = ()


CIRCULARS = (
    DemoCircular(
        FIRST,
        "<p>Si invitano gli enti in indirizzo ad aggiornare entro il 31 gennaio l'anagrafe degli "
        "alloggi di edilizia residenziale pubblica in PUSH, con <b>stato di occupazione</b> e canone.</p>",
        Audience.ARCA_AND_COMUNI,
        arca="720000",
        attachments=("nota-operativa.pdf",),
        readers=(("072006", "bari.referente"),),
    ),
    DemoCircular(
        SECOND,
        "<p>Si chiede di comunicare, con una risposta in PUSH, il numero di domande di alloggio "
        "pendenti al 31 dicembre e la stima del fabbisogno per il prossimo anno.</p>",
        Audience.PROVINCE,
        province="LE",
        reply_in_days=10,
    ),
    DemoCircular(
        THIRD,
        "<p>Dal prossimo mese l'accesso a PUSH avviene soltanto con SPID o CIE: i referenti "
        "verifichino di avere un'identità digitale attiva.</p>",
        Audience.ALL_COMUNI,
        readers=(("072006", "bari.sindaco"),),
    ),
)


def _pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, blank_pdf(), content_type="application/pdf")


def load():
    """Create the demo circulars once (idempotent): needs the registry's demo people."""
    usernames = {"regione.admin"} | {username for row in CIRCULARS for _code, username in row.readers}
    people = {user.username: user for user in get_user_model().objects.filter(username__in=usernames)}
    admin = people.get("regione.admin")
    if admin is None or Circular.objects.filter(subject__in=[row.subject for row in CIRCULARS]).exists():
        return
    for row in CIRCULARS:
        draft = services.create_draft(
            by=admin,
            subject=row.subject,
            body=row.body,
            audience_kind=row.audience,
            province=row.province,
            arca=Entity.objects.get(code=row.arca) if row.arca else None,
            attachments=[_pdf(name) for name in row.attachments],
            reply_by=timezone.localdate() + datetime.timedelta(days=row.reply_in_days)
            if row.reply_in_days is not None
            else None,
        )
        circular = services.send(circular=draft, by=admin)
        for code, username in row.readers:
            if username in people:
                services.acknowledge(recipient=circular.recipients.get(entity__code=code), by=people[username])
