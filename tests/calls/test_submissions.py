"""Submissions of the Comuni: the applicant list, the deadline, the protocol number, the
receipt, the review's state machine and who may do what."""
# ruff: noqa: F811  (shared fixtures imported here because tests/security imports them from here)

import datetime
import threading
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from calls import services
from calls.models import Applicant, Call, CallState, ProtocolCounter, Submission, SubmissionState
from core.pseudonyms import pseudonymise
from tests.calls.fixtures import (  # noqa: F401  (tests/security and tests/browser import them from here)
    HEADERS,
    WORKED_EXAMPLES,
    applicant,
    applicants_csv,
    call,
    make_arrears_call,
    ready,
)
from tests.calls.fixtures import bari_calls as bari_calls_officer  # noqa: F401  (likewise)
from tests.calls.fixtures import lecce_calls as lecce_calls_officer  # noqa: F401  (likewise)
from tests.conftest import BARI, LECCE
from tests.factories import valid_fiscal_code


def test_the_list_is_computed_with_the_calls_bands(ready):
    assert (ready.applicant_count, ready.eligible_count, ready.eligible_a, ready.eligible_b) == (3, 2, 1, 1)
    assert ready.need_a == D("3098.74") and ready.need_b == D("600.00") and ready.need == D("3698.74")
    excluded = ready.applicants.get(band="")
    assert excluded.reason == "incidence_below_minimum" and excluded.incidence == D("20.00")


def test_the_codice_fiscale_is_stored_only_pseudonymised(ready):
    code = WORKED_EXAMPLES[0][0]
    stored = Applicant.objects.filter(submission=ready).values_list("fiscal_code_hash", flat=True)
    assert pseudonymise(code) in stored
    for row in Applicant.objects.filter(submission=ready).values():
        assert code not in str(row.values())


def test_a_malformed_list_changes_nothing_and_lists_every_problem(ready, bari_calls):
    bad = [
        applicant(code="RSSMRA85T10A562T"),  # wrong check character
        applicant(months="13"),
        applicant(income="diecimila"),
        [valid_fiscal_code(), "", "no", "no", "no", "1.000,00", "", "2.000,00", "12", "X"],  # household size missing
    ]
    with pytest.raises(services.SubmissionFileInvalid) as error:
        services.upload_applicants(submission=ready, content=applicants_csv(bad), filename="g.csv", by=bari_calls)
    assert [(p.row, p.column) for p in error.value.problems] == [
        (2, "Codice fiscale"),
        (3, "Mesi"),
        (4, "Reddito annuo"),
        (5, "Componenti nucleo"),
    ]
    ready.refresh_from_db()
    assert ready.applicant_count == 3 and ready.need == D("3698.74")


def test_the_same_person_twice_in_a_list_is_refused(call, entities, bari_calls):
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    code = valid_fiscal_code()
    with pytest.raises(services.SubmissionFileInvalid) as error:
        services.upload_applicants(
            submission=submission,
            content=applicants_csv([applicant(code), applicant(code)]),
            filename="g.csv",
            by=bari_calls,
        )
    assert error.value.problems[0].row == 3


