"""Background work of the calls: checking and writing a large applicant list
(calls.services.process_upload), queued by receive_applicants_file; the receipt and the
e-mails of a sending, queued by calls.services.submit after its commit. Production runs them
with `manage.py db_worker`; development and tests at once."""

from django.utils import translation
from django_tasks import task


@task()
def process_upload_task(upload_id: int, language: str = "it"):
    from . import services
    from .models import ApplicantUpload

    upload = ApplicantUpload.objects.select_related("submission__call", "submission__comune", "uploaded_by").get(
        pk=upload_id
    )
    with translation.override(language):
        services.process_upload(upload)


# A sending's after-commit work (calls.services.submit): the receipt, rendered from what the
# protocol entry froze, then e-mailed to the Comune; and the note to the Region's reviewers.
# Each is safe to run again: the receipt is recorded once, and mailed by the run that did.


@task()
def issue_receipt_task(entry_id: int):
    from . import services

    services.send_receipt(entry_id)


@task()
def notify_reviewers_task(entry_id: int):
    from . import services

    services.notify_reviewers(entry_id)
