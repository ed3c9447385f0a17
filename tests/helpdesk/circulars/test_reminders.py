"""Reminders (issue 12): the Region reminds the entities that have not read a circular, after
a confirmation, at most once a day; before a reply-by date the entities that have not replied
are reminded 7, 3 and 1 days before, once per threshold, never on the date or after."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.circulars import notifications, services
from helpdesk.circulars.models import Reminder, ReminderKind
from registry.models import Role
from tests.conftest import BARI, LECCE
from tests.factories import member
from tests.helpdesk.circulars.conftest import said, send

ROME = timezone.get_fixed_timezone(60)  # Europe/Rome in winter


@pytest.fixture
def told(monkeypatch):
    """What the circulars hand to the notification service: (kind, user ids, dedupe key)."""
    calls = []

    def notify(*, kind, recipients, context, url, dedupe_key):
        calls.append((kind, sorted(getattr(user, "pk", user) for user in recipients), dedupe_key))
        return len(recipients)

    def notify_each(*, kind, messages, attachments=()):
        # One message per entity, in one batch; recorded as one call each, as `notify` would be.
        for message in messages:
            notify(
                kind=kind,
                recipients=message.recipients,
                context=message.context,
                url=message.url,
                dedupe_key=message.dedupe_key,
            )
        return sum(len(message.recipients) for message in messages)

    monkeypatch.setattr(services, "notify", notify)
    monkeypatch.setattr(services, "notify_each", notify_each)
    return calls


def test_the_region_reminds_non_readers_once_a_day(client, region_admin, to_bari_and_lecce, bari_officer, told):
    lecce_mayor = member(LECCE, Role.LEGAL_REPRESENTATIVE)
    client.force_login(bari_officer)
    client.get(reverse("circulars_open", args=[to_bari_and_lecce.pk]))
    told.clear()
    client.force_login(region_admin)
    url = reverse("circulars_remind", args=[to_bari_and_lecce.pk])
    page = client.get(url).content.decode()
    assert 'id="circular-unread">1 ' in page
    client.post(url, {})  # not confirmed: nothing
    assert told == [] and not Reminder.objects.exists()

    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert told == [
        (
            "circular_unread_reminder",
            [lecce_mayor.pk],
            f"circular:{to_bari_and_lecce.pk}:unread:{timezone.localdate().isoformat()}:{to_bari_and_lecce.recipients.get(entity__code=LECCE).entity_id}",
        )
    ]
    # A second reminder the same day is refused, and the page says why.
    again = client.post(url, {"confirm": "yes"}, follow=True)
    assert said("A reminder was already sent today: the entities can be reminded again tomorrow.") in (
        again.content.decode()
    )
    assert len(told) == 1 and Reminder.objects.count() == 1


def _at(day: datetime.date, hour=9):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ROME)


def test_reply_by_reminders_go_once_per_threshold_and_never_after(
    region_admin, entities, bari_officer, lecce_legal_rep, clock, told
):
    today = timezone.localdate()
    reply_by = today + datetime.timedelta(days=12)
    circular = send(region_admin, chosen=[entities[BARI], entities[LECCE]], reply_by=reply_by)
    services.reply(recipient=circular.recipients.get(entity__code=BARI), by=bari_officer, text="Fatto.")
    told.clear()
    lecce = entities[LECCE].pk

    def run(days_before, hour=9):
        moment = _at(reply_by - datetime.timedelta(days=days_before), hour)
        clock(moment)
        return notifications.deadline_reminders(moment)

    assert run(8) == 0  # too early
    assert run(7) == 1  # Lecce only: Bari replied
    assert told == [("circular_reply_due", [lecce_legal_rep.pk], f"circular:{circular.pk}:deadline_7:{lecce}")]
    assert run(7, hour=18) == 0 and run(5) == 0 and run(4) == 0  # once per threshold
    assert run(3) == 1 and run(2) == 0
    assert run(1) == 1 and run(1, hour=23) == 0
    assert run(0) == 0 and run(-1) == 0  # never on the date or after
    assert [kind for kind, _people, _key in told] == ["circular_reply_due"] * 3
    assert list(Reminder.objects.values_list("kind", flat=True)) == [
        ReminderKind.DEADLINE_7,
        ReminderKind.DEADLINE_3,
        ReminderKind.DEADLINE_1,
    ]


def test_a_missed_threshold_is_folded_into_the_next(region_admin, entities, lecce_legal_rep, clock, told):
    reply_by = timezone.localdate() + datetime.timedelta(days=12)
    circular = send(region_admin, chosen=[entities[LECCE]], reply_by=reply_by)
    told.clear()
    moment = _at(reply_by - datetime.timedelta(days=2))  # the job did not run on days 7 and 3
    clock(moment)
    assert notifications.deadline_reminders(moment) == 1
    assert Reminder.objects.get(circular=circular).kind == ReminderKind.DEADLINE_3
    assert notifications.deadline_reminders(moment) == 0


def test_circulars_without_a_reply_date_are_not_reminded(region_admin, entities, clock, told):
    send(region_admin, chosen=[entities[LECCE]])
    told.clear()
    for days in range(0, 10):
        moment = _at(timezone.localdate() + datetime.timedelta(days=days))
        assert notifications.deadline_reminders(moment) == 0
    assert told == []


def test_the_thresholds():
    reply_by = datetime.date(2026, 12, 20)
    due = {days: services.due_threshold(reply_by, reply_by - datetime.timedelta(days=days)) for days in range(-1, 10)}
    assert {days: (value[0] if value else None) for days, value in due.items()} == {
        -1: None,
        0: None,
        1: 1,
        2: 3,
        3: 3,
        4: 7,
        5: 7,
        6: 7,
        7: 7,
        8: None,
        9: None,
    }
