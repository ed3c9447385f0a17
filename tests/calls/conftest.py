"""Fixtures of the calls' tests only. The call, the Comuni's officers and a submission ready
to be sent are in tests/calls/fixtures.py, shared with the other folders (tests/conftest.py
registers it): here is what only these tests build, through the admin as an officer does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calls.models import Submission
from tests.calls.fixtures import ATTACHMENT, WORKED_EXAMPLES, action, applicants_csv, confirm
from tests.conftest import BARI


@pytest.fixture
def sent(client, call, entities, bari_calls, pdf_file, django_capture_on_commit_callbacks):
    """Bari's submission prepared and sent through the admin (800,00 € co-financing)."""
    client.force_login(bari_calls)
    response = client.post(
        reverse("calls_submission_modeladmin_create"), {"call": call.pk, "comune": entities[BARI].pk}
    )
    submission = Submission.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/inspect/{submission.pk}/")
    action(
        client,
        submission,
        "applicants",
        {"file": SimpleUploadedFile("graduatoria.csv", applicants_csv(WORKED_EXAMPLES))},
    )
    action(client, submission, "co_financing", {"amount": "800,00"})
    action(client, submission, "attachment", {"name": ATTACHMENT, "file": pdf_file()})
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, submission, "submit")
    submission.refresh_from_db()
    return submission
