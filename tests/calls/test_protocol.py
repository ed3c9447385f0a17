"""The protocol register (issue 9): every sending of a submission – the first and each
integration – has its own number and time, issued once and never changed; its receipt is
rendered after the commit, in the background, and stays downloadable as issued; the
Region's reviewers are told of every sending."""

import datetime
import io
import threading
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from pypdf import PdfReader
from rest_framework.test import APIClient

from calls import services
from calls.models import (
    ProtocolEntry,
    ProtocolEntryImmutable,
    ProtocolKind,
    Submission,
    SubmissionState,
)
from registry.models import Area, Membership, Role
from tests.calls.fixtures import ATTACHMENT, WORKED_EXAMPLES, applicants_csv, make_call
from tests.conftest import LECCE, REGION
from tests.factories import member


def pdf_text(field_file) -> str:
    with field_file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def send(submission, by, capture):
    with capture(execute=True):
        services.submit(submission=submission, by=by)
    submission.refresh_from_db()
    return submission


def integrate(submission, *, reviewer, officer, capture, rows=WORKED_EXAMPLES[1:]):
    """The Region asks for an integration; the Comune sends a list whose need is 600,00 €."""
    services.request_integration(
        submission=submission,
        by=reviewer,
        message="Manca la firma.",
        deadline=timezone.now() + datetime.timedelta(days=3),
    )
    services.upload_applicants(submission=submission, content=applicants_csv(rows), filename="g.csv", by=officer)
    return send(submission, officer, capture)


# --- one entry per sending ----------------------------------------------------------------


def test_an_integration_gets_its_own_number_time_and_receipt(
    ready, bari_calls, reviewer, django_capture_on_commit_callbacks
):
    send(ready, bari_calls, django_capture_on_commit_callbacks)
    first = ready.protocol_entries.get()
    first_pdf = first.receipt_pdf.open("rb").read()
    integrate(ready, reviewer=reviewer, officer=bari_calls, capture=django_capture_on_commit_callbacks)

    first_again, second = ready.protocol_entries.order_by("sequence")
    year = timezone.localdate().year
    assert (first_again.number, second.number) == (f"PUSH/{year}/000001", f"PUSH/{year}/000002")
    assert (first_again.kind, second.kind) == (ProtocolKind.SUBMISSION_SENT, ProtocolKind.INTEGRATION_SENT)
    assert second.registered_at > first_again.registered_at
    assert first_again.registered_at == first.registered_at  # the first sending's time is kept
    # The first receipt is the one issued, byte for byte; the second states the new list.
    assert first_again.receipt_pdf.open("rb").read() == first_pdf
    assert first_again.receipt_sha256 != second.receipt_sha256
    assert second.number in pdf_text(second.receipt_pdf)
    assert "3.698,74" in pdf_text(first_again.receipt_pdf) and "3.698,74" not in pdf_text(second.receipt_pdf)
    assert (ready.protocol_number, ready.submitted_at) == (second.number, second.registered_at)


def test_a_protocol_entry_cannot_be_changed_or_deleted(ready, bari_calls, django_capture_on_commit_callbacks):
    send(ready, bari_calls, django_capture_on_commit_callbacks)
    entry = ready.protocol_entries.get()
    entry.registered_at = timezone.now()
    with pytest.raises(ProtocolEntryImmutable):
        entry.save()
    with pytest.raises(ProtocolEntryImmutable):
        entry.delete()
    with pytest.raises(ProtocolEntryImmutable):
        ProtocolEntry.objects.filter(pk=entry.pk).update(number="PUSH/2026/999999")
    with pytest.raises(ProtocolEntryImmutable):
        ProtocolEntry.objects.filter(pk=entry.pk).delete()
    stored = ProtocolEntry.objects.get(pk=entry.pk)
    assert stored.number == ready.protocol_number and stored.receipt_sha256


