"""On PostgreSQL a rent-support list is written while it is checked (calls.services._stream_list):
the rows go to COPY chunk by chunk inside one transaction, and at the first problem all of it
is rolled back and the file is checked and reported row by row as always. These tests run
through calls.services.upload_applicants (the admin's and the API's path) on both databases;
the chunks are made small so that a short list has several."""

import gc
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from calls import applicants, sealed, services
from calls.applicants import APPLICANT_FIELDS, parse_applicant_file
from calls.models import Applicant, ApplicantUpload, UploadStatus
from tests.calls.fixtures import applicant, applicants_csv
from tests.calls.test_applicants_fast import as_csv, varied_rows

CHUNK = 20
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def chunks(monkeypatch):
    """Chunks of CHUNK rows; records the size of every chunk handed to the writer."""
    monkeypatch.setattr(applicants, "STREAM_ROWS", CHUNK)
    written = []
    real = services.insert_rows

    def spy(model, names, rows, cursor=None):
        written.append(len(rows))
        return real(model, names, rows, cursor)

    monkeypatch.setattr(services, "insert_rows", spy)
    return written


@pytest.fixture
def submitted(monkeypatch):
    """The number of chunks handed to the background writer (which may skip the last ones
    when the list is given up)."""
    count = []

    class Counting(services.BackgroundWriter):
        def submit(self, job):
            count.append(1)
            return super().submit(job)

    monkeypatch.setattr(services, "BackgroundWriter", Counting)
    return count


def row_by_row(monkeypatch, call, content):
    with monkeypatch.context() as patched:
        patched.setattr(applicants, "_clean_columns", lambda table, columns: None)
        return parse_applicant_file(call, content, "elenco.csv")


def stored(submission):
    return sorted(Applicant.objects.filter(submission=submission).values_list("row_number", *APPLICANT_FIELDS[1:]))


def test_the_rows_written_are_those_of_the_row_by_row_path(ready, bari_calls, chunks, monkeypatch):
    content = as_csv(varied_rows(count=70))
    expected, problems = row_by_row(monkeypatch, ready.call, content)
    assert problems == []
    services.upload_applicants(submission=ready, content=content, filename="elenco.csv", by=bari_calls)
    assert stored(ready) == sorted(expected)
    # PostgreSQL writes the list as four chunks while checking it; SQLite all at once.
    assert chunks == ([CHUNK, CHUNK, CHUNK, 10] if POSTGRES else [70])
    ready.refresh_from_db()
    assert ready.applicant_count == 70
    upload = ApplicantUpload.objects.filter(submission=ready).latest("pk")
    assert upload.status == UploadStatus.DONE and ready.applicants_file.name == upload.file.name
    assert (upload.processed_rows, upload.total_rows) == (70, 70)  # the progress shown, as before
    assert sealed.unseal(upload.file) == content
    assert gc.isenabled()


def test_a_wrong_row_late_in_the_list_writes_nothing_and_is_reported_as_before(
    ready, bari_calls, chunks, submitted, monkeypatch
):
    before = stored(ready)
    rows = [applicant() for _ in range(2 * CHUNK + 5)]
    rows[2 * CHUNK + 2] = applicant(months="13")  # file row 2*CHUNK + 4, in the third chunk
    content = applicants_csv(rows)
    _rows, expected = row_by_row(monkeypatch, ready.call, content)
    with pytest.raises(services.SubmissionFileInvalid) as error:
        services.upload_applicants(submission=ready, content=content, filename="elenco.csv", by=bari_calls)
    assert error.value.problems == expected
    assert [(problem.row, problem.column) for problem in expected] == [(2 * CHUNK + 4, "Mesi")]
    # On PostgreSQL the first two chunks were handed to the writer, then rolled back.
    assert len(submitted) == (2 if POSTGRES else 0)
    assert set(chunks) <= {CHUNK} and len(chunks) <= len(submitted)
    assert stored(ready) == before
    ready.refresh_from_db()
    assert ready.applicant_count == 3 and ready.need == D("3698.74")
    upload = ApplicantUpload.objects.filter(submission=ready).latest("pk")
    assert upload.status == UploadStatus.INVALID and not upload.file


def test_a_person_in_two_chunks_writes_nothing_and_is_reported_as_before(ready, bari_calls, chunks, monkeypatch):
    before = stored(ready)
    rows = [applicant() for _ in range(2 * CHUNK)]
    rows[-1] = list(rows[1])  # the same person in the first and the second chunk
    content = applicants_csv(rows)
    _rows, expected = row_by_row(monkeypatch, ready.call, content)
    with pytest.raises(services.SubmissionFileInvalid) as error:
        services.upload_applicants(submission=ready, content=content, filename="elenco.csv", by=bari_calls)
    assert error.value.problems == expected
    assert [problem.row for problem in expected] == [2 * CHUNK + 1]
    assert stored(ready) == before


def test_a_failure_while_storing_the_file_leaves_nothing_written(ready, bari_calls, chunks, monkeypatch):
    before = stored(ready)
    uploads = ApplicantUpload.objects.count()

    def broken(content):
        raise OSError("disk full")

    monkeypatch.setattr(sealed, "seal", broken)
    with pytest.raises(OSError):
        services.upload_applicants(
            submission=ready, content=as_csv(varied_rows(count=50)), filename="elenco.csv", by=bari_calls
        )
    assert chunks == []
    assert stored(ready) == before
    assert ApplicantUpload.objects.count() == uploads
    ready.refresh_from_db()
    assert ready.applicant_count == 3


def test_a_failure_after_the_rows_are_sent_leaves_nothing_written(ready, bari_calls, chunks, monkeypatch):
    before = stored(ready)
    file_before = ready.applicants_file.name

    def broken(submission):
        raise RuntimeError("totals")

    monkeypatch.setattr(services, "recompute_totals", broken)
    with pytest.raises(RuntimeError):
        services.upload_applicants(
            submission=ready, content=as_csv(varied_rows(count=50)), filename="elenco.csv", by=bari_calls
        )
    assert sum(chunks) == 50
    assert gc.isenabled()  # the collector, paused while the list is read and written, is back
    assert stored(ready) == before
    ready.refresh_from_db()
    assert ready.applicant_count == 3 and ready.applicants_file.name == file_before
    upload = ApplicantUpload.objects.filter(submission=ready).latest("pk")
    assert upload.status == UploadStatus.FAILED and not upload.file


def test_a_sent_list_refuses_a_new_clean_file_as_before(ready, bari_calls, chunks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(submission=ready, by=bari_calls)
    before = stored(ready)
    with pytest.raises(ValidationError) as error:
        services.upload_applicants(
            submission=ready, content=as_csv(varied_rows(count=30)), filename="elenco.csv", by=bari_calls
        )
    assert error.value.code == "frozen"
    assert stored(ready) == before
    assert chunks == []
