# ruff: noqa: F811  (fixtures imported from tests.calls are parameters here)
"""Codici fiscali of applicants, from the attacker's side: they never reach the session, the
logs, the stored reports or the disk in clear, and every download of a submission's files
is recorded."""

import datetime
import hashlib
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy
from rest_framework.test import APIClient
from wagtail.models import ModelLogEntry

from calls import sealed, services
from calls.models import ApplicantUpload, SubmissionState, UploadStatus
from core.files import DOWNLOAD_ACTION
from tests.calls.test_submissions import (  # noqa: F401  (fixtures)
    WORKED_EXAMPLES,
    applicant,
    applicants_csv,
    bari_calls_officer,
    call,
    lecce_calls_officer,
    ready,
)
from tests.conftest import BARI
from tests.factories import valid_fiscal_code

WRONG_CF = "RSSMRA85T10A562T"  # wrong check character: reported, with its value


def everything_stored_in_sessions() -> str:
    return " ".join(str(session.get_decoded()) for session in Session.objects.all())


def clear_files_containing(code: str) -> list[Path]:
    """Private files that hold `code` in clear, anywhere under the private media root."""
    needle = code.encode()
    return [
        path for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file() and needle in path.read_bytes()
    ]


@pytest.fixture
def draft(call, entities, bari_calls_officer):
    return services.open_submission(call=call, comune=entities[BARI], by=bari_calls_officer)