def test_the_database_refuses_to_change_an_entry_or_its_receipt(ready, bari_calls, django_capture_on_commit_callbacks):
    send(ready, bari_calls, django_capture_on_commit_callbacks)
    entry = ready.protocol_entries.get()
    for statement in (
        "UPDATE calls_protocolentry SET number = 'PUSH/1999/000001' WHERE id = %s",
        "UPDATE calls_protocolentry SET receipt_sha256 = 'forged' WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    stored = ProtocolEntry.objects.get(pk=entry.pk)
    assert (stored.number, stored.receipt_sha256) == (entry.number, entry.receipt_sha256)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the delete guard is PostgreSQL's")
def test_the_database_refuses_to_delete_an_entry(ready, bari_calls, django_capture_on_commit_callbacks):
    send(ready, bari_calls, django_capture_on_commit_callbacks)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM calls_protocolentry")
    assert ProtocolEntry.objects.count() == 1


# --- the receipt, after the commit ---------------------------------------------------------


def test_the_receipt_is_prepared_after_the_commit_and_issued_once(
    client, ready, bari_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit(submission=ready, by=bari_calls)
    entry = ready.protocol_entries.get()
    assert not entry.receipt_pdf and mail.outbox == []  # nothing rendered or mailed inside the transaction
    client.force_login(bari_calls)
    page = client.get(reverse("calls_submission_modeladmin_inspect", args=[ready.pk])).content.decode()
    assert gettext("Receipt being prepared") in page and entry.number in page
    assert client.get(reverse("calls_protocol_receipt", args=[ready.pk, entry.pk])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves the outbox after the commit
        for callback in callbacks:
            callback()
    entry.refresh_from_db()
    sha256 = entry.receipt_sha256
    assert len(sha256) == 64
    assert services.issue_receipt(entry) is False  # a second run issues nothing
    services.send_receipt(entry.pk)
    entry.refresh_from_db()
    assert entry.receipt_sha256 == sha256
    assert len([m for m in mail.outbox if "referente.bandi@comune.bari.example.it" in m.to]) == 1
    page = client.get(reverse("calls_submission_modeladmin_inspect", args=[ready.pk])).content.decode()
    assert gettext("Receipt being prepared") not in page


def test_the_receipt_states_what_was_sent_even_when_rendered_after_a_change(
    ready, bari_calls, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit(submission=ready, by=bari_calls)
    # Before the worker gets to it, the Region asks for an integration and the list changes.
    services.request_integration(
        submission=ready, by=reviewer, message="x", deadline=timezone.now() + datetime.timedelta(days=1)
    )
    services.upload_applicants(
        submission=ready, content=applicants_csv(WORKED_EXAMPLES[1:2]), filename="g.csv", by=bari_calls
    )
    for callback in callbacks:
        callback()
    text = pdf_text(ready.protocol_entries.get().receipt_pdf)
    assert "3.698,74" in text and "1.000,00" in text  # need and co-financing as sent, not as now


# --- downloads -------------------------------------------------------------------------


def test_every_receipt_stays_downloadable_and_the_old_address_gives_the_latest(
    client, ready, bari_calls, reviewer, django_capture_on_commit_callbacks
):
    send(ready, bari_calls, django_capture_on_commit_callbacks)
    integrate(ready, reviewer=reviewer, officer=bari_calls, capture=django_capture_on_commit_callbacks)
    first, second = ready.protocol_entries.order_by("sequence")
    client.force_login(bari_calls)
    for entry in (first, second):
        response = client.get(reverse("calls_protocol_receipt", args=[ready.pk, entry.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == entry.receipt_pdf.open("rb").read()
        assert entry.number.replace("/", "-") in response["Content-Disposition"]
    latest = client.get(reverse("calls_receipt", args=[ready.pk]))
    assert latest.status_code == 200 and second.number.replace("/", "-") in latest["Content-Disposition"]
    page = client.get(reverse("calls_submission_modeladmin_inspect", args=[ready.pk])).content.decode()
    assert reverse("calls_protocol_receipt", args=[ready.pk, first.pk]) in page
    assert reverse("calls_protocol_receipt", args=[ready.pk, second.pk]) in page
    from wagtail.models import ModelLogEntry

    logged = ModelLogEntry.objects.filter(action="push.file.downloaded", object_id=str(ready.pk))
    assert sorted(entry.data["sha256"] for entry in logged) == sorted(
        [first.receipt_sha256, second.receipt_sha256, second.receipt_sha256]
    )


def test_another_comune_cannot_download_a_receipt_by_its_entry(
    client, ready, bari_calls, entities, django_capture_on_commit_callbacks
):
    send(ready, bari_calls, django_capture_on_commit_callbacks)
    entry = ready.protocol_entries.get()
    lecce = services.open_submission(
        call=ready.call, comune=entities[LECCE], by=(lecce_officer := member(LECCE, Role.OFFICER, Area.CALLS))
    )
    client.force_login(lecce_officer)
    assert client.get(reverse("calls_protocol_receipt", args=[ready.pk, entry.pk])).status_code == 404
    # Nor through its own submission's address, naming Bari's entry.
    assert client.get(reverse("calls_protocol_receipt", args=[lecce.pk, entry.pk])).status_code == 404


def test_the_api_lists_the_entries_with_their_receipts(ready, bari_calls, reviewer, django_capture_on_commit_callbacks):
    send(ready, bari_calls, django_capture_on_commit_callbacks)
    integrate(ready, reviewer=reviewer, officer=bari_calls, capture=django_capture_on_commit_callbacks)
    first, second = ready.protocol_entries.order_by("sequence")
    api = APIClient()
    api.force_authenticate(bari_calls)
    body = api.get(f"/api/v1/submissions/{ready.pk}").json()
    assert [(row["number"], row["kind"], row["receipt_sha256"]) for row in body["protocol_entries"]] == [
        (first.number, "submission_sent", first.receipt_sha256),
        (second.number, "integration_sent", second.receipt_sha256),
    ]
    download = api.get(body["protocol_entries"][0]["receipt_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == first.receipt_pdf.open("rb").read()


def test_the_api_schema_describes_the_entries(db):
    schema = APIClient().get(reverse("api-schema"), {"format": "json"})
    assert schema.status_code == 200
    components = schema.json()["components"]["schemas"]
    entries = components["Submission"]["properties"]["protocol_entries"]
    assert entries["type"] == "array" and entries["items"]["$ref"].endswith("/ProtocolEntry")
    assert set(components["ProtocolEntry"]["properties"]) == {
        "id",
        "number",
        "kind",
        "registered_at",
        "receipt_sha256",
        "receipt_url",
    }


# --- the reviewers are told ---------------------------------------------------------------


def test_the_regions_reviewers_are_emailed_at_each_sending(
    ready, bari_calls, reviewer, region_admin, django_capture_on_commit_callbacks
):
    reviewer.email, region_admin.email = "istruttore@regione.puglia.example.it", "admin@regione.puglia.example.it"
    reviewer.save()
    region_admin.save()
    member(REGION, Role.EDITOR, email="redattore@regione.puglia.example.it")  # an editor is not told
    former = member(REGION, Role.REVIEWER, email="ex@regione.puglia.example.it")
    Membership.objects.filter(user=former).update(ended_on=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit(submission=ready, by=bari_calls)
    assert mail.outbox == []  # told after the commit, not before
    with django_capture_on_commit_callbacks(execute=True):  # the outbox's e-mails leave after the commit
        for callback in callbacks:
            callback()
    # One e-mail per person (the notification service), to the reviewers only.
    reviewers_told = [m for m in mail.outbox if "Bari" in m.subject and m.attachments == []]
    assert sorted(address for m in reviewers_told for address in m.to) == sorted([region_admin.email, reviewer.email])
    [told] = [m for m in reviewers_told if reviewer.email in m.to]
    ready.refresh_from_db()
    assert ready.protocol_number in told.subject and "Bari" in told.subject
    link = settings.WAGTAILADMIN_BASE_URL + reverse("calls_submission_modeladmin_inspect", args=[ready.pk])
    assert link in told.body

    mail.outbox.clear()
    integrate(ready, reviewer=reviewer, officer=bari_calls, capture=django_capture_on_commit_callbacks)
    [told_again] = [m for m in mail.outbox if reviewer.email in m.to]
    assert ready.protocol_number in told_again.subject and link in told_again.body


# --- numbers and times under concurrent sendings --------------------------------------------


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="concurrent writers need PostgreSQL (SQLite serialises them)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sendings_get_gapless_numbers_with_times_in_the_same_order(pdf_file):
    from django.db import connections

    from registry.models import Entity, EntityKind
    from registry.seeding import load_reference_entities

    load_reference_entities()
    burst = make_call(title="Concorrenza", closes_at=timezone.now() + datetime.timedelta(days=1))
    drafts = []
    for comune in Entity.objects.filter(kind=EntityKind.COMUNE).order_by("code")[:30]:
        officer = member(comune, Role.OFFICER, Area.CALLS)
        submission = services.open_submission(call=burst, comune=comune, by=officer)
        services.upload_applicants(
            submission=submission, content=applicants_csv(WORKED_EXAMPLES[:1]), filename="g.csv", by=officer
        )
        services.set_co_financing(submission=submission, amount=D("10"), by=officer)
        services.add_attachment(submission=submission, name=ATTACHMENT, uploaded_file=pdf_file(), by=officer)
        drafts.append((submission, officer))
    errors = []
    barrier = threading.Barrier(len(drafts))

    def worker(submission, officer):
        try:
            barrier.wait()
            services.submit(submission=submission, by=officer)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=draft) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entries = list(ProtocolEntry.objects.order_by("sequence"))
    assert [entry.sequence for entry in entries] == list(range(1, len(drafts) + 1))
    times = [entry.registered_at for entry in entries]
    assert times == sorted(times)
    assert all(entry.receipt_sha256 for entry in entries)  # each rendered after its commit
    assert Submission.objects.filter(state=SubmissionState.SUBMITTED).count() == len(drafts)


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks need PostgreSQL (SQLite serialises writers)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sending_under_way_does_not_hold_up_another_comunes(pdf_file, monkeypatch):
    """Two Comuni of the same call: while Bari's sending is between its checks and its
    number, Lecce's goes through (it used to wait, as the call's row was locked for update)."""
    from django.db import connections

    from registry.seeding import load_reference_entities

    load_reference_entities()
    shared = make_call(
        title="Due Comuni", closes_at=timezone.now() + datetime.timedelta(days=1), required_attachments=""
    )
    drafts = {}
    for code in ("072006", "075035"):  # Bari, Lecce
        officer = member(code, Role.OFFICER, Area.CALLS)
        submission = services.open_submission(call=shared, comune=officer.memberships.get().entity, by=officer)
        services.upload_applicants(
            submission=submission, content=applicants_csv(WORKED_EXAMPLES[:1]), filename="g.csv", by=officer
        )
        drafts[code] = (submission, officer)
    bari_inside, bari_may_go = threading.Event(), threading.Event()
    original = services.missing_attachments

    def held_for_bari(submission):
        if submission.comune.code == "072006":
            bari_inside.set()
            bari_may_go.wait(20)
        return original(submission)

    monkeypatch.setattr(services, "missing_attachments", held_for_bari)
    outcome = {}

    def bari():
        try:
            services.submit(submission=drafts["072006"][0], by=drafts["072006"][1])
            outcome["bari"] = "sent"
        except Exception as error:  # asserted below
            outcome["bari"] = repr(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=bari)
    thread.start()
    assert bari_inside.wait(20)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        services.submit(submission=drafts["075035"][0], by=drafts["075035"][1])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        bari_may_go.set()
        thread.join(30)
    assert outcome["bari"] == "sent"
    numbers = dict(ProtocolEntry.objects.values_list("submission__comune__code", "sequence"))
    assert numbers == {"075035": 1, "072006": 2}  # Lecce, not held up, got the first number
