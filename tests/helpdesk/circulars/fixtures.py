"""Circulars planted for tests in other folders (the cross-entity probe): one circular sent to
one entity only, read and replied to by its officer, with an attachment on each side."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.pdf import blank_pdf
from helpdesk.circulars import services
from helpdesk.circulars.models import Audience, Circular, CircularAttachment, ReplyAttachment
from registry.models import Role
from tests.factories import member


def _pdf(name):
    return SimpleUploadedFile(name, blank_pdf(), content_type="application/pdf")


def plant_circular(owner, tag, officer, rows):
    """A circular to `owner` alone ("Circolare-<tag>"), opened and answered ("Risposta-<tag>")
    by `officer`; adds its rows to `rows` and returns the texts found nowhere else."""
    admin = member("160000", Role.ADMINISTRATOR)
    draft = services.create_draft(
        by=admin,
        subject=f"Circolare-{tag}",
        body=f"<p>Testo-{tag}</p>",
        audience_kind=Audience.LIST,
        chosen=[owner],
        reply_by=timezone.localdate() + datetime.timedelta(days=10),
        attachments=[_pdf(f"Allegato-circolare-{tag}.pdf")],
    )
    circular = services.send(circular=draft, by=admin)
    recipient = circular.recipients.get()
    answer = services.reply(
        recipient=recipient, by=officer, text=f"Risposta-{tag}", attachments=[_pdf(f"Allegato-risposta-{tag}.pdf")]
    )
    rows[Circular] = [circular]
    rows[CircularAttachment] = list(circular.attachments.all())
    rows[ReplyAttachment] = list(answer.attachments.all())
    return (
        f"Circolare-{tag}",
        f"Testo-{tag}",
        f"Risposta-{tag}",
        f"Allegato-circolare-{tag}",
        f"Allegato-risposta-{tag}",
    )
