"""/api/v1/circulars (issue 12): an entity's own system reads its inbox; reading a circular
records the acknowledgement like the admin does; it replies; the schema documents it."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.models import ModelLogEntry

from helpdesk.circulars.models import Acknowledgement, Reply
from tests.conftest import BARI


def system_of(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def test_the_inbox_and_the_acknowledgement_on_read(to_bari_and_lecce, bari_officer, bari_colleague):
    api = system_of(bari_officer)
    [row] = api.get("/api/v1/circulars").json()["results"]
    assert row["protocol_number"] == to_bari_and_lecce.protocol_number and row["read_at"] is None
    assert row["entity"] == BARI and row["replied"] is False

    detail = api.get(f"/api/v1/circulars/{to_bari_and_lecce.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["body"] == "<p>Testo della circolare.</p>" and body["read_at"] is not None
    assert body["attachments"][0]["name"] == "nota-tecnica"
    acknowledgement = Acknowledgement.objects.get()
    assert acknowledgement.read_by == bari_officer

    # The colleague's system reads it too: still the first reader.
    system_of(bari_colleague).get(f"/api/v1/circulars/{to_bari_and_lecce.pk}")
    assert Acknowledgement.objects.get().read_by == bari_officer

    pdf = api.get(body["attachments"][0]["url"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert ModelLogEntry.objects.filter(action="push.file.downloaded", object_id=str(to_bari_and_lecce.pk)).exists()


def test_a_reply_through_the_api(to_bari_and_lecce, bari_officer, pdf_file):
    api = system_of(bari_officer)
    response = api.post(
        f"/api/v1/circulars/{to_bari_and_lecce.pk}/reply",
        {"text": "Alloggi sfitti: 3.", "attachments": [pdf_file("elenco.pdf")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["attachments"] == 1
    assert Reply.objects.get().text == "Alloggi sfitti: 3."
    refused = api.post(f"/api/v1/circulars/{to_bari_and_lecce.pk}/reply", {"text": 5}, format="json")
    assert refused.status_code == 400 and refused["Content-Type"].startswith("application/problem+json")


def test_anonymous_callers_get_a_problem(api, to_bari_and_lecce):
    response = api.get("/api/v1/circulars")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/problem+json")


def test_the_schema_documents_the_circulars(api, db):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/v1/circulars", "/api/v1/circulars/{id}", "/api/v1/circulars/{id}/reply"} <= set(schema["paths"])
    assert "/api/v1/circulars/{id}/attachments/{attachment_id}" in schema["paths"]
