# ruff: noqa: F811  (fixtures imported from tests.calls are parameters here)
"""Applicant lists from the attacker's side: size limits before anything is read, the
spreadsheet limits of core.tabular on this path too, rows with more cells than the header
refused, and large lists checked in the background with their progress shown."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from rest_framework.test import APIClient

from calls import services
from calls.models import Applicant, ApplicantUpload, UploadStatus
from tests.calls.test_submissions import (  # noqa: F401  (fixtures)
    HEADERS,
    WORKED_EXAMPLES,
    applicant,
    applicants_csv,
    bari_calls_officer,
    call,
)
from tests.conftest import BARI

PROBLEM = "application/problem+json"


@pytest.fixture
def draft(call, entities, bari_calls_officer):
    return services.open_submission(call=call, comune=entities[BARI], by=bari_calls_officer)


@pytest.fixture
def admin(client, bari_calls_officer):
    client.force_login(bari_calls_officer)
    return client


@pytest.fixture
def api(bari_calls_officer):
    api = APIClient()
    api.force_authenticate(bari_calls_officer)
    return api


def post_admin(client, submission, content, name="elenco.csv"):
    response = client.post(
        reverse("calls_submission_action", args=[submission.pk, "applicants"]),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def post_api(api, submission, content, name="elenco.csv"):
    return api.post(
        f"/api/v1/submissions/{submission.pk}/applicants",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def xlsx(rows):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


# --- size -------------------------------------------------------------------------------


def test_a_list_over_the_size_limit_is_refused_before_anything_is_stored(admin, api, draft, settings):
    content = applicants_csv(WORKED_EXAMPLES)
    settings.PUSH_MAX_IMPORT_BYTES = len(content) - 1
    with translation.override("it"), pytest.raises(ValidationError) as refusal:
        services.check_list_size(len(content))
    page = post_admin(admin, draft, content)
    assert escape(refusal.value.messages[0]) in page
    response = post_api(api, draft, content)
    assert response.status_code == 400 and response["Content-Type"].startswith(PROBLEM)
    assert response.json()["code"] == "too_large"
    assert not ApplicantUpload.objects.exists() and not Applicant.objects.exists()


# --- the limits of core.tabular, on the applicant path ------------------------------------


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_unexpanded(api, draft, settings):
    settings.PUSH_MAX_UNPACKED_BYTES = 200_000
    bomb = xlsx([HEADERS, applicant()[:9] + ["A" * 30_000]] + [applicant() for _ in range(5)] + [["B" * 32_000] * 8])
    assert len(bomb) < 50_000
    response = post_api(api, draft, bomb, "elenco.xlsx")
    assert response.status_code == 400
    assert response.json()["code"] == "unpacked_bytes"
    assert not Applicant.objects.exists()


def test_a_list_with_too_many_rows_is_refused(api, draft, settings):
    settings.PUSH_MAX_ROWS = 3  # the header and two rows
    response = post_api(api, draft, applicants_csv(WORKED_EXAMPLES))
    assert response.status_code == 400 and response.json()["code"] == "rows"
    assert not Applicant.objects.exists()


def test_a_list_with_too_many_columns_is_refused(api, draft, settings):
    settings.PUSH_MAX_COLUMNS = len(HEADERS) + 2
    rows = [row + [""] * 5 + ["x"] for row in WORKED_EXAMPLES]
    lines = [";".join(HEADERS + [""] * 6)] + [";".join(row) for row in rows]
    response = post_api(api, draft, ("\r\n".join(lines) + "\r\n").encode())
    assert response.status_code == 400 and response.json()["code"] == "columns"


def test_an_over_long_csv_line_is_refused(api, draft, settings):
    settings.PUSH_MAX_CSV_LINE_CHARS = 500
    rows = [applicant()[:9] + ["T" * 400 + ";" * 200]]
    response = post_api(api, draft, applicants_csv(rows))
    assert response.status_code == 400 and response.json()["code"] == "csv_line_chars"


def test_an_over_long_cell_is_refused(api, draft, settings):
    settings.PUSH_MAX_CELL_CHARS = 100
    response = post_api(api, draft, xlsx([HEADERS, applicant()[:9] + ["T" * 101]]), "elenco.xlsx")
    assert response.status_code == 400 and response.json()["code"] == "cell_chars"


def test_a_row_with_more_cells_than_the_header_is_refused_with_row_and_column(admin, api, draft):
    """An unquoted ';' in the lease registration splits it: the last part would be lost."""
    shifted = applicant()
    shifted[9] = "TNF1T123456;del 02/03/2020"
    content = applicants_csv([applicant(), shifted])
    response = post_api(api, draft, content)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["column"], error["value"]) == (3, "11 (K)", "del 02/03/2020")
    page = post_admin(admin, draft, content)
    assert "11 (K)" in page and "del 02/03/2020" in page
    assert not Applicant.objects.exists()


# --- large lists in the background --------------------------------------------------------


def test_a_large_list_is_checked_in_the_background_with_progress_on_the_page(
    admin, draft, settings, django_capture_on_commit_callbacks
):
    content = applicants_csv(WORKED_EXAMPLES)
    settings.PUSH_APPLICANTS_INLINE_BYTES = len(content) - 1
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = post_admin(admin, draft, content)
    upload = ApplicantUpload.objects.get(submission=draft)
    assert upload.status == UploadStatus.PENDING and len(queued) == 1
    draft.refresh_from_db()
    assert draft.applicant_count == 0  # nothing written in the request
    assert 'id="upload-status"' in page and "<progress" in page and "window.location.reload" in page
    queued[0]()  # the worker runs the task
    upload.refresh_from_db()
    assert (upload.status, upload.total_rows, upload.processed_rows) == (UploadStatus.DONE, 3, 3)
    draft.refresh_from_db()
    assert draft.applicant_count == 3 and str(draft.need) == "3698.74"
    page = admin.get(reverse("calls_submission_modeladmin_inspect", args=[draft.pk])).content.decode()
    assert 'id="upload-status"' not in page and "window.location.reload" not in page


def test_a_large_list_with_problems_shows_its_report_when_checked(
    admin, draft, settings, django_capture_on_commit_callbacks
):
    content = applicants_csv([applicant(months="13"), *WORKED_EXAMPLES])
    settings.PUSH_APPLICANTS_INLINE_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        post_admin(admin, draft, content)
    page = admin.get(reverse("calls_submission_modeladmin_inspect", args=[draft.pk])).content.decode()
    upload = ApplicantUpload.objects.get(submission=draft)
    assert upload.status == UploadStatus.INVALID and upload.problems[0][:2] == [2, "Mesi"]
    assert 'id="upload-status"' in page and "Mesi" in page
    assert not Applicant.objects.exists()


def test_the_api_answers_202_for_a_large_list_and_reports_its_progress(
    api, draft, settings, django_capture_on_commit_callbacks
):
    content = applicants_csv(WORKED_EXAMPLES)
    settings.PUSH_APPLICANTS_INLINE_BYTES = 10
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post_api(api, draft, content)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and response["Location"].endswith(f"/uploads/{body['id']}")
    assert api.get(body["status_url"]).json()["status"] == "pending"
    queued[0]()
    done = api.get(body["status_url"]).json()
    assert (done["status"], done["total_rows"], done["processed_rows"], done["errors"]) == ("done", 3, 3, [])
    assert api.get(f"/api/v1/submissions/{draft.pk}").json()["applicant_count"] == 3


def test_another_comune_cannot_read_an_upload(draft, bari_calls_officer, entities):
    from registry.models import Area, Role
    from tests.conftest import LECCE
    from tests.factories import member

    services.upload_applicants(
        submission=draft, content=applicants_csv(WORKED_EXAMPLES), filename="g.csv", by=bari_calls_officer
    )
    upload = ApplicantUpload.objects.get(submission=draft)
    lecce = APIClient()
    lecce.force_authenticate(member(LECCE, Role.OFFICER, Area.CALLS))
    response = lecce.get(f"/api/v1/submissions/{draft.pk}/uploads/{upload.pk}")
    assert response.status_code == 404 and "g.csv" not in response.content.decode()


def test_a_large_list_over_the_spreadsheet_limits_is_refused_in_the_request_and_never_queued(
    api, draft, settings, django_capture_on_commit_callbacks
):
    settings.PUSH_APPLICANTS_INLINE_BYTES = 10  # would go to the background
    settings.PUSH_MAX_ROWS = 3
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post_api(api, draft, applicants_csv(WORKED_EXAMPLES))
    assert response.status_code == 400 and response.json()["code"] == "rows"
    assert queued == []
    upload = ApplicantUpload.objects.get(submission=draft)
    assert (upload.status, upload.refusal_code, upload.file.name) == (UploadStatus.INVALID, "rows", "")


# --- the codice fiscale: the same check as accreditation ---------------------------------


def test_a_list_with_a_birthplace_that_does_not_exist_is_refused_naming_row_and_column(draft, bari_calls_officer):
    from core.tabular import CellProblem

    content = applicants_csv([applicant(), applicant("QZYHDJ79L57Z690Y"), applicant()])
    with translation.override("en"), pytest.raises(services.SubmissionFileInvalid) as refused:
        services.upload_applicants(submission=draft, content=content, filename="elenco.csv", by=bari_calls_officer)
    [problem] = refused.value.problems
    assert isinstance(problem, CellProblem)
    assert (problem.row, problem.column) == (3, "Codice fiscale")
    assert problem.value == "QZY************Y"  # masked, as every code in a report
    assert "Z690" in problem.message  # the place that does not exist, whatever the language
    assert not Applicant.objects.exists()


# --- one specification per record type ----------------------------------------------------


def test_the_applicant_records_reader_template_and_stored_fields_come_from_one_specification(call):
    from calls.applicants import APPLICANT_FIELDS, APPLICANT_SPEC, list_template
    from calls.models import Applicant

    headers, [example] = list_template(call)
    assert headers == HEADERS[:7] + ["Perdita di reddito %"] + HEADERS[7:]
    assert headers == APPLICANT_SPEC.headers and example == APPLICANT_SPEC.template_row()
    stored = [field.stored_as for field in APPLICANT_SPEC if field.stored_as]
    assert list(APPLICANT_FIELDS[2 : 2 + len(stored)]) == stored
    assert set(APPLICANT_FIELDS) <= {field.name for field in Applicant._meta.fields}


@pytest.mark.parametrize(
    "key, value, accepted",
    [
        ("fiscal_code", "QZYHDJ79L57Z690Y", False),
        ("fiscal_code", "RSSMRA85T10A662U", True),
        ("household_size", 21, False),
        ("months", "12", True),
        ("income", "10.000,001", False),
        ("over_65", "sì", True),
    ],
)
def test_an_api_write_of_an_applicant_gets_the_imports_verdict(key, value, accepted):
    from calls.applicants import APPLICANT_SPEC

    serializer = APPLICANT_SPEC.serializer("ApplicantRecord", all_optional=True)(data={key: value})
    assert serializer.is_valid() is accepted
    assert (APPLICANT_SPEC.check({key: value}) == []) is accepted


def test_an_arrears_case_reports_every_check_of_its_specification(call, entities, bari_calls_officer):
    import datetime

    from calls.models import CallType

    call.call_type = CallType.ARREARS
    call.save()
    draft = services.open_submission(call=call, comune=entities[BARI], by=bari_calls_officer)
    future = (datetime.date.today() + datetime.timedelta(days=30)).strftime("%d/%m/%Y")
    headers = ["Codice fiscale", "Data intimazione sfratto", "Morosità", "Causa", "ISE", "ISEE", "Importo richiesto"]
    row = ["RSSMRA85T10A662U", future, "5.400,00", "licenziamento", "", "", "5.400,00"]
    content = ("\ufeff" + ";".join(headers) + "\r\n" + ";".join(row) + "\r\n").encode()
    with pytest.raises(services.SubmissionFileInvalid) as refused:
        services.upload_applicants(submission=draft, content=content, filename="casi.csv", by=bari_calls_officer)
    assert sorted((problem.row, problem.column, problem.value) for problem in refused.value.problems) == [
        (2, "Data intimazione sfratto", future),
        (2, "ISEE", ""),
    ]
