"""Irreversible steps, driven as an officer does them: a page with the summary of what is
sent or decided (amounts as 1.234,56 €), and a POST that acts only with its confirm field."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from calls import call_lifecycle, services
from calls.models import Call, Submission, SubmissionState
from tests.calls.fixtures import ATTACHMENT, WORKED_EXAMPLES, action, applicants_csv, confirm
from tests.conftest import BARI
from tests.helpers import assert_not_found, assert_refused_by_admin


@pytest.fixture
def prepared(client, call, entities, bari_calls, pdf_file):
    """Bari's submission ready to be sent: list, co-financing typed the Italian way, attachment."""
    client.force_login(bari_calls)
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    action(
        client,
        submission,
        "applicants",
        {"file": SimpleUploadedFile("graduatoria.csv", applicants_csv(WORKED_EXAMPLES))},
    )
    action(client, submission, "co_financing", {"amount": "15.000,00"})
    action(client, submission, "attachment", {"name": ATTACHMENT, "file": pdf_file()})
    submission.refresh_from_db()
    assert submission.co_financing == D("15000.00") and submission.applicant_count == 3
    return submission


def confirm_url(submission, name):
    return reverse("calls_submission_confirm", args=[submission.pk, name])


# --- sending ------------------------------------------------------------------------------


def test_the_send_page_shows_what_will_be_sent_in_italian_format(client, prepared):
    page = client.get(confirm_url(prepared, "submit"))
    assert page.status_code == 200
    html = page.content.decode()
    for figure in (
        "Bari",  # the Comune
        "Fondo sostegno locazioni 2025",  # the call
        "3.698,74 €",  # the need
        "15.000,00 €",  # the co-financing, read from "15.000,00"
        "3.098,74 €",  # band A's need
        "600,00 €",  # band B's need
        ATTACHMENT,
        'name="confirm" value="yes"',
    ):
        assert figure in html, figure
    assert "<td>3</td>" in html  # applicants
    assert "<td>2</td>" in html  # eligible
    assert Submission.objects.get(pk=prepared.pk).state == SubmissionState.DRAFT  # looking sends nothing


def test_a_post_without_confirm_sends_nothing(client, prepared):
    response = client.post(confirm_url(prepared, "submit"))
    assert response.status_code == 200  # the summary again, with a warning
    prepared.refresh_from_db()
    assert prepared.state == SubmissionState.DRAFT and prepared.protocol_number is None
    # The old action address no longer sends: it leads to the confirmation page.
    response = action(client, prepared, "submit")
    assert response.status_code == 302 and response["Location"] == confirm_url(prepared, "submit")
    prepared.refresh_from_db()
    assert prepared.state == SubmissionState.DRAFT and prepared.protocol_number is None


def test_a_post_with_confirm_sends(client, prepared, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, prepared, "submit")
    assert response.status_code == 302 and response["Location"].endswith(f"/inspect/{prepared.pk}/")
    prepared.refresh_from_db()
    assert prepared.state == SubmissionState.SUBMITTED and prepared.protocol_number


def test_the_send_page_of_another_comune_does_not_exist(client, prepared, lecce_calls):
    client.force_login(lecce_calls)
    assert_not_found(client.get(confirm_url(prepared, "submit")), leaked=("3.698,74", "15.000,00"))
    assert_not_found(client.post(confirm_url(prepared, "submit"), {"confirm": "yes"}))
    prepared.refresh_from_db()
    assert prepared.state == SubmissionState.DRAFT


# --- accepting and rejecting ----------------------------------------------------------------


def test_the_accept_page_shows_the_decision_and_acts_only_when_confirmed(client, sent, reviewer):
    client.force_login(reviewer)
    html = client.get(confirm_url(sent, "accept")).content.decode()
    assert "3.698,74 €" in html and "800,00 €" in html and sent.protocol_number in html
    client.post(confirm_url(sent, "accept"))
    sent.refresh_from_db()
    assert sent.state == SubmissionState.SUBMITTED
    action(client, sent, "accept")  # the old address: to the confirmation page, nothing decided
    sent.refresh_from_db()
    assert sent.state == SubmissionState.SUBMITTED
    confirm(client, sent, "accept")
    sent.refresh_from_db()
    assert sent.state == SubmissionState.ACCEPTED


def test_the_reject_page_asks_for_the_reason_and_acts_only_when_confirmed(client, sent, reviewer):
    client.force_login(reviewer)
    html = client.get(confirm_url(sent, "reject")).content.decode()
    assert "3.698,74 €" in html and 'name="reason"' in html
    client.post(confirm_url(sent, "reject"), {"reason": "Determina non firmata"})  # no confirm
    sent.refresh_from_db()
    assert sent.state == SubmissionState.SUBMITTED
    confirm(client, sent, "reject")  # confirmed, without a reason
    sent.refresh_from_db()
    assert sent.state == SubmissionState.SUBMITTED
    confirm(client, sent, "reject", {"reason": "Determina non firmata"})
    sent.refresh_from_db()
    assert sent.state == SubmissionState.REJECTED and sent.decision_reason == "Determina non firmata"


def test_a_comune_cannot_accept_its_own_submission_from_the_confirmation_page(client, sent, bari_calls):
    client.force_login(bari_calls)
    assert_refused_by_admin(confirm(client, sent, "accept"))
    sent.refresh_from_db()
    assert sent.state == SubmissionState.SUBMITTED


# --- publishing the riparto -------------------------------------------------------------------


@pytest.fixture
def computed(sent, reviewer, region_admin):
    services.accept(submission=sent, by=reviewer)
    call_lifecycle.move_call(sent.call, "close", region_admin)
    services.compute_riparto(call=sent.call, by=region_admin)
    return Call.objects.get(pk=sent.call_id)


def test_the_publish_page_shows_the_totals_to_the_cent(client, computed, region_admin):
    client.force_login(region_admin)
    html = client.get(reverse("calls_riparto_publish", args=[computed.pk])).content.decode()
    assert '<td id="riparto-comuni">1</td>' in html
    assert '<td id="riparto-fund">1.500,00 €</td>' in html  # base 1.000 + premium 500
    # Bari's need (3.698,74) is more than the fund: it takes all of it.
    assert '<td id="riparto-allocated"><strong>1.500,00 €</strong></td>' in html
    computed.refresh_from_db()
    assert computed.riparto_published_at is None


def test_publishing_needs_the_confirmation(client, computed, region_admin):
    client.force_login(region_admin)
    riparto = reverse("calls_riparto", args=[computed.pk])
    # The riparto page offers the confirmation page, not a publishing form.
    page = client.get(riparto).content.decode()
    assert reverse("calls_riparto_publish", args=[computed.pk]) in page
    assert 'value="publish"' not in page
    client.post(riparto, {"action": "publish"})  # the old form's POST
    client.post(reverse("calls_riparto_publish", args=[computed.pk]))  # without confirm
    computed.refresh_from_db()
    assert computed.riparto_published_at is None
    client.post(reverse("calls_riparto_publish", args=[computed.pk]), {"confirm": "yes"})
    computed.refresh_from_db()
    assert computed.riparto_published_at is not None and computed.state == "allocated"
    assert ModelLogEntry.objects.filter(action="push.call.allocate", user=region_admin).count() == 1
