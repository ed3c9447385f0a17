"""Each submission already sent gets its entry in the protocol register, with the number,
time and receipt it carries now (the receipt as last issued: earlier ones of the same
number were overwritten before the register existed). Reversible: going back puts the
latest receipt on the submission again and empties the register."""

import re

from django.db import migrations

NUMBER = re.compile(r"^PUSH/(\d{4})/(\d+)$")


def forwards(apps, schema_editor):
    Submission = apps.get_model("calls", "Submission")
    ProtocolEntry = apps.get_model("calls", "ProtocolEntry")
    sent = Submission.objects.exclude(protocol_number__isnull=True).exclude(protocol_number="")
    for submission in sent.order_by("submitted_at", "pk").iterator():
        match = NUMBER.match(submission.protocol_number)
        if not match or submission.submitted_at is None:
            continue  # not a number of this register
        ProtocolEntry.objects.create(
            number=submission.protocol_number,
            year=int(match.group(1)),
            sequence=int(match.group(2)),
            registered_at=submission.submitted_at,
            kind="submission_sent",
            submission=submission,
            receipt_pdf=submission.receipt_pdf.name or "",
            receipt_sha256=submission.receipt_sha256 or "",
        )


def backwards(apps, schema_editor):
    Submission = apps.get_model("calls", "Submission")
    ProtocolEntry = apps.get_model("calls", "ProtocolEntry")
    for entry in ProtocolEntry.objects.exclude(submission=None).order_by("year", "sequence").iterator():
        Submission.objects.filter(pk=entry.submission_id).update(
            receipt_pdf=entry.receipt_pdf.name or "", receipt_sha256=entry.receipt_sha256
        )
    ProtocolEntry.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("calls", "0003_protocol_register")]

    operations = [migrations.RunPython(forwards, backwards)]
