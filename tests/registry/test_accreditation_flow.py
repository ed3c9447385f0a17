"""The accreditation flow end to end, through the web client: request on the public site,
decision in the admin, e-mails, audit log."""

import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from core.notifications.services import send_due
from registry.models import AccreditationRequest, AccreditationState, Area, Entity, Membership, RequestStatus, Role
from tests.conftest import BARI
from tests.factories import valid_fiscal_code
from tests.helpers import assert_refused_by_admin

REQUEST_URL = "/accreditamento/"
User = get_user_model()


def send_queued_then_clear_outbox():
    """The e-mails earlier steps queued (core.notifications' outbox, sent by the worker
    after a commit the test did not run) leave now, and the test looks at what follows."""
    send_due()
    mail.outbox.clear()


def form_data(entity, **overrides):
    data = {
        "first_name": "Lucia",
        "last_name": "De Santis",
        "fiscal_code": valid_fiscal_code(),
        "email": "lucia.desantis@comune.lecce.example.it",
        "entity": entity.pk,
        "role": Role.OFFICER,
        "area": Area.CALLS,
        "privacy": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def post_request(client, data, upload):
    return client.post(REQUEST_URL, {**data, "designation_act": upload})


def error_codes(response, field):
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


def test_public_form_renders_in_italian(client, entities):
    response = client.get(REQUEST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="it">' in html
    assert "Richiedi l’accreditamento a PUSH" in html
    assert "Comune di Lecce (075035)" in html


def test_full_flow_request_then_approval_creates_account_membership_and_sends_set_password_link(
    client, lecce, region_admin, pdf_file, django_capture_on_commit_callbacks
):
    data = form_data(lecce)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_request(client, data, pdf_file())
    assert response.status_code == 302
    sent_page = client.get(response["Location"])
    request_obj = AccreditationRequest.objects.get()
    assert "registry/accreditation_sent.html" in [template.name for template in sent_page.templates]
    assert request_obj.status == RequestStatus.PENDING
    assert request_obj.fiscal_code == data["fiscal_code"]
    assert len(request_obj.designation_act_sha256) == 64
    # The requester gets a receipt with the reference, the regional administrator a notice.
    assert {tuple(message.to) for message in mail.outbox} == {(data["email"],), (region_admin.email,)}
    receipt = next(message for message in mail.outbox if message.to == [data["email"]])
    assert request_obj.reference in receipt.subject and request_obj.designation_act_sha256 in receipt.body
    mail.outbox.clear()

    client.force_login(region_admin)
    inspect = client.get(reverse("registry_accreditationrequest_modeladmin_inspect", args=[request_obj.pk]))
    assert inspect.status_code == 200
    assert reverse("registry_accreditation_approve", args=[request_obj.pk]) in inspect.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry_accreditation_approve", args=[request_obj.pk]))
    assert response.status_code == 302

    request_obj.refresh_from_db()
    user = User.objects.get(fiscal_code=data["fiscal_code"])
    membership = Membership.objects.get(user=user)
    assert request_obj.status == RequestStatus.APPROVED
    assert request_obj.decided_by == region_admin and request_obj.membership == membership
    assert (membership.entity, membership.role, membership.area) == (lecce, Role.OFFICER, Area.CALLS)
    assert not user.has_usable_password()
    assert user.groups.filter(name="Enti · Referenti bandi").exists()
    assert ModelLogEntry.objects.filter(
        action="push.accreditation.approved", object_id=str(request_obj.pk), user=region_admin
    ).exists()

    # The e-mail carries a working set-password link.
    [message] = mail.outbox
    assert message.to == [data["email"]]
    link = re.search(r"http://[^\s]+/admin/set-password/[^\s]+", message.body).group(0)
    client.logout()
    path = link.replace("http://localhost:8000", "")
    response = client.get(path, follow=True)
    assert response.status_code == 200
    set_password_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        set_password_url, {"new_password1": "Una-Password-Lunga-42", "new_password2": "Una-Password-Lunga-42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Una-Password-Lunga-42")
    signed_in = client.post("/admin/login/", {"username": user.username, "password": "Una-Password-Lunga-42"})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"


def test_legal_representative_approval_accredits_the_entity(client, lecce, region_admin, pdf_file):
    post_request(client, form_data(lecce, role=Role.LEGAL_REPRESENTATIVE, area=""), pdf_file())
    request_obj = AccreditationRequest.objects.get()
    client.force_login(region_admin)

    client.post(reverse("registry_accreditation_approve", args=[request_obj.pk]))

    lecce.refresh_from_db()
    assert lecce.accreditation_state == AccreditationState.ACCREDITED
    assert lecce.accredited_on is not None


def test_rejection_needs_a_reason_and_emails_it(
    client, lecce, region_admin, pdf_file, django_capture_on_commit_callbacks
):
    post_request(client, form_data(lecce), pdf_file())
    request_obj = AccreditationRequest.objects.get()
    client.force_login(region_admin)
    url = reverse("registry_accreditation_reject", args=[request_obj.pk])

    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 200 and "reason" in empty.context["form"].errors
    request_obj.refresh_from_db()
    assert request_obj.status == RequestStatus.PENDING

    send_queued_then_clear_outbox()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "L'atto di designazione non è firmato dal legale rappresentante."})
    assert response.status_code == 302
    request_obj.refresh_from_db()
    assert request_obj.status == RequestStatus.REJECTED
    assert not User.objects.filter(fiscal_code=request_obj.fiscal_code).exists()
    assert not Membership.objects.filter(entity=lecce).exists()
    [message] = mail.outbox
    assert "non è firmato" in message.body
    assert ModelLogEntry.objects.filter(action="push.accreditation.rejected", object_id=str(request_obj.pk)).exists()


