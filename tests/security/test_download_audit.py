"""Every download of a private file leaves an audit entry: who took which file of which object,
from which address. Written by the download helper itself (core.files.private_download), so
no download view can forget it; refused downloads write nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from core.files import DOWNLOAD_ACTION, private_download
from registry.models import Area, Role
from registry.services import AccreditationApplication, submit_accreditation_request
from registry.stock import services as stock
from tests.conftest import ARCA_SUD_SALENTO, BARI
from tests.factories import valid_fiscal_code


def downloads_of(instance):
    return ModelLogEntry.objects.for_instance(instance).filter(action=DOWNLOAD_ACTION)


def fetch(client, url):
    response = client.get(url, REMOTE_ADDR="203.0.113.7")
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return response, body


@pytest.fixture
def bari_request(entities, pdf_file):
    return submit_accreditation_request(
        AccreditationApplication(
            first_name="Rocco",
            last_name="Scaringi",
            email="rocco@comune.bari.example.it",
            fiscal_code=valid_fiscal_code(),
            entity=entities[BARI],
            role=Role.OFFICER,
            area=Area.HELPDESK,
            designation_act=pdf_file(),
        )
    )


def test_downloading_a_designation_act_is_audited(client, bari_legal_rep, bari_request):
    client.force_login(bari_legal_rep)
    response, body = fetch(client, reverse("registry_designation_act", args=[bari_request.pk]))
    assert response.status_code == 200 and body.startswith(b"%PDF")
    [entry] = downloads_of(bari_request)
    assert entry.user_id == bari_legal_rep.pk
    assert entry.data == {
        "file": "designation_act",
        "name": f"atto-designazione-{bari_request.reference}.pdf",
        "sha256": bari_request.designation_act_sha256,
        "address": "203.0.113.7",
    }
    assert str(entry.message) == "File riservato scaricato"


def test_every_download_is_a_new_entry(client, bari_legal_rep, bari_request):
    client.force_login(bari_legal_rep)
    for _ in range(3):
        fetch(client, reverse("registry_designation_act", args=[bari_request.pk]))
    assert downloads_of(bari_request).count() == 3


def test_a_refused_download_writes_no_download_entry(client, bari_request, arca_officer):
    client.force_login(arca_officer)
    response, body = fetch(client, reverse("registry_designation_act", args=[bari_request.pk]))
    assert response.status_code == 404 and not body.startswith(b"%PDF")
    assert not downloads_of(bari_request).exists()


def test_downloading_an_imported_file_is_audited(
    client, entities, arca_officer, stock_csv, django_capture_on_commit_callbacks
):
    content = stock_csv(ARCA_SUD_SALENTO, 3)
    with django_capture_on_commit_callbacks(execute=True):
        job = stock.create_import_job(
            owner=entities[ARCA_SUD_SALENTO],
            uploaded_by=arca_officer,
            uploaded_file=SimpleUploadedFile("alloggi.csv", content, content_type="text/csv"),
        )
    client.force_login(arca_officer)
    response, body = fetch(client, reverse("registry_import_file", args=[job.pk]))
    assert response.status_code == 200 and body == content
    [entry] = downloads_of(job)
    assert entry.user_id == arca_officer.pk
    assert entry.data["file"] == "import_file" and entry.data["name"] == "alloggi.csv"


def test_the_helper_audits_bytes_decrypted_on_the_way_out(rf, bari_request, bari_legal_rep):
    """A file kept encrypted is sent as bytes; the helper audits it the same way."""
    request = rf.get("/", REMOTE_ADDR="198.51.100.1")
    request.user = bari_legal_rep
    response = private_download(
        b"Codice fiscale;ISEE\n", "lista.csv", "text/csv", request=request, instance=bari_request, kind="list"
    )
    assert b"".join(response.streaming_content) == b"Codice fiscale;ISEE\n"
    assert response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
    [entry] = downloads_of(bari_request)
    assert entry.data == {"file": "list", "name": "lista.csv", "sha256": "", "address": "198.51.100.1"}
