"""The API base: schema, conventions (problem+json, pagination, filters), health, and the
first endpoints with their access rules."""

import re
from decimal import Decimal

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from registry.models import Entity
from tests.conftest import BARI, LECCE

PROBLEM = "application/problem+json"


def test_schema_is_valid_openapi_3(api, entities, bari_officer):
    api.force_authenticate(bari_officer)
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    # AgID naming: kebab-case, no trailing slash on resources.
    for path in schema["paths"]:
        assert re.fullmatch(r"(/[a-z0-9\-]+|/\{[a-z_]+\})+", path), path


def test_every_listed_endpoint_answers(api, entities, bari_legal_rep, load_stock):
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from calls.models import ApplicantUpload, Call, ProtocolEntry, ProtocolKind, Submission
    from registry.models import Unit

    load_stock(BARI, 5)
    unit = Unit.objects.filter(owner__code=BARI).first()
    now = timezone.now()
    call = Call.objects.create(
        call_type="rent_support",
        year=2025,
        title="Fondo 2025",
        legal_act="DGR 1/2026",
        state="allocated",
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
        riparto_published_at=now,
    )
    submission = Submission.objects.create(call=call, comune=entities[BARI])
    upload = ApplicantUpload.objects.create(
        submission=submission, uploaded_by=bari_legal_rep, original_name="elenco.csv", sha256="0" * 64, size=1
    )
    entry = ProtocolEntry.objects.create(
        number="PUSH/2026/000001",
        year=2026,
        sequence=1,
        registered_at=timezone.now(),
        kind=ProtocolKind.SUBMISSION_SENT,
        submission=submission,
        receipt_pdf=ContentFile(b"%PDF-1.4 ricevuta", name="ricevuta.pdf"),
        receipt_sha256="0" * 64,
    )
    from calls.models import ProtocolCounter
    from helpdesk.circulars.models import Circular, CircularAttachment
    from tests.helpdesk.circulars.fixtures import plant_circular

    ProtocolCounter.objects.create(year=entry.year, last_number=entry.sequence)  # the entry above, by hand
    planted = {}
    plant_circular(entities[BARI], "Bari", bari_legal_rep, planted)
    circular, circular_attachment = planted[Circular][0], planted[CircularAttachment][0]
    from helpdesk.models import Message, Ticket, TicketAttachment

    ticket = Ticket.objects.create(entity=entities[BARI], author=bari_legal_rep, topic="technical", subject="Accesso")
    ticket_file = TicketAttachment.objects.create(
        message=Message.objects.create(ticket=ticket, author=bari_legal_rep, kind="message", body="Errore"),
        file=ContentFile(b"%PDF-1.4 schermata", name="schermata.pdf"),
        original_name="schermata.pdf",
        content_type="application/pdf",
        sha256="0" * 64,
        size=1,
    )
    from core.notifications.models import Notification

    notification = Notification.objects.create(
        recipient=bari_legal_rep, kind="digest", context={"notification_ids": []}
    )
    from calls.programmes.models import Intervention, InterventionType, Programme
    from calls.sales import services as sales

    sale_plan = sales.create_plan(owner=entities[BARI], title="Piano di vendita", by=bari_legal_rep)
    programme = Programme.objects.create(title="Programma", legal_act="DGR n. 1/2025", total_funds=Decimal("1000.00"))
    programme.beneficiaries.set([entities[BARI]])
    intervention = Intervention.objects.create(
        programme=programme,
        beneficiary=entities[BARI],
        title="Recupero",
        intervention_type=InterventionType.RECOVERY,
        funded_amount=Decimal("1000.00"),
    )
    api.force_authenticate(bari_legal_rep)
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    samples = {
        "code": BARI,
        "push_id": unit.push_id,
        "upload_id": str(upload.pk),
        "entry_id": str(entry.pk),
        "key": "stock_by_status",
        "attachment_id": str(ticket_file.pk),
    }
    # {id} means a different object on each path.
    ids = {
        "/api/v1/buildings/{id}": unit.building_id,
        "/api/v1/calls/{id}": call.pk,
        "/api/v1/calls/{id}/allocation": call.pk,
        "/api/v1/submissions/{id}": submission.pk,
        "/api/v1/submissions/{id}/duplicates": submission.pk,
        "/api/v1/submissions/{id}/uploads/{upload_id}": submission.pk,
        "/api/v1/submissions/{id}/receipts/{entry_id}": submission.pk,
        "/api/v1/tickets/{id}": ticket.pk,
        "/api/v1/tickets/{id}/attachments/{attachment_id}": ticket.pk,
        "/api/v1/circulars/{id}": circular.pk,
        "/api/v1/notifications/{id}": notification.pk,
        "/api/v1/sale-plans/{id}": sale_plan.pk,
        "/api/v1/programmes/{id}": programme.pk,
        "/api/v1/interventions/{id}": intervention.pk,
        "/api/v1/circulars/{id}/attachments/{attachment_id}": circular.pk,
    }
    # Other parameters whose sample depends on the path.
    path_samples = {
        "/api/v1/circulars/{id}/attachments/{attachment_id}": {"attachment_id": str(circular_attachment.pk)},
    }
    checked = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        values = {**samples, **path_samples.get(path, {}), "id": str(ids.get(path, ""))}
        url = re.sub(r"\{(\w+)\}", lambda match, values=values: values[match.group(1)], path)
        response = api.get(url)
        assert response.status_code == 200, (url, response.status_code)
        checked += 1
    assert checked >= 4


