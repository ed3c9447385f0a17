"""Writing notifications costs a fixed number of queries whatever the number of people: the
accounts, the keys already used, the preferences and the languages are read once, the
notifications and their e-mails written by one insert each. A circular to every entity of
Puglia is one call, not hundreds of queries per person."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.users.models import UserProfile

from core.notifications import message, notify, notify_each
from core.notifications.models import Delivery, DeliveryMode, Notification, NotificationPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KIND = "circular_sent"  # a kind people may choose a digest for


def people(count: int) -> list:
    """`count` people: every third wants a digest, every fifth no e-mail, every fourth English."""
    users = [UserFactory(email=f"persona{index}@comune.example.it") for index in range(count)]
    for index, user in enumerate(users):
        if index % 3 == 1:
            NotificationPreference.objects.create(user=user, kind=KIND, email=True, mode=DeliveryMode.DIGEST)
        elif index % 5 == 2:
            NotificationPreference.objects.create(user=user, kind=KIND, email=False)
        if index % 4 == 3:
            UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    return users


def queries_of(write) -> int:
    with CaptureQueriesContext(connection) as captured:
        write()
    return len(captured)


def context(index=0) -> dict:
    return {"title": f"Circolare {index}", "protocol": "PUSH/2026/000001", "reply_by": "", "entity": "Bari"}


@pytest.mark.parametrize("dedupe", ["", "circular:1:sent"])
def test_notifying_5_or_50_people_costs_the_same_queries(dedupe, django_capture_on_commit_callbacks):
    few, many = people(5), people(50)
    counts = [
        queries_of(
            lambda group=group: notify(kind=KIND, recipients=group, context=context(), url="/admin/", dedupe_key=dedupe)
        )
        for group in (few, many)
    ]
    assert counts[0] == counts[1], counts
    assert counts[0] <= 10
    assert Notification.objects.count() == 55


def test_one_message_per_entity_for_50_entities_costs_what_5_cost(django_capture_on_commit_callbacks):
    """The circular's sending: each entity's people with the entity's own context and key."""
    everyone = people(100)
    few = [message(recipients=everyone[i : i + 2], context=context(i), dedupe_key=f"e{i}") for i in range(0, 10, 2)]
    many = [message(recipients=everyone[i : i + 2], context=context(i), dedupe_key=f"e{i}") for i in range(10, 100, 2)]
    assert queries_of(lambda: notify_each(kind=KIND, messages=few)) == queries_of(
        lambda: notify_each(kind=KIND, messages=many)
    )
    assert Notification.objects.get(recipient=everyone[40]).context["title"] == "Circolare 40"


def test_each_person_gets_what_their_preferences_and_language_say(django_capture_on_commit_callbacks):
    group = people(15)
    assert notify(kind=KIND, recipients=group, context=context(), url="/admin/x/", dedupe_key="") == 15
    for index, user in enumerate(group):
        notification = Notification.objects.get(recipient=user)
        delivery = Delivery.objects.filter(recipient=user).first()
        if index % 3 == 1:
            assert notification.digest_pending and delivery is None, index
        elif index % 5 == 2:
            assert not notification.digest_pending and delivery is None, index
        else:
            assert delivery.notification == notification and delivery.to_address == user.email, index
            assert delivery.language == ("en" if index % 4 == 3 else "it"), index
            assert delivery.url == "/admin/x/" and delivery.context == notification.context


def test_a_key_already_used_and_a_person_named_twice_are_notified_once(django_capture_on_commit_callbacks):
    first, second = people(2)
    assert notify(kind=KIND, recipients=[first], context=context(), url="", dedupe_key="k") == 1
    assert notify(kind=KIND, recipients=[first, second, second.pk], context=context(), url="", dedupe_key="k") == 1
    assert Notification.objects.filter(dedupe_key="k").count() == 2


def test_inactive_accounts_and_people_without_an_address_get_no_e_mail(django_capture_on_commit_callbacks):
    gone = UserFactory(email="ex@comune.example.it", is_active=False)
    silent = UserFactory(email="")
    assert notify(kind=KIND, recipients=[gone, silent], context=context(), url="", dedupe_key="") == 1
    assert Notification.objects.get().recipient == silent
    assert not Delivery.objects.exists()


def test_a_concurrent_writer_of_the_same_key_wins_quietly_and_the_others_are_written(
    monkeypatch, django_capture_on_commit_callbacks
):
    """Between reading the keys already used and writing, another process notified one of the
    people under the same key: the batch falls back to one by one and skips only that one."""
    from core.notifications import services

    first, second, _no_mail, third = people(4)  # the first and the third want e-mail at once
    real = services._preferences

    def raced(users, kind):
        Notification.objects.create(recipient=second, kind=KIND, dedupe_key="k")  # the other process
        return real(users, kind)

    monkeypatch.setattr(services, "_preferences", raced)
    assert notify(kind=KIND, recipients=[first, second, third], context=context(), url="", dedupe_key="k") == 2
    assert Notification.objects.filter(dedupe_key="k").count() == 3
    assert set(Delivery.objects.values_list("recipient_id", flat=True)) == {first.pk, third.pk}
