"""Every write validates its body with an input serializer before its service is called:
JSON as typed (no `1.5` or `true` read as an id), finite amounts within their digits and
never rounded, JSON bodies only. A wrong body is a 400 problem, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calls.models import Submission
from tests.api.conftest import PROBLEM
from tests.conftest import BARI


def refused(response, field=None):
    assert response.status_code == 400, (response.status_code, response.content)
    assert response["Content-Type"] == PROBLEM
    if field:
        assert field in response.json()["errors"]
    return True


@pytest.mark.parametrize("given", [1.5, True, "abc", "1", None, [1], {"id": 1}, 0, -3, 2**70])
def test_opening_a_draft_takes_the_calls_id_as_a_json_integer(entities, call, as_bari, given):
    refused(as_bari.post("/api/v1/submissions", {"call": given, "comune": BARI}), "call")
    assert not Submission.objects.exists()


@pytest.mark.parametrize("comune", [72006, True, "72006", "0720061", "", None])
def test_opening_a_draft_takes_the_comunes_code_as_six_digits(entities, call, as_bari, comune):
    refused(as_bari.post("/api/v1/submissions", {"call": call.pk, "comune": comune}), "comune")


@pytest.mark.parametrize("body", ["true", "[]", "1", '"call"', "null"])
def test_a_body_that_is_not_an_object_is_refused(entities, call, as_bari, body):
    submission = Submission.objects.create(call=call, comune=entities[BARI])
    refused(as_bari.post("/api/v1/submissions", body, content_type="application/json"))
    refused(as_bari.patch(f"/api/v1/submissions/{submission.pk}", body, content_type="application/json"))


@pytest.mark.parametrize(
    "amount", ["NaN", "Infinity", "-Infinity", "sNaN", "1E+30", 1e20, "0.001", "1e2", "1_000", " 7", "", True, 12.5]
)
def test_the_co_financing_is_a_finite_amount_with_at_most_two_decimals(entities, call, as_bari, amount):
    submission = Submission.objects.create(call=call, comune=entities[BARI])
    refused(as_bari.patch(f"/api/v1/submissions/{submission.pk}", {"co_financing": amount}), "co_financing")
    submission.refresh_from_db()
    assert submission.co_financing == 0


def test_a_valid_co_financing_is_stored_as_given(entities, call, as_bari):
    submission = Submission.objects.create(call=call, comune=entities[BARI])
    response = as_bari.patch(f"/api/v1/submissions/{submission.pk}", {"co_financing": "750.5"})
    assert response.status_code == 200 and response.json()["co_financing"] == "750.50"


def test_writes_take_json_only(entities, call, as_bari):
    form = as_bari.post("/api/v1/submissions", {"call": call.pk, "comune": BARI}, format="multipart")
    assert form.status_code == 415 and form["Content-Type"] == PROBLEM
    assert not Submission.objects.exists()


def test_the_applicant_list_is_a_multipart_file(entities, call, as_bari):
    submission = Submission.objects.create(call=call, comune=entities[BARI])
    refused(as_bari.post(f"/api/v1/submissions/{submission.pk}/applicants", {}, format="multipart"), "file")
    not_a_file = as_bari.post(f"/api/v1/submissions/{submission.pk}/applicants", {"file": "x"})
    assert not_a_file.status_code == 415
    sent = as_bari.post(
        f"/api/v1/submissions/{submission.pk}/applicants",
        {"file": SimpleUploadedFile("g.csv", b"not;a;list\n")},
        format="multipart",
    )
    assert sent.status_code == 400 and sent["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    "body",
    [{"pec": True}, {"fiscal_code": 80015010724}, {"legal_representative": ["x"]}, {"pec": "not an address"}],
)
def test_an_entitys_contacts_are_json_strings(entities, region_admin, api, body):
    api.force_authenticate(region_admin)
    refused(api.patch(f"/api/v1/entities/{BARI}", body), next(iter(body)))


@pytest.mark.parametrize("body", ["true", "[]", "null"])
def test_an_entitys_contacts_are_an_object(entities, region_admin, api, body):
    api.force_authenticate(region_admin)
    refused(api.patch(f"/api/v1/entities/{BARI}", body, content_type="application/json"))