def test_docs_page_is_served_without_a_cdn(client, entities):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_health_answers_without_authentication(api, db):
    # Liveness only; the database, cache and worker are /health/ready (tests/core/test_health.py).
    response = api.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    ready = api.get("/api/v1/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok", "worker": "ok"}


def test_anonymous_calls_get_401_as_problem_json(api, entities):
    response = api.get("/api/v1/entities")
    assert response.status_code == 401
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == 401 and body["title"] and body["detail"]
    assert "WWW-Authenticate" in response


def test_unknown_address_is_a_problem_json_404(api, entities, bari_officer):
    api.force_authenticate(bari_officer)
    for url in ("/api/v1/entities/999999", "/api/v1/no-such-thing"):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith(PROBLEM), url
        assert response.json()["status"] == 404


def test_token_authentication(api, entities, bari_officer):
    token = Token.objects.create(user=bari_officer)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/me/memberships").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token not-a-valid-token")
    assert api.get("/api/v1/me/memberships").status_code == 401


def test_entities_are_readable_by_every_authenticated_user(api, entities, outsider):
    api.force_authenticate(outsider)
    response = api.get("/api/v1/entities", {"limit": 10})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 263 and len(body["results"]) == 10
    assert body["next"].endswith("limit=10&offset=10")


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"kind": "arca"}, 5),
        ({"kind": "comune", "province": "BT"}, 10),
        ({"kind": "comune", "province": "LE"}, 96),
        ({"code": BARI}, 1),
        ({"covering_arca": "720000"}, 51),
        ({"q": "bari"}, None),
        ({"accreditation_state": "accredited"}, 0),
    ],
)
def test_entity_filters(api, entities, bari_officer, params, expected):
    api.force_authenticate(bari_officer)
    response = api.get("/api/v1/entities", {**params, "limit": 500})
    assert response.status_code == 200
    names = [row["name"] for row in response.json()["results"]]
    if "q" in params:
        assert all("bari" in name.lower() for name in names) and "Bari" in names
        expected = Entity.objects.filter(name__icontains="bari").count()
    assert response.json()["count"] == expected


def test_invalid_filter_value_is_a_problem_json_400(api, entities, bari_officer):
    api.force_authenticate(bari_officer)
    response = api.get("/api/v1/entities", {"kind": "castle"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert "kind" in response.json()["errors"]


def test_entity_detail_by_push_code(api, entities, bari_officer):
    api.force_authenticate(bari_officer)
    body = api.get(f"/api/v1/entities/{BARI}").json()
    assert body["code"] == BARI and body["name"] == "Bari" and body["covering_arca"] == "720000"


def test_my_memberships_lists_only_mine(api, entities, bari_officer, lecce_legal_rep):
    api.force_authenticate(bari_officer)
    results = api.get("/api/v1/me/memberships").json()["results"]
    assert [(row["entity"]["code"], row["role"], row["area"]) for row in results] == [
        (BARI, "officer", "property_register")
    ]
    api.force_authenticate(lecce_legal_rep)
    assert [row["entity"]["code"] for row in api.get("/api/v1/me/memberships").json()["results"]] == [LECCE]


def test_user_without_membership_has_no_memberships(api, entities, outsider):
    api.force_authenticate(outsider)
    assert api.get("/api/v1/me/memberships").json()["count"] == 0


def test_legal_representative_updates_own_entity_contacts(api, entities, bari_legal_rep):
    api.force_authenticate(bari_legal_rep)
    response = api.patch(f"/api/v1/entities/{BARI}", {"pec": "protocollo@pec.comune.bari.it"}, format="json")
    assert response.status_code == 200
    assert Entity.objects.get(code=BARI).pec == "protocollo@pec.comune.bari.it"


@pytest.mark.parametrize("attacker", ["bari_legal_rep", "bari_officer", "outsider"])
def test_api_write_to_another_entity_is_refused(api, request, attacker, entities):
    api.force_authenticate(request.getfixturevalue(attacker))
    response = api.patch(f"/api/v1/entities/{LECCE}", {"pec": "hacked@pec.example.it"}, format="json")
    assert response.status_code == 403
    assert response["Content-Type"].startswith(PROBLEM)
    assert Entity.objects.get(code=LECCE).pec == ""


def test_officer_cannot_write_even_own_entity(api, entities, bari_officer):
    api.force_authenticate(bari_officer)
    assert api.patch(f"/api/v1/entities/{BARI}", {"pec": "x@pec.example.it"}, format="json").status_code == 403


@pytest.mark.parametrize("method", ["put", "post", "delete"])
def test_other_write_methods_are_not_offered(api, entities, region_admin, method):
    api.force_authenticate(region_admin)
    response = getattr(api, method)(f"/api/v1/entities/{BARI}", {}, format="json")
    assert response.status_code == 405
    assert Entity.objects.filter(code=BARI).exists()


def test_bad_fiscal_code_in_update_is_explained(api, entities, bari_legal_rep):
    api.force_authenticate(bari_legal_rep)
    response = api.patch(f"/api/v1/entities/{BARI}", {"fiscal_code": "80015010724"}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert "fiscal_code" in response.json()["errors"]
    assert Entity.objects.get(code=BARI).fiscal_code == ""
