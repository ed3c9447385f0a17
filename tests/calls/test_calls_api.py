"""The calls' API: public calls and published riparti, scoped submissions, a Comune's
system preparing and sending its submission."""

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from calls import services
from calls.models import Call, CallState, Submission, SubmissionState
from tests.calls.fixtures import ATTACHMENT, WORKED_EXAMPLES, applicants_csv
from tests.conftest import BARI, LECCE

PROBLEM = "application/problem+json"


def test_published_calls_are_public_drafts_are_not(db, call):
    Call.objects.create(
        call_type="arrears", year=2025, title="Bozza", legal_act="-", opens_at=call.opens_at, closes_at=call.closes_at
    )
    body = APIClient().get("/api/v1/calls").json()
    assert [row["title"] for row in body["results"]] == [call.title]
    assert body["results"][0]["band_a_cap"] == "3098.74" and body["results"][0]["required_attachments"] == [ATTACHMENT]


def test_allocation_is_404_until_published(db, call):
    response = APIClient().get(f"/api/v1/calls/{call.pk}/allocation")
    assert response.status_code == 404 and response["Content-Type"].startswith(PROBLEM)


def test_a_comunes_system_prepares_and_sends_its_submission(entities, call, bari_calls, pdf_file):
    api = APIClient()
    api.force_authenticate(bari_calls)
    created = api.post("/api/v1/submissions", {"call": call.pk, "comune": BARI}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    bad = api.post(
        f"/api/v1/submissions/{pk}/applicants",
        {
            "file": SimpleUploadedFile(
                "g.csv", applicants_csv([["RSSMRA85T10A562T", "3", "no", "no", "no", "1", "", "2", "12", "X"]])
            )
        },
        format="multipart",
    )
    assert bad.status_code == 400 and bad["Content-Type"].startswith(PROBLEM)
    assert bad.json()["errors"][0]["column"] == "Codice fiscale"
    good = api.post(
        f"/api/v1/submissions/{pk}/applicants",
        {"file": SimpleUploadedFile("g.csv", applicants_csv(WORKED_EXAMPLES))},
        format="multipart",
    )
    assert good.status_code == 200 and good.json()["need"] == "3698.74"
    assert (
        api.patch(f"/api/v1/submissions/{pk}", {"co_financing": "750.50"}, format="json").json()["co_financing"]
        == "750.50"
    )
    not_yet = api.post(f"/api/v1/submissions/{pk}/submit")
    assert not_yet.status_code == 400 and not_yet.json()["code"] == "attachments"
    services.add_attachment(
        submission=Submission.objects.get(pk=pk), name=ATTACHMENT, uploaded_file=pdf_file(), by=bari_calls
    )
    sent = api.post(f"/api/v1/submissions/{pk}/submit")
    assert (
        sent.status_code == 200 and sent.json()["state"] == SubmissionState.SUBMITTED and sent.json()["protocol_number"]
    )


def test_another_comune_gets_nothing_and_changes_nothing(entities, call, bari_calls, lecce_calls):
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    api = APIClient()
    api.force_authenticate(lecce_calls)
    assert api.get("/api/v1/submissions").json()["count"] == 0
    assert api.get(f"/api/v1/submissions/{submission.pk}").status_code == 404
    assert api.patch(f"/api/v1/submissions/{submission.pk}", {"co_financing": "1"}, format="json").status_code == 404
    assert api.post(f"/api/v1/submissions/{submission.pk}/submit").status_code == 404
    assert api.post("/api/v1/submissions", {"call": call.pk, "comune": BARI}, format="json").status_code == 403
    submission.refresh_from_db()
    assert submission.co_financing == 0


def test_the_published_riparto_is_public(entities, call, bari_calls, reviewer, region_admin, pdf_file):
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    services.upload_applicants(
        submission=submission, content=applicants_csv(WORKED_EXAMPLES), filename="g.csv", by=bari_calls
    )
    services.add_attachment(submission=submission, name=ATTACHMENT, uploaded_file=pdf_file(), by=bari_calls)
    services.submit(submission=submission, by=bari_calls)
    services.accept(submission=submission, by=reviewer)
    Call.objects.filter(pk=call.pk).update(state=CallState.CLOSED)
    services.compute_riparto(call=call, by=region_admin)
    services.publish_riparto(call=call, by=region_admin)
    rows = APIClient().get(f"/api/v1/calls/{call.pk}/allocation").json()
    assert rows == [
        {
            "comune": BARI,
            "comune_name": "Bari",
            "need": "3698.74",
            "co_financing": "0.00",
            "premium_eligible": False,
            "base": "1500.00",
            "premium": "0.00",
            "total": "1500.00",
        }
    ]
    assert LECCE not in str(rows)