def test_a_decided_request_cannot_be_decided_again(client, lecce, region_admin, pdf_file):
    post_request(client, form_data(lecce), pdf_file())
    request_obj = AccreditationRequest.objects.get()
    client.force_login(region_admin)
    client.post(reverse("registry_accreditation_approve", args=[request_obj.pk]))

    client.post(reverse("registry_accreditation_reject", args=[request_obj.pk]), {"reason": "Ripensamento"})
    client.post(reverse("registry_accreditation_approve", args=[request_obj.pk]))

    request_obj.refresh_from_db()
    assert request_obj.status == RequestStatus.APPROVED
    assert Membership.objects.filter(entity=lecce).count() == 1


def test_bad_fiscal_code_is_refused_with_its_reason_and_nothing_is_stored(client, lecce, pdf_file):
    good = valid_fiscal_code()
    wrong_check = good[:-1] + ("A" if good[-1] != "A" else "B")

    response = post_request(client, form_data(lecce, fiscal_code=wrong_check), pdf_file())

    assert response.status_code == 400
    assert error_codes(response, "fiscal_code") == ["checksum"]
    assert "L’ultimo carattere del codice fiscale non corrisponde agli altri" in response.content.decode()
    assert not AccreditationRequest.objects.exists()


def test_omocodia_fiscal_code_is_accepted(client, lecce, pdf_file):
    response = post_request(client, form_data(lecce, fiscal_code="RSSMRA85T1LA562V"), pdf_file())
    assert response.status_code == 302
    assert AccreditationRequest.objects.get().fiscal_code == "RSSMRA85T1LA562V"


def test_a_non_pdf_renamed_pdf_is_refused(client, lecce, pdf_file):
    fake = pdf_file("designazione.pdf", b"PK\x03\x04 this is a zip file, or a Word document, renamed")
    response = post_request(client, form_data(lecce), fake)
    assert response.status_code == 400
    assert error_codes(response, "designation_act") == ["not_pdf"]
    assert not AccreditationRequest.objects.exists()


def test_a_damaged_pdf_is_refused(client, lecce, pdf_file):
    damaged = pdf_file("designazione.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\n%%EOF garbage")
    response = post_request(client, form_data(lecce), damaged)
    assert response.status_code == 400
    assert error_codes(response, "designation_act") == ["damaged"]


def test_an_oversized_file_is_refused(client, lecce, pdf_file, settings):
    settings.PUSH_MAX_PDF_BYTES = 50_000
    big = pdf_file("designazione.pdf", b"%PDF-1.7\n" + b"0" * 60_000)
    response = post_request(client, form_data(lecce), big)
    assert response.status_code == 400
    assert error_codes(response, "designation_act") == ["too_large"]
    assert "48,8\xa0KB" in response.content.decode()
    assert not AccreditationRequest.objects.exists()


def test_an_officer_must_choose_an_area(client, lecce, pdf_file):
    response = post_request(client, form_data(lecce, area=""), pdf_file())
    assert response.status_code == 400
    assert "area" in response.context["form"].errors


def test_the_region_cannot_be_requested(client, entities, pdf_file):
    region = Entity.objects.get(kind="region")
    response = post_request(client, form_data(region), pdf_file())
    assert response.status_code == 400
    assert "entity" in response.context["form"].errors