def test_submitting_gives_protocol_receipt_and_email(ready, bari_calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(submission=ready, by=bari_calls)
    ready.refresh_from_db()
    year = timezone.localdate().year
    assert ready.state == SubmissionState.SUBMITTED
    assert ready.protocol_number == f"PUSH/{year}/000001"
    [entry] = ready.protocol_entries.all()
    pdf = entry.receipt_pdf.open("rb").read()
    assert pdf.startswith(b"%PDF") and len(entry.receipt_sha256) == 64
    [message] = [m for m in mail.outbox if "referente.bandi@comune.bari.example.it" in m.to]
    assert ready.protocol_number in message.subject
    assert ModelLogEntry.objects.filter(action="push.submission.submit", object_id=str(ready.pk)).exists()


def test_after_submitting_the_list_is_frozen(ready, bari_calls):
    services.submit(submission=ready, by=bari_calls)
    with pytest.raises(ValidationError) as error:
        services.upload_applicants(
            submission=ready, content=applicants_csv(WORKED_EXAMPLES[:1]), filename="g.csv", by=bari_calls
        )
    assert error.value.code == "frozen"
    with pytest.raises(ValidationError):
        services.set_co_financing(submission=ready, amount=D("5"), by=bari_calls)


def test_a_late_submission_is_refused_at_the_exact_time(ready, bari_calls, call):
    call.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    call.save()
    with pytest.raises(ValidationError) as error:
        services.submit(submission=ready, by=bari_calls)
    assert error.value.code == "late"
    assert "chiuso" in error.value.messages[0] or "closed" in error.value.messages[0]
    ready.refresh_from_db()
    assert ready.state == SubmissionState.DRAFT and ready.protocol_number is None
    assert not ProtocolCounter.objects.filter(last_number__gt=0).exists()


def test_an_extension_lets_one_comune_submit_late(ready, bari_calls, call, region_admin, entities):
    call.closes_at = timezone.now() - datetime.timedelta(hours=1)
    call.save()
    services.grant_extension(
        call=call,
        comune=entities[BARI],
        closes_at=timezone.now() + datetime.timedelta(days=2),
        reason="Guasto informatico",
        by=region_admin,
    )
    services.submit(submission=ready, by=bari_calls)
    assert ModelLogEntry.objects.filter(action="push.call.extension").exists()


def test_missing_attachment_or_empty_list_blocks_submission(call, entities, bari_calls):
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    with pytest.raises(ValidationError) as error:
        services.submit(submission=submission, by=bari_calls)
    assert error.value.code == "empty"
    services.upload_applicants(
        submission=submission, content=applicants_csv(WORKED_EXAMPLES), filename="g.csv", by=bari_calls
    )
    with pytest.raises(ValidationError) as error:
        services.submit(submission=submission, by=bari_calls)
    assert error.value.code == "attachments"


def test_attachments_must_be_real_pdfs(call, entities, bari_calls, pdf_file):
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    with pytest.raises(ValidationError):
        services.add_attachment(
            submission=submission,
            name="Determina",
            uploaded_file=pdf_file("d.pdf", b"MZ\x90 not a pdf"),
            by=bari_calls,
        )
    assert not submission.attachments.exists()


def test_the_review_state_machine(ready, bari_calls, reviewer, django_capture_on_commit_callbacks):
    services.submit(submission=ready, by=bari_calls)
    deadline = timezone.now() + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_integration(
            submission=ready, by=reviewer, message="Manca la determina firmata.", deadline=deadline
        )
    ready.refresh_from_db()
    assert ready.state == SubmissionState.INTEGRATION_REQUESTED
    assert "Manca la determina" in mail.outbox[-1].body
    protocol = ready.protocol_number
    services.upload_applicants(
        submission=ready, content=applicants_csv(WORKED_EXAMPLES[:2]), filename="g.csv", by=bari_calls
    )
    services.submit(submission=ready, by=bari_calls)
    ready.refresh_from_db()
    # The integration is a sending of its own: a new number in the register (issue 9).
    assert ready.state == SubmissionState.INTEGRATED and ready.protocol_number != protocol
    assert list(ready.protocol_entries.order_by("sequence").values_list("number", flat=True)) == [
        protocol,
        ready.protocol_number,
    ]
    services.accept(submission=ready, by=reviewer)
    ready.refresh_from_db()
    assert ready.state == SubmissionState.ACCEPTED


def test_a_reviewer_cannot_skip_states(call, entities, bari_calls, reviewer):
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    for action in (
        lambda: services.accept(submission=submission, by=reviewer),
        lambda: services.reject(submission=submission, by=reviewer, reason="x"),
    ):
        with pytest.raises(ValidationError) as error:
            action()
        assert error.value.code == "state"
    submission.refresh_from_db()
    assert submission.state == SubmissionState.DRAFT


def test_each_side_does_only_its_own_transitions(ready, bari_calls, reviewer, region_admin):
    with pytest.raises(PermissionDenied):
        services.submit(submission=ready, by=reviewer)
    services.submit(submission=ready, by=bari_calls)
    with pytest.raises(PermissionDenied):
        services.accept(submission=ready, by=bari_calls)
    with pytest.raises(ValidationError):
        services.reject(submission=ready, by=reviewer, reason="  ")
    services.reject(submission=ready, by=region_admin, reason="Documentazione incompleta")
    assert Submission.objects.get(pk=ready.pk).state == SubmissionState.REJECTED


def test_another_comune_cannot_touch_the_submission(ready, lecce_calls, bari_officer):
    for user in (lecce_calls, bari_officer):  # bari_officer is of the property-register area
        with pytest.raises(PermissionDenied):
            services.upload_applicants(
                submission=ready, content=applicants_csv(WORKED_EXAMPLES), filename="g.csv", by=user
            )
        with pytest.raises(PermissionDenied):
            services.submit(submission=ready, by=user)
        with pytest.raises(PermissionDenied):
            services.set_co_financing(submission=ready, amount=D("1"), by=user)


def test_duplicates_across_comuni_are_found_by_pseudonym_among_sent_lists(
    ready, call, entities, bari_calls, lecce_calls
):
    shared = WORKED_EXAMPLES[1][0]
    lecce = services.open_submission(call=call, comune=entities[LECCE], by=lecce_calls)
    services.upload_applicants(
        submission=lecce,
        content=applicants_csv([applicant(shared), applicant()]),
        filename="g.csv",
        by=lecce_calls,
    )
    assert services.duplicates(lecce) == {}  # Bari's list is a draft: not a list yet
    services.submit(submission=ready, by=bari_calls)
    assert services.duplicates(lecce) == {pseudonymise(shared): ["Bari"]}
    assert services.duplicates(ready) == {}  # Lecce's is still a draft


def test_protocol_numbers_are_gapless_and_per_year(db):
    from django.db import transaction

    with transaction.atomic():
        first = services.next_protocol_number(2026)
        second = services.next_protocol_number(2026)
    try:
        with transaction.atomic():
            services.next_protocol_number(2026)
            raise RuntimeError("submission failed")
    except RuntimeError:
        pass
    with transaction.atomic():
        third = services.next_protocol_number(2026)
        other_year = services.next_protocol_number(2027)
    assert (first, second, third, other_year) == (
        "PUSH/2026/000001",
        "PUSH/2026/000002",
        "PUSH/2026/000003",
        "PUSH/2027/000001",
    )


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="concurrent writers need PostgreSQL (SQLite serialises them)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_comuni_submitting_at_once_get_fifty_distinct_gapless_numbers():
    from django.db import connections, transaction

    from registry.seeding import load_reference_entities

    load_reference_entities()
    numbers, errors = [], []
    barrier = threading.Barrier(50)

    def worker():
        try:
            barrier.wait()
            with transaction.atomic():
                numbers.append(services.next_protocol_number(2030))
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == [f"PUSH/2030/{n:06d}" for n in range(1, 51)]


def test_riparto_from_accepted_submissions_sums_to_the_fund(ready, bari_calls, reviewer, region_admin, call):
    services.submit(submission=ready, by=bari_calls)
    services.accept(submission=ready, by=reviewer)
    Call.objects.filter(pk=call.pk).update(  # 16 million: larger than the need
        state=CallState.CLOSED, fund_base=D("11000000"), fund_premium=D("5000000")
    )
    call.refresh_from_db()
    rows = services.compute_riparto(call=call, by=region_admin)
    again = services.compute_riparto(call=call, by=region_admin)
    assert [(r.comune_id, r.total) for r in rows] == [(r.comune_id, r.total) for r in again]
    call.refresh_from_db()
    assert sum(r.total for r in again) + call.riparto_residual == call.fund_total
    assert again[0].total == ready.need  # the fund is larger than the need
    services.publish_riparto(call=call, by=region_admin)
    with pytest.raises(ValidationError):
        services.compute_riparto(call=call, by=region_admin)
    with pytest.raises(PermissionDenied):
        services.compute_riparto(call=call, by=reviewer)


def test_the_receipt_pdf_travels_with_the_email(ready, bari_calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(submission=ready, by=bari_calls)
    [comune_mail] = [m for m in mail.outbox if "referente.bandi@comune.bari.example.it" in m.to]
    [(name, content, mimetype)] = comune_mail.attachments
    assert name.endswith(".pdf") and mimetype == "application/pdf" and content.startswith(b"%PDF")


ARREARS_HEADERS = [
    "Codice fiscale",
    "Data intimazione sfratto",
    "Morosità",
    "Causa",
    "ISE",
    "ISEE",
    "Importo richiesto",
]


def test_arrears_cases_are_capped_and_checked_against_the_calls_limits(entities, bari_calls):
    call = make_arrears_call()
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    rows = [
        [
            valid_fiscal_code(),
            "15/03/2025",
            "15.400,00",
            "licenziamento",
            "",
            "9.800,00",
            "15.400,00",
        ],  # capped to 12.000
        [valid_fiscal_code(), "01/06/2025", "4.000,00", "Cassa integrazione", "30.000,00", "", "3.500,00"],
    ]
    content = ("\ufeff" + "\r\n".join(";".join(r) for r in [ARREARS_HEADERS, *rows]) + "\r\n").encode("utf-8")
    services.upload_applicants(submission=submission, content=content, filename="morosi.csv", by=bari_calls)
    submission.refresh_from_db()
    assert [case.granted_amount for case in submission.arrears_cases.all()] == [D("12000.00"), D("3500.00")]
    assert submission.need == D("15500.00") and submission.applicant_count == 2

    too_rich = [[valid_fiscal_code(), "15/03/2025", "5.000,00", "malattia", "40.000,00", "30.000,00", "5.000,00"]]
    content = ("\ufeff" + "\r\n".join(";".join(r) for r in [ARREARS_HEADERS, *too_rich]) + "\r\n").encode("utf-8")
    with pytest.raises(services.SubmissionFileInvalid) as error:
        services.upload_applicants(submission=submission, content=content, filename="morosi.csv", by=bari_calls)
    assert error.value.problems[0].column == "ISEE"
    assert submission.arrears_cases.count() == 2
