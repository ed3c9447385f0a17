"""Background work of the calls: checking and writing a large applicant list
(calls.services.process_upload), queued by receive_applicants_file. Production runs them
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