def upload_through_the_admin(client, submission, content, name="elenco.csv"):
    response = client.post(
        reverse("calls_submission_action", args=[submission.pk, "applicants"]),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_the_report_of_a_refused_list_keeps_no_codice_fiscale_in_the_session(client, draft, bari_calls_officer):
    client.force_login(bari_calls_officer)
    good_code = valid_fiscal_code()
    bad = applicants_csv([applicant(WRONG_CF), applicant(good_code, months="14")])
    page = upload_through_the_admin(client, draft, bad)
    assert "RSS************T" in page  # masked: the clerk still finds the row
    assert WRONG_CF not in page
    stored = everything_stored_in_sessions()
    assert WRONG_CF not in stored and good_code not in stored
    [upload] = ApplicantUpload.objects.filter(submission=draft)
    assert upload.status == UploadStatus.INVALID
    assert [(row, column) for row, column, _value, _message in upload.problems] == [(2, "Codice fiscale"), (3, "Mesi")]
    assert WRONG_CF not in str(upload.problems) and good_code not in str(upload.problems)


def test_a_list_without_its_header_row_does_not_echo_the_codes(client, draft, bari_calls_officer):
    """The first row is taken as the header: its cells come back as "unknown columns"."""
    client.force_login(bari_calls_officer)
    code = valid_fiscal_code()
    content = applicants_csv([applicant(code)]).decode("utf-8-sig").split("\r\n", 1)[1].encode()
    page = upload_through_the_admin(client, draft, content)
    assert code not in page
    assert code[:3] + "*" * 12 + code[-1] in page
    assert code not in everything_stored_in_sessions()
    assert code not in str(ApplicantUpload.objects.get(submission=draft).problems)


def test_the_api_report_masks_the_codice_fiscale(draft, bari_calls_officer):
    api = APIClient()
    api.force_authenticate(bari_calls_officer)
    response = api.post(
        f"/api/v1/submissions/{draft.pk}/applicants",
        {"file": SimpleUploadedFile("g.csv", applicants_csv([applicant(WRONG_CF)]))},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "Codice fiscale"
    assert response.json()["errors"][0]["value"] == "RSS************T"
    assert WRONG_CF not in response.content.decode()


def test_no_log_record_carries_a_codice_fiscale(client, draft, bari_calls_officer, caplog, settings):
    settings.PUSH_APPLICANTS_INLINE_BYTES = 10  # the background path too
    client.force_login(bari_calls_officer)
    good_code = valid_fiscal_code()
    with caplog.at_level(logging.DEBUG):
        upload_through_the_admin(client, draft, applicants_csv([applicant(WRONG_CF), applicant(good_code)]))
        upload_through_the_admin(client, draft, applicants_csv([applicant(good_code)]))
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert WRONG_CF not in text and good_code not in text


def test_the_list_is_encrypted_on_disk_and_only_its_comune_and_the_region_download_it(
    client, ready, bari_calls_officer, lecce_calls_officer, reviewer
):
    code = WORKED_EXAMPLES[0][0]
    upload = services.current_list_upload(ready)
    raw = Path(upload.file.path).read_bytes()
    assert code.encode() not in raw and b"Codice fiscale" not in raw
    assert clear_files_containing(code) == []
    original = applicants_csv(WORKED_EXAMPLES)
    assert ready.applicants_file_sha256 == hashlib.sha256(original).hexdigest()  # of what the Comune sent

    url = reverse("calls_applicants_file", args=[ready.pk])
    for user in (bari_calls_officer, reviewer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == original
        assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
        entry = ModelLogEntry.objects.filter(action=DOWNLOAD_ACTION, user=user).get()
        assert entry.object_id == str(ready.pk)
        assert {key: entry.data[key] for key in ("file", "name", "sha256")} == {
            "file": "list",
            "name": "graduatoria.csv",
            "sha256": ready.applicants_file_sha256,
        }
        assert entry.data["address"] == "127.0.0.1"

    client.force_login(lecce_calls_officer)
    assert client.get(url).status_code == 404
    assert not ModelLogEntry.objects.filter(action=DOWNLOAD_ACTION, user=lecce_calls_officer).exists()


def private_files() -> set[Path]:
    return {path for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file()}


def test_a_refused_list_leaves_no_file_behind(draft, bari_calls_officer):
    before = private_files()
    with pytest.raises(services.SubmissionFileInvalid):
        services.upload_applicants(
            submission=draft,
            content=applicants_csv([applicant(months="13")]),
            filename="g.csv",
            by=bari_calls_officer,
        )
    upload = ApplicantUpload.objects.get(submission=draft)
    assert upload.file.name == "" and upload.sha256 and upload.size
    assert private_files() == before


def test_a_replaced_draft_list_is_deleted_but_a_sent_list_is_kept(
    ready, bari_calls_officer, reviewer, django_capture_on_commit_callbacks
):
    first = services.current_list_upload(ready)
    first_path = Path(first.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_applicants(
            submission=ready, content=applicants_csv(WORKED_EXAMPLES[:2]), filename="g2.csv", by=bari_calls_officer
        )
    assert not first_path.exists()
    first.refresh_from_db()
    assert first.file.name == ""

    ready.refresh_from_db()
    sent = services.current_list_upload(ready)
    services.submit(submission=ready, by=bari_calls_officer)
    services.request_integration(
        submission=ready, by=reviewer, message="Rivedere", deadline=timezone.now() + datetime.timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_applicants(
            submission=ready, content=applicants_csv(WORKED_EXAMPLES[:1]), filename="g3.csv", by=bari_calls_officer
        )
    sent.refresh_from_db()
    assert Path(sent.file.path).exists()  # the receipt of the first sending fingerprints it
    assert sealed.unseal(sent.file) == applicants_csv(WORKED_EXAMPLES[:2])
    ready.refresh_from_db()
    assert ready.state == SubmissionState.INTEGRATION_REQUESTED and ready.applicant_count == 1


def test_downloads_of_the_receipt_and_of_an_attachment_are_audited(
    client, ready, bari_calls_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the receipt is rendered after the commit
        services.submit(submission=ready, by=bari_calls_officer)
    attachment = ready.attachments.get()
    client.force_login(bari_calls_officer)
    assert client.get(reverse("calls_receipt", args=[ready.pk])).status_code == 200
    assert client.get(reverse("calls_attachment", args=[ready.pk, attachment.pk])).status_code == 200
    entries = ModelLogEntry.objects.filter(action=DOWNLOAD_ACTION, user=bari_calls_officer)
    assert sorted(entry.data["file"] for entry in entries) == ["attachment", "receipt"]
    assert entries.get(data__file="attachment").data["sha256"] == attachment.sha256


def test_the_regions_audit_report_lists_downloads_and_duplicate_lookups(client, ready, region_admin):
    from calls.services import AUDIT_ACTIONS

    client.force_login(region_admin)
    client.get(reverse("calls_submission_modeladmin_inspect", args=[ready.pk]))  # a duplicate lookup
    client.get(reverse("calls_applicants_file", args=[ready.pk]))
    response = client.get(reverse("wagtailadmin_reports:site_history"))
    assert response.status_code == 200
    page = response.content.decode()
    with translation.override("it"):
        for label in [*AUDIT_ACTIONS.values(), gettext_lazy("Private file downloaded")]:
            assert escape(str(label)) in page


def test_a_list_sealed_under_one_key_is_read_only_with_that_key(tmp_path):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    with override_settings(PUSH_FILE_KEY="first-key-0123456789"):
        name = storage.save("list.enc", sealed.seal(b"RSSMRA85T10A662X;3"))
    stored = storage.open(name)
    with override_settings(PUSH_FILE_KEY="another-key-0123456789"):
        with pytest.raises(sealed.InvalidToken):
            sealed.unseal(stored)
    with override_settings(PUSH_FILE_KEY="another-key-0123456789,first-key-0123456789"):  # rotation
        assert sealed.unseal(storage.open(name)) == b"RSSMRA85T10A662X;3"
    assert b"RSSMRA85T10A662X" not in (tmp_path / name).read_bytes()


def test_a_crash_while_checking_a_list_keeps_no_code_in_logs_or_task_results(
    client, draft, bari_calls_officer, settings, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    code = valid_fiscal_code()

    def crash(*args, **kwargs):
        raise RuntimeError(f"unexpected value {code}")

    # Both ways a list is checked: row by row, and (PostgreSQL) chunk by chunk while written.
    monkeypatch.setattr(services, "parse_applicant_file", crash)
    monkeypatch.setattr(services, "clean_applicant_chunks", crash)
    settings.PUSH_APPLICANTS_INLINE_BYTES = 10
    client.force_login(bari_calls_officer)
    results = []
    from django_tasks.signals import task_finished

    def keep(sender, task_result, **kwargs):
        results.append(task_result)

    task_finished.connect(keep)
    try:
        with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
            upload_through_the_admin(client, draft, applicants_csv([applicant(code)]))
    finally:
        task_finished.disconnect(keep)
    upload = ApplicantUpload.objects.get(submission=draft)
    assert (upload.status, upload.failure, upload.file.name) == (UploadStatus.FAILED, "RuntimeError", "")
    [result] = results
    assert "RuntimeError" in result.errors[0].traceback and code not in result.errors[0].traceback
    assert code not in "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    page = client.get(reverse("calls_submission_modeladmin_inspect", args=[draft.pk])).content.decode()
    assert 'id="upload-status"' in page and code not in page


def test_production_refuses_to_start_without_the_file_key():
    import os
    import subprocess
    import sys

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PUSH_FILE_KEY", "REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="a-production-like-secret-key-for-this-test-only",
        PUSH_PSEUDONYM_KEY="pseudonym-key",
        PUSH_CACHE="database",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "PUSH_FILE_KEY must be set in production" in result.stderr


def test_error_reports_never_carry_the_identity_typed_in_the_accreditation_form(rf):
    from django.views.debug import SafeExceptionReporterFilter

    from registry.views import accreditation_request

    request = rf.post("/accreditamento/", {"fiscal_code": "RSSMRA85T10A662X", "email": "m.rossi@example.it"})
    accreditation_request(request)
    post = SafeExceptionReporterFilter().get_post_parameters(request)
    assert "RSSMRA85T10A662X" not in post.values() and "m.rossi@example.it" not in post.values()


def test_uploaded_lists_are_never_spooled_to_a_temporary_file():
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= settings.PUSH_MAX_IMPORT_BYTES
