"""The notifications a person sees and chooses: the in-admin list with the unread count, the
preferences (e-mail at once, daily digest, none), the language of the e-mail, and
/api/v1/notifications, each scoped to the person."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from wagtail.users.models import UserProfile

from core.notifications import notify
from core.notifications.kinds import all_kinds
from core.notifications.models import Delivery, DeliveryMode, Notification, NotificationPreference
from registry.models import Area, Role
from tests.conftest import BARI
from tests.factories import member


@pytest.fixture
def colleague(entities):
    """Another calls officer of Bari: a person of the same Comune, with notifications of their own."""
    return member(BARI, Role.OFFICER, Area.CALLS, email="collega.bandi@comune.bari.example.it")


def tell(user, call, **extra):
    return notify(kind="riparto_published", recipients=[user], context={"call_id": call.pk}, url="/admin/", **extra)


def test_every_kind_declares_its_three_templates():
    from django.template.loader import get_template

    assert {"submission_sent", "deadline_reminder", "accreditation_approved", "digest"} <= set(all_kinds())
    for key in all_kinds():
        for name in ("subject.txt", "body.txt", "body.html"):
            get_template(f"notifications/{key}/{name}")


def test_the_e_mail_is_multipart_in_italian_in_the_pa_layout(bari_calls, call, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell(bari_calls, call)
    [message] = mail.outbox
    assert message.to == [bari_calls.email]
    assert "riparto" in message.subject and str(call) in message.subject
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="it">' in html and "Regione Puglia – Sezione Politiche Abitative" in html
    assert "background-color:#0066cc" in html  # the PA blue, inline for mail clients
    assert "http://localhost:8000/admin/" in html and "http://localhost:8000/admin/" in message.body
    assert "<" not in message.body  # the text part is plain text


def test_the_e_mail_is_in_the_language_the_person_chose(bari_calls, call, django_capture_on_commit_callbacks):
    profile = UserProfile.get_for_user(bari_calls)
    profile.preferred_language = "en"
    profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        tell(bari_calls, call)
    [message] = mail.outbox
    [(html, _mimetype)] = message.alternatives
    assert '<html lang="en">' in html
    assert Delivery.objects.get().language == "en"


def test_a_person_who_wants_no_e_mail_still_sees_the_notification(bari_calls, call, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=bari_calls, kind="riparto_published", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tell(bari_calls, call) == 1
    assert mail.outbox == [] and not Delivery.objects.exists()
    assert Notification.objects.filter(recipient=bari_calls, read_at__isnull=True).count() == 1


def test_the_daily_digest_gathers_the_day_in_one_e_mail_once(bari_calls, call, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=bari_calls, kind="riparto_published", mode=DeliveryMode.DIGEST)
    NotificationPreference.objects.create(user=bari_calls, kind="deadline_reminder", mode=DeliveryMode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        tell(bari_calls, call)
        notify(
            kind="deadline_reminder",
            recipients=[bari_calls],
            context={
                "call_id": call.pk,
                "comune_id": bari_calls.memberships.first().entity_id,
                "days": 3,
                "deadline": call.closes_at,
            },
        )
    assert mail.outbox == []  # nothing at once

    call_command("send_notification_digests")
    call_command("send_notification_digests")  # a second run has nothing left to gather
    [digest] = mail.outbox
    assert digest.to == [bari_calls.email]
    assert str(call) in digest.body and digest.body.count(str(call)) >= 2  # both notifications, one e-mail
    assert Notification.objects.filter(recipient=bari_calls, digest_pending=True).count() == 0


def test_preferences_are_chosen_on_the_persons_own_screen(client, bari_calls, call, django_capture_on_commit_callbacks):
    client.force_login(bari_calls)
    page = client.get(reverse("push_notification_preferences"))
    assert page.status_code == 200
    form = page.context["form"]
    assert "accreditation_approved" not in form.fields  # sign-in links always come by e-mail
    data = {name: field.initial for name, field in form.fields.items()}
    data["riparto_published"] = "none"
    data["deadline_reminder"] = "digest"
    assert client.post(reverse("push_notification_preferences"), data).status_code == 302
    assert NotificationPreference.objects.get(user=bari_calls, kind="riparto_published").email is False
    assert NotificationPreference.objects.get(user=bari_calls, kind="deadline_reminder").mode == DeliveryMode.DIGEST
    with django_capture_on_commit_callbacks(execute=True):
        tell(bari_calls, call)
    assert mail.outbox == []


def test_the_list_shows_ones_own_notifications_with_the_unread_count(client, bari_calls, colleague, call):
    tell(bari_calls, call)
    tell(bari_calls, call)
    notify(kind="riparto_published", recipients=[colleague], context={"call_id": call.pk}, url="/admin/?n=del-collega")
    client.force_login(bari_calls)
    page = client.get(reverse("push_notifications"))
    assert len(page.context["rows"]) == 2 and page.context["unread_count"] == 2
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'data-unread="2"' in menu or "(2)" in menu

    mine = Notification.objects.filter(recipient=bari_calls).first()
    response = client.post(reverse("push_notification_open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get(reverse("push_notifications")).context["unread_count"] == 1
    client.post(reverse("push_notification_read_all"))
    assert Notification.objects.filter(recipient=bari_calls, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=colleague, read_at__isnull=True).count() == 1  # not theirs


def test_an_officer_cannot_open_or_mark_another_persons_notification(client, bari_calls, colleague, call):
    notify(kind="riparto_published", recipients=[colleague], context={"call_id": call.pk}, url="/admin/?n=del-collega")
    theirs = Notification.objects.get(recipient=colleague)
    client.force_login(bari_calls)
    assert client.post(reverse("push_notification_open", args=[theirs.pk])).status_code == 404
    assert (
        "del-collega" not in client.get(reverse("push_notifications") + f"?recipient={colleague.pk}").content.decode()
    )
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_outside_address_is_never_the_target_of_opening(client, bari_calls, call):
    notify(kind="riparto_published", recipients=[bari_calls], context={"call_id": call.pk}, url="https://evil.example/")
    client.force_login(bari_calls)
    response = client.post(reverse("push_notification_open", args=[Notification.objects.get().pk]))
    assert response["Location"] == reverse("push_notifications")


def test_a_dedupe_key_notifies_each_person_once(bari_calls, colleague, call):
    assert notify(kind="riparto_published", recipients=[bari_calls], context={"call_id": call.pk}, dedupe_key="k") == 1
    assert (
        notify(
            kind="riparto_published", recipients=[bari_calls, colleague], context={"call_id": call.pk}, dedupe_key="k"
        )
        == 1
    )
    assert Notification.objects.filter(dedupe_key="k").count() == 2
    assert Delivery.objects.count() == 2


def test_an_unknown_kind_is_refused_at_once(bari_calls):
    with pytest.raises(ValueError):
        notify(kind="no_such_kind", recipients=[bari_calls])


# --- API ----------------------------------------------------------------------------------


def test_the_api_lists_ones_own_notifications_and_marks_them_read(api, bari_calls, colleague, call):
    tell(bari_calls, call)
    tell(bari_calls, call)
    notify(kind="riparto_published", recipients=[colleague], context={"call_id": call.pk}, url="/admin/?n=del-collega")
    api.force_authenticate(bari_calls)
    listed = api.get("/api/v1/notifications").json()
    assert listed["count"] == 2 and "del-collega" not in str(listed)
    first = listed["results"][0]
    assert first["read"] is False and "riparto" in first["subject"].lower()

    marked = api.post(f"/api/v1/notifications/{first['id']}/read")
    assert marked.status_code == 200 and marked.json()["read"] is True
    assert api.get("/api/v1/notifications?unread=true").json()["count"] == 1
    assert api.get("/api/v1/notifications?unread=false").json()["count"] == 1
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert Notification.objects.filter(recipient=colleague, read_at__isnull=True).count() == 1


def test_the_api_answers_another_persons_notification_as_a_problem_404(api, bari_calls, colleague, call):
    tell(colleague, call)
    theirs = Notification.objects.get(recipient=colleague)
    api.force_authenticate(bari_calls)
    for response in (
        api.get(f"/api/v1/notifications/{theirs.pk}"),
        api.post(f"/api/v1/notifications/{theirs.pk}/read"),
    ):
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api.get("/api/v1/notifications?unread=maybe").status_code == 400


def test_the_api_refuses_anonymous_callers(api):
    response = api.get("/api/v1/notifications")
    assert response.status_code == 401 and response["Content-Type"].startswith("application/problem+json")


def test_the_schema_documents_the_notifications(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/notifications" in schema["paths"]
    assert "/api/v1/notifications/{id}/read" in schema["paths"]
