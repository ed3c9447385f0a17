# ruff: noqa: F811  (fixtures imported from tests.calls are parameters here)
"""The duplicate check across Comuni, from the attacker's side.

Lecce's calls officer puts on a list the codice fiscale of someone who is on Bari's sent
list. While Lecce's list is a draft (or an integration not yet sent), nothing anywhere tells
Lecce that the person is listed elsewhere; once Lecce's list is protocolled, Lecce reads
only "another Comune", and the lookup leaves an audit entry. The Region's reviewer reads
the names of both Comuni."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient
from wagtail.models import ModelLogEntry

from calls import services
from calls.models import Submission
from core.pseudonyms import pseudonymise
from tests.calls.test_submissions import (  # noqa: F401  (fixtures)
    WORKED_EXAMPLES,
    applicant,
    applicants_csv,
    bari_calls_officer,
    call,
    lecce_calls_officer,
    ready,
)
from tests.conftest import LECCE

ATTACHMENT = "Determina di approvazione della graduatoria"
SHARED = WORKED_EXAMPLES[1][0]  # on Bari's list
AUDIT = "push.submission.duplicates_viewed"


def elsewhere_text():
    """What a Comune reads beside a row also listed by another Comune (in the page's language)."""
    with translation.override("it"):
        return gettext("also on the list of another Comune")


@pytest.fixture
def bari_sent(ready, bari_calls_officer):
    services.submit(submission=ready, by=bari_calls_officer)
    ready.refresh_from_db()
    return ready


@pytest.fixture
def lecce_draft(client, bari_sent, call, entities, lecce_calls_officer):
    """Lecce's calls officer uploads, through the admin, a draft list with Bari's applicant."""
    submission = services.open_submission(call=call, comune=entities[LECCE], by=lecce_calls_officer)
    client.force_login(lecce_calls_officer)
    response = client.post(
        reverse("calls_submission_action", args=[submission.pk, "applicants"]),
        {"file": SimpleUploadedFile("elenco.csv", applicants_csv([applicant(SHARED), applicant()]))},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.applicant_count == 2
    return submission


def send(submission, user, pdf_file):
    services.add_attachment(submission=submission, name=ATTACHMENT, uploaded_file=pdf_file(), by=user)
    services.submit(submission=submission, by=user)
    submission.refresh_from_db()
    return submission


def inspect(client, submission):
    response = client.get(reverse("calls_submission_modeladmin_inspect", args=[submission.pk]))
    assert response.status_code == 200
    return response.content.decode()


def duplicates_block(page):
    start = page.index('id="duplicates"')
    return page[start : page.index("</div>", start)]


def test_a_draft_list_tells_lecce_nothing_about_bari_or_the_person_being_elsewhere(client, lecce_draft):
    page = inspect(client, lecce_draft)
    assert 'id="duplicates"' not in page
    assert "Bari" not in page
    assert elsewhere_text() not in page
    assert not ModelLogEntry.objects.filter(action=AUDIT).exists()


def test_a_draft_list_tells_lecce_nothing_through_the_api_or_the_exports(client, lecce_draft, lecce_calls_officer):
    api = APIClient()
    api.force_authenticate(lecce_calls_officer)
    detail = api.get(f"/api/v1/submissions/{lecce_draft.pk}")
    assert detail.status_code == 200 and "Bari" not in detail.content.decode()
    report = api.get(f"/api/v1/submissions/{lecce_draft.pk}/duplicates")
    assert report.status_code == 200
    assert report.json() == {"shown": False, "names_shown": False, "count": 0, "rows": []}
    upload = lecce_draft.uploads.get()
    upload_report = api.get(f"/api/v1/submissions/{lecce_draft.pk}/uploads/{upload.pk}")
    assert upload_report.status_code == 200 and upload_report.json()["status"] == "done"
    assert "Bari" not in upload_report.content.decode() and elsewhere_text() not in upload_report.content.decode()
    index = reverse("calls_submission_modeladmin_index")
    for suffix in ("?export=csv", "?export=xlsx"):
        response = client.get(index + suffix)
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Bari" not in body
    assert not ModelLogEntry.objects.filter(action=AUDIT).exists()


def test_an_integration_not_yet_sent_tells_lecce_nothing(
    client, lecce_draft, lecce_calls_officer, bari_calls_officer, reviewer, pdf_file
):
    """After a first sending, the Region asks for an integration: the list can change again,
    so probing with a new list must show nothing until it is sent."""
    send(lecce_draft, lecce_calls_officer, pdf_file)
    services.request_integration(
        submission=lecce_draft, by=reviewer, message="Rivedere", deadline=timezone.now() + datetime.timedelta(days=3)
    )
    probe = WORKED_EXAMPLES[0][0]  # another of Bari's applicants
    client.post(
        reverse("calls_submission_action", args=[lecce_draft.pk, "applicants"]),
        {"file": SimpleUploadedFile("elenco.csv", applicants_csv([applicant(SHARED), applicant(probe)]))},
    )
    assert Submission.objects.get(pk=lecce_draft.pk).applicant_count == 2
    ModelLogEntry.objects.filter(action=AUDIT).delete()
    page = inspect(client, lecce_draft)
    assert 'id="duplicates"' not in page and "Bari" not in page and elsewhere_text() not in page
    api = APIClient()
    api.force_authenticate(lecce_calls_officer)
    assert api.get(f"/api/v1/submissions/{lecce_draft.pk}/duplicates").json()["shown"] is False
    assert not ModelLogEntry.objects.filter(action=AUDIT).exists()
    # Nor does the unsent integration reach Bari: Bari's sent list is compared with nothing.
    client.force_login(bari_calls_officer)
    page = inspect(client, Submission.objects.get(comune__name="Bari"))
    assert 'id="duplicates"' not in page and elsewhere_text() not in page


def test_once_sent_lecce_reads_another_comune_without_its_name_and_the_lookup_is_audited(
    client, lecce_draft, lecce_calls_officer, pdf_file
):
    send(lecce_draft, lecce_calls_officer, pdf_file)
    page = inspect(client, lecce_draft)
    block = duplicates_block(page)
    assert elsewhere_text() in block
    assert "Bari" not in page
    [entry] = ModelLogEntry.objects.filter(action=AUDIT)
    assert entry.user_id == lecce_calls_officer.pk and entry.object_id == str(lecce_draft.pk)
    assert entry.data == {"matches": 1, "names_shown": False}
    assert SHARED not in str(entry.data) and pseudonymise(SHARED) not in str(entry.data)


def test_once_sent_the_api_says_another_comune_without_its_name(lecce_draft, lecce_calls_officer, pdf_file):
    send(lecce_draft, lecce_calls_officer, pdf_file)
    api = APIClient()
    api.force_authenticate(lecce_calls_officer)
    response = api.get(f"/api/v1/submissions/{lecce_draft.pk}/duplicates")
    assert response.status_code == 200
    assert response.json() == {"shown": True, "names_shown": False, "count": 1, "rows": [{"row": 2, "comuni": []}]}
    assert "Bari" not in response.content.decode()
    assert ModelLogEntry.objects.filter(action=AUDIT, user=lecce_calls_officer).count() == 1


def test_the_reviewer_reads_both_names_and_is_audited(client, lecce_draft, lecce_calls_officer, reviewer, pdf_file):
    send(lecce_draft, lecce_calls_officer, pdf_file)
    client.force_login(reviewer)
    assert "Bari" in duplicates_block(inspect(client, lecce_draft))
    bari = Submission.objects.get(comune__name="Bari")
    assert "Lecce" in duplicates_block(inspect(client, bari))
    api = APIClient()
    api.force_authenticate(reviewer)
    body = api.get(f"/api/v1/submissions/{lecce_draft.pk}/duplicates").json()
    assert body == {"shown": True, "names_shown": True, "count": 1, "rows": [{"row": 2, "comuni": ["Bari"]}]}
    entries = ModelLogEntry.objects.filter(action=AUDIT, user=reviewer)
    assert entries.count() == 3
    assert all(entry.data == {"matches": 1, "names_shown": True} for entry in entries)


def test_bari_sees_lecce_only_once_lecce_has_sent(
    client, lecce_draft, bari_sent, bari_calls_officer, lecce_calls_officer, pdf_file
):
    """A draft of another Comune is not a list yet: it is not compared with anything."""
    client.force_login(bari_calls_officer)
    page = inspect(client, bari_sent)
    assert "Lecce" not in page and elsewhere_text() not in page
    send(lecce_draft, lecce_calls_officer, pdf_file)
    page = inspect(client, bari_sent)
    assert elsewhere_text() in duplicates_block(page) and "Lecce" not in page