# --- the form is no oracle: the same page whatever PUSH holds, the truth by e-mail ---------

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def sent_page(client, data, upload):
    """Post the form and follow to the page the requester reads; the CSRF token apart."""
    response = post_request(client, data, upload)
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    assert page.status_code == 200
    return response["Location"], CSRF.sub(b"", page.content)


def test_a_fresh_request_gets_the_neutral_page_without_reference(client, lecce, pdf_file):
    location, page = sent_page(client, form_data(lecce), pdf_file())

    assert location == "/accreditamento/inviata/"
    assert AccreditationRequest.objects.get().reference.encode() not in page


def test_a_repeated_pending_request_gets_the_same_page_and_the_details_by_e_mail_only(
    client, lecce, pdf_file, django_capture_on_commit_callbacks
):
    data = form_data(lecce, email="lucia@comune.lecce.example.it")
    fresh_location, fresh = sent_page(client, data, pdf_file())
    pending = AccreditationRequest.objects.get()
    send_queued_then_clear_outbox()

    # Someone else, with their own address, sends a request for Lucia's codice fiscale.
    with django_capture_on_commit_callbacks(execute=True):
        location, page = sent_page(Client(), {**data, "email": "curioso@example.it"}, pdf_file())

    assert (location, page) == (fresh_location, fresh)
    assert pending.reference.encode() not in page
    assert AccreditationRequest.objects.count() == 1
    # The details go to the address on file (the pending request's), not to the one typed.
    [message] = mail.outbox
    assert message.to == ["lucia@comune.lecce.example.it"]
    assert pending.reference in message.body
    assert timezone.localtime(pending.submitted_at).strftime("%d/%m/%Y") in message.body


def test_a_request_for_someone_already_accredited_gets_the_same_page(
    client, entities, pdf_file, bari_officer, django_capture_on_commit_callbacks
):
    _location, fresh = sent_page(client, form_data(entities[BARI], area=Area.PROPERTY_REGISTER), pdf_file())
    send_queued_then_clear_outbox()

    data = form_data(
        entities[BARI], fiscal_code=bari_officer.fiscal_code, email="altro@example.it", area=Area.PROPERTY_REGISTER
    )
    with django_capture_on_commit_callbacks(execute=True):
        _location, page = sent_page(Client(), data, pdf_file())

    assert page == fresh
    assert AccreditationRequest.objects.filter(fiscal_code=bari_officer.fiscal_code).count() == 0
    [message] = mail.outbox
    assert message.to == [bari_officer.email]
    assert bari_officer.username in message.body


def test_an_e_mail_of_another_person_gets_the_same_page_and_only_its_owner_is_told(
    client, lecce, pdf_file, bari_officer, django_capture_on_commit_callbacks
):
    _location, fresh = sent_page(client, form_data(lecce), pdf_file())
    send_queued_then_clear_outbox()

    with django_capture_on_commit_callbacks(execute=True):
        _location, page = sent_page(Client(), form_data(lecce, email=bari_officer.email), pdf_file())

    assert page == fresh
    assert AccreditationRequest.objects.count() == 1
    [message] = mail.outbox
    assert message.to == [bari_officer.email]
    assert bari_officer.fiscal_code not in message.body


def test_a_second_pending_legal_representative_gets_the_same_page(
    client, lecce, pdf_file, django_capture_on_commit_callbacks
):
    _location, fresh = sent_page(client, form_data(lecce, role=Role.LEGAL_REPRESENTATIVE, area=""), pdf_file())
    send_queued_then_clear_outbox()

    second = form_data(lecce, role=Role.LEGAL_REPRESENTATIVE, area="", email="altro@example.it")
    with django_capture_on_commit_callbacks(execute=True):
        _location, page = sent_page(Client(), second, pdf_file())

    assert page == fresh
    assert AccreditationRequest.objects.count() == 1
    [message] = mail.outbox
    assert message.to == ["altro@example.it"]


def test_the_sent_page_cannot_be_opened_without_sending(client, entities):
    response = client.get("/accreditamento/inviata/")
    assert response.status_code == 302
    assert response["Location"] == REQUEST_URL


# --- the throttle: per client address, shared cache, before the upload is parsed ------------


@pytest.fixture
def three_requests_an_hour(behind_proxy, settings):
    settings.PUSH_ACCREDITATION_REQUESTS_PER_HOUR = 3


def post_from(address, data, upload):
    # Every request reaches the application from the proxy (REMOTE_ADDR); the client's
    # address is the hop the proxy appended, after whatever the client wrote itself.
    return Client(REMOTE_ADDR="10.0.0.1").post(
        REQUEST_URL, {**data, "designation_act": upload}, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {address}"
    )


