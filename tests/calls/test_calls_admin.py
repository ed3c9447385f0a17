"""The calls in the admin, through the web client: a Comune prepares and sends, the Region
reviews and splits; and from the attacker's side, another Comune reaches for it all."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.contrib.messages import ERROR, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry

from calls import call_lifecycle, services
from calls.models import Call, Submission, SubmissionState
from core.exports import EXPORT_ACTION
from registry.models import Role
from tests.calls.fixtures import ATTACHMENT, WORKED_EXAMPLES, action, applicants_csv, confirm
from tests.conftest import BARI, LECCE
from tests.factories import member
from tests.helpers import (
    assert_bad_request,
    assert_not_found,
    assert_not_shown,
    assert_redirects_to_login,
    assert_refused_by_admin,
)


def test_a_comune_prepares_and_sends_through_the_admin(client, sent):
    assert sent.state == SubmissionState.SUBMITTED and sent.protocol_number
    assert sent.need == D("3698.74") and sent.co_financing == D("800.00")
    page = client.get(reverse("calls_submission_modeladmin_inspect", args=[sent.pk])).content.decode()
    assert sent.protocol_number in page
    assert "3.698,74" in page  # the need, in Italian format
    receipt = client.get(reverse("calls_receipt", args=[sent.pk]))
    assert receipt.status_code == 200 and b"".join(receipt.streaming_content).startswith(b"%PDF")


def test_a_malformed_list_shows_its_problems_and_changes_nothing(client, call, entities, bari_calls):
    client.force_login(bari_calls)
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    bad = applicants_csv([["RSSMRA85T10A562T", "3", "no", "no", "no", "1.000,00", "", "2.000,00", "14", "X"]])
    response = action(client, submission, "applicants", {"file": SimpleUploadedFile("g.csv", bad)})
    page = client.get(response["Location"]).content.decode()
    assert "Codice fiscale" in page and "Mesi" in page
    submission.refresh_from_db()
    assert submission.applicant_count == 0


def test_review_through_the_admin(client, sent, reviewer, django_capture_on_commit_callbacks):
    client.force_login(reviewer)
    queue = client.get(reverse("calls_submission_modeladmin_index") + "?state__exact=submitted").content.decode()
    assert "Bari" in queue
    deadline = (timezone.localtime() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    with django_capture_on_commit_callbacks(execute=True):
        action(client, sent, "request_integration", {"message": "Allegare la determina firmata.", "deadline": deadline})
    sent.refresh_from_db()
    assert sent.state == SubmissionState.INTEGRATION_REQUESTED
    response = confirm(client, sent, "accept")  # not allowed from this state: refused, nothing changes
    assert response.status_code == 302 and response["Location"].endswith(f"/inspect/{sent.pk}/")
    with translation.override("it"):
        expected = gettext("This cannot be done to a submission in state “%(state)s”.") % {
            "state": SubmissionState.INTEGRATION_REQUESTED.label
        }
    last = list(get_messages(response.wsgi_request))[-1]  # after the integration's own success message
    assert (last.level, last.message.strip()) == (ERROR, expected)
    sent.refresh_from_db()
    assert sent.state == SubmissionState.INTEGRATION_REQUESTED


def test_riparto_in_the_admin_exports_and_publishes(client, sent, reviewer, region_admin):
    services.accept(submission=sent, by=reviewer)
    call_lifecycle.move_call(sent.call, "close", region_admin)
    client.force_login(region_admin)
    url = reverse("calls_riparto", args=[sent.call_id])
    client.post(url, {"action": "compute"})
    page = client.get(url).content.decode()
    assert "<td>1.500,00</td>" in page  # Bari's total: the whole fund, in Italian format
    assert "1.500,00 €" in page and "1.000,00 €" in page  # the fund and its base share, likewise
    csv_text = client.get(url + "?export=csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith("Bari;072006;3698,74;800,00;")
    assert b"".join(client.get(url + "?export=pdf").streaming_content).startswith(b"%PDF")
    exports = ModelLogEntry.objects.filter(action=EXPORT_ACTION, user=region_admin).order_by("pk")
    assert [(entry.data["list"], entry.data["format"], entry.data["rows"]) for entry in exports] == [
        (f"calls.riparto:{sent.call_id}", "csv", 1),
        (f"calls.riparto:{sent.call_id}", "pdf", 1),
    ]
    client.post(reverse("calls_riparto_publish", args=[sent.call_id]), {"confirm": "yes"})
    assert Call.objects.get(pk=sent.call_id).riparto_published_at is not None


# --- from the attacker's side ----------------------------------------------------------


def test_another_comune_cannot_reach_the_submission_or_its_files(client, sent, lecce_calls, bari_officer, outsider):
    attachment = sent.attachments.get()
    urls = [
        reverse("calls_submission_modeladmin_inspect", args=[sent.pk]),
        reverse("calls_submission_modeladmin_history", args=[sent.pk]),
        reverse("calls_submission_modeladmin_edit", args=[sent.pk]),
        reverse("calls_submission_modeladmin_delete", args=[sent.pk]),
        reverse("calls_receipt", args=[sent.pk]),
        reverse("calls_applicants_file", args=[sent.pk]),
        reverse("calls_attachment", args=[sent.pk, attachment.pk]),
    ]
    modeladmin_urls, download_urls = urls[:4], urls[4:]
    leaked = (sent.protocol_number,)
    # Lecce's calls officer: Bari's submission is outside her scope, so it does not exist.
    client.force_login(lecce_calls)
    for url in urls:
        assert_not_found(client.get(url), leaked=leaked)
    for name in ("submit", "co_financing", "accept", "reject"):
        assert_not_found(action(client, sent, name, {"amount": "1", "reason": "x"}))
    # Bari's property-register officer: in scope, but without any permission on submissions.
    client.cookies.clear()  # another person, another browser
    client.force_login(bari_officer)
    for url in modeladmin_urls:
        assert_refused_by_admin(client.get(url), leaked=leaked)
    for url in download_urls:
        assert_not_found(client.get(url), leaked=leaked)
    for name in ("submit", "co_financing", "accept", "reject"):
        assert_not_found(action(client, sent, name, {"amount": "1", "reason": "x"}))
    # Someone signed in without any membership: not even the admin.
    client.cookies.clear()
    client.force_login(outsider)
    for url in urls:
        assert_redirects_to_login(client.get(url))
    for name in ("submit", "co_financing", "accept", "reject"):
        assert_redirects_to_login(action(client, sent, name, {"amount": "1", "reason": "x"}))
    sent.refresh_from_db()
    assert sent.co_financing == D("800.00") and sent.state == SubmissionState.SUBMITTED


def test_another_comunes_list_and_exports_show_nothing_of_bari(client, sent, lecce_calls):
    client.cookies.clear()  # another person, another browser: not Bari's pending messages
    client.force_login(lecce_calls)
    index = reverse("calls_submission_modeladmin_index")
    for suffix in ("", "?export=csv", "?export=xlsx"):
        response = client.get(index + suffix)
        assert response.status_code == 200
        assert_not_shown(response, sent.protocol_number, "3698", "3.698")
    # Not a declared filter of the list: refused before it could reach the rows.
    for suffix in (f"?comune__id__exact={sent.comune_id}", f"?comune__id__exact={sent.comune_id}&export=csv"):
        assert_bad_request(client.get(index + suffix), leaked=(sent.protocol_number, "3698", "3.698"))


def test_unpublished_riparto_is_hidden_from_the_comuni(client, sent, lecce_calls, bari_calls):
    for user in (lecce_calls, bari_calls):
        client.force_login(user)
        assert_not_found(client.get(reverse("calls_riparto", args=[sent.call_id])))
        assert_not_found(client.post(reverse("calls_riparto", args=[sent.call_id]), {"action": "compute"}))


def test_a_comune_cannot_open_a_submission_for_another_comune(client, call, entities, lecce_calls):
    client.force_login(lecce_calls)
    response = client.post(
        reverse("calls_submission_modeladmin_create"), {"call": call.pk, "comune": entities[BARI].pk}
    )
    assert response.status_code == 200 and "comune" in response.context["form"].errors
    assert not Submission.objects.exists()


def test_editors_publish_calls_but_comuni_do_not(client, entities, lecce_calls):
    from tests.conftest import REGION

    editor = member(REGION, Role.EDITOR)
    client.force_login(editor)
    assert client.get(reverse("calls_call_modeladmin_create")).status_code == 200
    client.force_login(lecce_calls)
    assert_refused_by_admin(client.get(reverse("calls_call_modeladmin_create")))


def test_the_region_grants_an_extension_from_the_call_page_and_a_comune_cannot(
    client, call, entities, region_admin, lecce_calls
):
    from calls.models import DeadlineExtension

    url = reverse("calls_call_action", args=[call.pk, "extension"])
    data = {
        "comune": entities[LECCE].pk,
        "closes_at": (timezone.localtime(call.closes_at) + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "reason": "Alluvione",
    }
    client.force_login(lecce_calls)
    assert_refused_by_admin(client.post(url, data))
    assert not DeadlineExtension.objects.exists()
    client.force_login(region_admin)
    assert client.post(url, data).status_code == 302
    assert DeadlineExtension.objects.get().comune == entities[LECCE]
    assert "Alluvione" in client.get(reverse("calls_call_modeladmin_inspect", args=[call.pk])).content.decode()


# --- the guided sequence of a Comune's submission ------------------------------------------


def test_the_submission_page_guides_the_comune_step_by_step(client, call, entities, bari_calls, pdf_file):
    client.force_login(bari_calls)
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    page_url = reverse("calls_submission_modeladmin_inspect", args=[submission.pk])

    def page():
        return client.get(page_url).content.decode()

    html = page()
    assert 'aria-current="step">1.' in html  # the list is the current step
    assert 'id="step-list"' in html and 'id="column-guide"' in html
    assert reverse("calls_list_template", args=[call.pk, "xlsx"]) in html
    assert 'id="step-co_financing"' not in html and 'id="step-attachments"' not in html
    with translation.override("it"):
        assert gettext("Inspecting") not in html  # "Controllo in corso": nothing is being checked
    action(client, submission, "applicants", {"file": SimpleUploadedFile("g.csv", applicants_csv(WORKED_EXAMPLES))})
    html = page()
    assert 'aria-current="step">2.' in html and 'id="step-co_financing"' in html
    assert 'id="step-attachments"' not in html
    action(client, submission, "co_financing", {"amount": "15.000,00"})
    html = page()
    assert 'aria-current="step">3.' in html and 'value="15.000,00"' in html  # shown back the Italian way
    ids = re.findall(r'\sid="([^"]+)"', html)  # every step's form on one page: no id twice
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert re.findall(r'for="(id_\w+_file)"', html) == ["id_list_file", "id_attachment_file"], re.findall(
        r'for="([^"]+)"', html
    )
    action(client, submission, "attachment", {"name": ATTACHMENT, "file": pdf_file()})
    html = page()
    assert 'aria-current="step">4.' in html
    assert reverse("calls_submission_confirm", args=[submission.pk, "submit"]) in html


def test_a_zero_co_financing_saved_is_a_step_done(client, call, entities, bari_calls):
    client.force_login(bari_calls)
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    action(client, submission, "applicants", {"file": SimpleUploadedFile("g.csv", applicants_csv(WORKED_EXAMPLES))})
    action(client, submission, "co_financing", {"amount": "0,00"})
    html = client.get(reverse("calls_submission_modeladmin_inspect", args=[submission.pk])).content.decode()
    assert 'aria-current="step">3.' in html


def test_the_column_guide_lists_every_column_the_reader_accepts(client, call, entities, bari_calls):
    from calls.applicants import APPLICANT_COLUMNS

    client.force_login(bari_calls)
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    html = client.get(reverse("calls_submission_modeladmin_inspect", args=[submission.pk])).content.decode()
    guide = html[html.index('id="column-guide"') :]
    for column in APPLICANT_COLUMNS:
        assert f'<th scope="row">{column.header}</th>' in guide, column.header


def test_the_list_template_has_the_columns_the_reader_accepts(client, call, bari_calls):
    from calls.applicants import APPLICANT_COLUMNS

    client.force_login(bari_calls)
    csv_response = client.get(reverse("calls_list_template", args=[call.pk, "csv"]))
    assert csv_response.status_code == 200
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";") == [column.header for column in APPLICANT_COLUMNS]
    xlsx = client.get(reverse("calls_list_template", args=[call.pk, "xlsx"]))
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content).startswith(b"PK")


@pytest.mark.parametrize("typed", ["15.000,00", "15000,00", "15000"])
def test_the_co_financing_is_read_and_shown_the_italian_way(client, call, entities, bari_calls, typed):
    client.force_login(bari_calls)
    submission = services.open_submission(call=call, comune=entities[BARI], by=bari_calls)
    action(client, submission, "co_financing", {"amount": typed})
    submission.refresh_from_db()
    assert submission.co_financing == D("15000.00")
    html = client.get(reverse("calls_submission_modeladmin_inspect", args=[submission.pk])).content.decode()
    assert 'value="15.000,00"' in html
