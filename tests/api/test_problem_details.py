"""One exception handler (core.api.problem_exception_handler) answers every refusal of the
API as problem+json (RFC 9457): DRF's errors, and the Django exceptions that services raise,
with their translated messages; a refusal because of a record's state is 409."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404

from calls.models import Submission, SubmissionState
from core.api import problem_exception_handler
from core.errors import StateConflict
from tests.api.conftest import PROBLEM
from tests.conftest import BARI


def handle(exc):
    response = problem_exception_handler(exc, {})
    assert response.content_type == PROBLEM
    return response.status_code, response.data


def test_a_services_field_errors_keep_their_fields(db):
    status, body = handle(ValidationError({"pec": ["Not a PEC address."], "fiscal_code": ["Wrong check digit."]}))
    assert status == 400
    assert body["errors"] == {"pec": ["Not a PEC address."], "fiscal_code": ["Wrong check digit."]}
    assert body["status"] == 400 and body["title"] and "Not a PEC address." in body["detail"]


def test_a_services_refusal_keeps_its_message_and_code(db):
    status, body = handle(ValidationError("Upload the list before sending the submission.", code="empty"))
    assert status == 400
    assert body["detail"] == "Upload the list before sending the submission." and body["code"] == "empty"


def test_every_message_of_a_refusal_is_kept(db):
    status, body = handle(ValidationError([ValidationError("First.", code="a"), ValidationError("Second.", code="b")]))
    assert status == 400
    assert [error["message"] for error in body["errors"]] == ["First.", "Second."]


def test_refusals_about_a_records_state_are_409(db):
    assert handle(StateConflict("The call is closed."))[0] == 409
    status, body = handle(ValidationError("The submission has been sent.", code="frozen"))
    assert status == 409 and body["code"] == "frozen" and body["detail"] == "The submission has been sent."


def test_permission_denied_is_403_with_its_message(db):
    status, body = handle(PermissionDenied("Only the Region grants extensions."))
    assert status == 403 and body["detail"] == "Only the Region grants extensions."


def test_missing_objects_are_404(db):
    assert handle(ObjectDoesNotExist())[0] == 404
    assert handle(Submission.DoesNotExist())[0] == 404
    assert handle(Http404())[0] == 404


def test_sending_a_sent_submission_again_is_a_conflict(entities, call, as_bari):
    submission = Submission.objects.create(call=call, comune=entities[BARI], state=SubmissionState.SUBMITTED)
    response = as_bari.post(f"/api/v1/submissions/{submission.pk}/submit")
    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "state"


def test_changing_a_sent_submission_is_a_conflict(entities, call, as_bari):
    submission = Submission.objects.create(call=call, comune=entities[BARI], state=SubmissionState.SUBMITTED)
    response = as_bari.patch(f"/api/v1/submissions/{submission.pk}", {"co_financing": "10.00"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "frozen"