def test_the_throttle_refuses_the_request_beyond_the_limit_from_one_client_address(
    three_requests_an_hour, lecce, pdf_file
):
    for n in range(3):
        response = post_from("203.0.113.7", form_data(lecce, email=f"persona{n}@example.it"), pdf_file())
        assert response.status_code == 302

    refused = post_from("203.0.113.7", form_data(lecce, email="persona9@example.it"), pdf_file())

    assert refused.status_code == 429
    assert AccreditationRequest.objects.count() == 3
    # Another client behind the same proxy is not affected.
    other = post_from("198.51.100.20", form_data(lecce, email="altra@example.it"), pdf_file())
    assert other.status_code == 302
    assert AccreditationRequest.objects.count() == 4


def test_the_refusal_says_why_in_the_visitors_language(three_requests_an_hour, lecce, pdf_file):
    client = Client(REMOTE_ADDR="10.0.0.1")
    for n in range(4):
        response = client.post(
            "/en/accreditamento/",
            {**form_data(lecce, email=f"p{n}@example.it"), "designation_act": pdf_file()},
            HTTP_X_FORWARDED_FOR="203.0.113.8",
        )
    assert response.status_code == 429
    assert "Too many requests from your connection: try again in an hour." in response.content.decode()


def test_a_throttled_request_is_refused_before_its_upload_is_parsed(three_requests_an_hour, lecce, pdf_file):
    for n in range(3):
        post_from("203.0.113.9", form_data(lecce, email=f"q{n}@example.it"), pdf_file())

    with mock.patch.object(MultiPartParser, "parse", side_effect=AssertionError("the upload was parsed")):
        refused = post_from("203.0.113.9", form_data(lecce, email="q9@example.it"), pdf_file())

    assert refused.status_code == 429


def test_the_form_still_refuses_posts_without_csrf_token(lecce, pdf_file):
    client = Client(enforce_csrf_checks=True)
    response = client.post(REQUEST_URL, {**form_data(lecce), "designation_act": pdf_file()})
    assert response.status_code == 403
    assert not AccreditationRequest.objects.exists()


def test_a_new_legal_representative_replaces_the_previous_one(client, lecce, region_admin, pdf_file, lecce_legal_rep):
    post_request(client, form_data(lecce, role=Role.LEGAL_REPRESENTATIVE, area=""), pdf_file())
    client.force_login(region_admin)
    client.post(reverse("registry_accreditation_approve", args=[AccreditationRequest.objects.get().pk]))

    active = Membership.objects.active().filter(entity=lecce, role=Role.LEGAL_REPRESENTATIVE)
    assert active.count() == 1
    assert active.get().user != lecce_legal_rep
    ended = Membership.objects.get(user=lecce_legal_rep)
    assert ended.ended_on is not None
    assert ModelLogEntry.objects.filter(action="push.membership.ended", object_id=str(ended.pk)).exists()


def test_only_regional_administrators_decide(client, lecce, pdf_file, reviewer, lecce_legal_rep):
    post_request(client, form_data(lecce), pdf_file())
    request_obj = AccreditationRequest.objects.get()
    for user in (reviewer, lecce_legal_rep):
        client.force_login(user)
        assert_refused_by_admin(client.post(reverse("registry_accreditation_approve", args=[request_obj.pk])))
        assert_refused_by_admin(
            client.post(reverse("registry_accreditation_reject", args=[request_obj.pk]), {"reason": "x"})
        )
    request_obj.refresh_from_db()
    assert request_obj.status == RequestStatus.PENDING


def test_approve_needs_post(client, lecce, pdf_file, region_admin):
    post_request(client, form_data(lecce), pdf_file())
    client.force_login(region_admin)
    response = client.get(reverse("registry_accreditation_approve", args=[AccreditationRequest.objects.get().pk]))
    assert response.status_code == 405
    assert AccreditationRequest.objects.get().status == RequestStatus.PENDING


def test_the_form_is_available_in_english(client, lecce, pdf_file):
    response = client.post(
        "/en/accreditamento/", {**form_data(lecce, fiscal_code="RSSMRA85T10A562T"), "designation_act": pdf_file()}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "The last character of the codice fiscale does not match the others" in html


def test_robots_filling_the_hidden_field_are_refused(client, lecce, pdf_file):
    response = post_request(client, form_data(lecce, website="http://spam.example"), pdf_file())
    assert response.status_code == 400
    assert not AccreditationRequest.objects.exists()
