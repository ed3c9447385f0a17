"""Deadline reminders (manage.py send_deadline_reminders, meant for cron): the accredited
Comuni that have not sent their submission to an open call are reminded 7, 3 and 1 days
before their own deadline, once per threshold, never from the deadline on. Time is set with
the `clock` fixture (every timezone.now() reads it)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from calls.models import CallState, DeadlineExtension, Submission, SubmissionState
from core.notifications.models import Notification
from registry.models import AccreditationState, Area, Entity, Role
from tests.calls.fixtures import make_call
from tests.conftest import BARI, LECCE
from tests.factories import member

ROME = ZoneInfo("Europe/Rome")
# From today on: memberships count from the day they are made.
START = datetime.datetime.combine(datetime.date.today() + datetime.timedelta(days=1), datetime.time(9, 0), tzinfo=ROME)
CLOSES = (START + datetime.timedelta(days=10)).replace(hour=12)
MOLFETTA = "072029"


def hours(n):
    return datetime.timedelta(hours=n)


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture
def setting(entities, clock, bari_calls, lecce_calls, region_admin):
    """An open call closing in ten days at 12:00; Bari (accredited) has sent, Lecce
    (accredited) has a draft, Molfetta (not accredited) nothing."""
    clock(START)
    call = make_call(opens_at=START - days(1), closes_at=CLOSES)
    Entity.objects.filter(code__in=[BARI, LECCE]).update(accreditation_state=AccreditationState.ACCREDITED)
    Submission.objects.create(
        call=call, comune=entities[BARI], state=SubmissionState.SUBMITTED, submitted_at=START, protocol_number="P/1"
    )
    Submission.objects.create(call=call, comune=entities[LECCE])
    molfetta = Entity.objects.get(code=MOLFETTA)
    molfetta_calls = member(molfetta, Role.OFFICER, Area.CALLS)
    return {"call": call, "bari": bari_calls, "lecce": lecce_calls, "molfetta": molfetta_calls, "clock": clock}


def run_at(setting, moment):
    setting["clock"](moment)
    call_command("send_deadline_reminders")


def reminders_of(user):
    return list(
        Notification.objects.filter(recipient=user, kind="deadline_reminder")
        .order_by("created_at", "pk")
        .values_list("context__days", flat=True)
    )


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def test_only_accredited_comuni_that_have_not_sent_are_reminded(setting):
    run_at(setting, CLOSES - days(7) + hours(1))

    assert reminders_of(setting["lecce"]) == [7]
    assert len(mails_to(setting["lecce"])) == 1
    assert reminders_of(setting["bari"]) == [] and mails_to(setting["bari"]) == []  # it has sent
    assert reminders_of(setting["molfetta"]) == [] and mails_to(setting["molfetta"]) == []  # not accredited


def test_nothing_more_than_seven_days_before(setting):
    run_at(setting, CLOSES - days(7) - hours(1))
    assert Notification.objects.filter(kind="deadline_reminder").count() == 0
    assert mail.outbox == []


def test_each_threshold_is_reminded_once_however_often_cron_runs(setting):
    lecce = setting["lecce"]
    for moment in (
        CLOSES - days(7) + hours(1),
        CLOSES - days(7) + hours(2),
        CLOSES - days(5),
        CLOSES - days(3) + hours(1),
        CLOSES - days(3) + hours(5),
        CLOSES - days(2),
        CLOSES - days(1) + hours(1),
        CLOSES - hours(1),
    ):
        run_at(setting, moment)
    assert reminders_of(lecce) == [7, 3, 1]
    assert len(mails_to(lecce)) == 3


def test_never_from_the_deadline_on(setting):
    for moment in (CLOSES, CLOSES + hours(1), CLOSES + days(3)):
        run_at(setting, moment)
    assert Notification.objects.filter(kind="deadline_reminder").count() == 0
    assert mail.outbox == []


def test_a_run_that_missed_thresholds_sends_only_the_nearest(setting):
    run_at(setting, CLOSES - hours(20))
    assert reminders_of(setting["lecce"]) == [1]


def test_a_comune_with_an_extension_is_reminded_of_its_own_deadline(setting, region_admin):
    extended = CLOSES + days(5)
    DeadlineExtension.objects.create(
        call=setting["call"],
        comune=Entity.objects.get(code=LECCE),
        closes_at=extended,
        reason="Alluvione",
        granted_by=region_admin,
    )
    run_at(setting, CLOSES - days(1) + hours(1))  # one day before the call's deadline, six before Lecce's
    assert reminders_of(setting["lecce"]) == [7]
    run_at(setting, extended - days(1) + hours(1))  # after the call's deadline, one day before Lecce's
    assert reminders_of(setting["lecce"]) == [7, 1]
    run_at(setting, extended + hours(1))
    assert reminders_of(setting["lecce"]) == [7, 1]


def test_a_comune_that_sends_is_not_reminded_again(setting):
    run_at(setting, CLOSES - days(7) + hours(1))
    Submission.objects.filter(comune__code=LECCE).update(state=SubmissionState.SUBMITTED, submitted_at=CLOSES - days(4))
    run_at(setting, CLOSES - days(3) + hours(1))
    assert reminders_of(setting["lecce"]) == [7]


def test_a_closed_call_reminds_nobody(setting):
    type(setting["call"]).objects.filter(pk=setting["call"].pk).update(state=CallState.CLOSED)
    run_at(setting, CLOSES - days(1) + hours(1))
    assert Notification.objects.filter(kind="deadline_reminder").count() == 0


def test_the_reminder_is_an_italian_multipart_e_mail_with_the_deadline(setting):
    run_at(setting, CLOSES - days(3) + hours(1))
    [message] = mails_to(setting["lecce"])
    deadline = CLOSES.strftime("%d/%m/%Y %H:%M")
    assert deadline in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and deadline in html and 'lang="it"' in html
    assert "Fondo sostegno locazioni 2025" in message.subject
