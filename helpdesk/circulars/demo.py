"""Demo circulars: one to ARCA Puglia Centrale and the Comuni it covers, already read by Bari;
one to the Comuni of the province of Lecce and ARCA Sud Salento asking for a reply within
ten days (nobody has read it yet)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.pdf import blank_pdf
from registry.models import Entity

from . import services
from .models import Audience, Circular

FIRST = "Aggiornamento annuale dell'anagrafe del patrimonio"
SECOND = "Ricognizione del fabbisogno abitativo 2027"


def _pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, blank_pdf(), content_type="application/pdf")


def load():
    """Create the demo circulars once (idempotent): needs the registry's demo people."""
    User = get_user_model()
    admin = User.objects.filter(username="regione.admin").first()
    if admin is None or Circular.objects.filter(subject__in=[FIRST, SECOND]).exists():
        return
    puglia_centrale = Entity.objects.get(code="720000")
    first = services.create_draft(
        by=admin,
        subject=FIRST,
        body=(
            "<p>Si invitano gli enti in indirizzo ad aggiornare entro il 31 gennaio l'anagrafe degli "
            "alloggi di edilizia residenziale pubblica in PUSH, con <b>stato di occupazione</b> e canone.</p>"
        ),
        audience_kind=Audience.ARCA_AND_COMUNI,
        arca=puglia_centrale,
        attachments=[_pdf("nota-operativa.pdf")],
    )
    first = services.send(circular=first, by=admin)
    reader = User.objects.filter(username="bari.referente").first()
    if reader is not None:
        recipient = first.recipients.get(entity__code="072006")
        services.acknowledge(recipient=recipient, by=reader)
    second = services.create_draft(
        by=admin,
        subject=SECOND,
        body=(
            "<p>Si chiede di comunicare, con una risposta in PUSH, il numero di domande di alloggio "
            "pendenti al 31 dicembre e la stima del fabbisogno per il prossimo anno.</p>"
        ),
        audience_kind=Audience.PROVINCE,
        province="LE",
        reply_by=timezone.localdate() + datetime.timedelta(days=10),
    )
    services.send(circular=second, by=admin)
