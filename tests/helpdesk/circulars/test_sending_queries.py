"""Sending a circular costs a fixed number of queries whatever the number of recipient
entities: their people are read in one query and told in one batch (core.notifications'
notify_each), never a few queries per entity and per person."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.notifications.models import Delivery, Notification
from helpdesk.circulars import services
from helpdesk.circulars.models import Audience, Circular
from registry.models import Area, Entity, EntityKind, Role
from tests.factories import member

from .conftest import send

pytestmark = pytest.mark.django_db


@pytest.fixture
def comuni(entities):
    """50 Comuni, each with a calls officer and (every tenth) a legal representative: 55 people,
    whose notifications and e-mails SQLite inserts in one statement each (PostgreSQL takes
    thousands; SQLite splits a bulk insert at its limit of parameters, some 60 e-mails)."""
    found = list(Entity.objects.filter(kind=EntityKind.COMUNE).order_by("code")[:50])
    for index, comune in enumerate(found):
        member(comune, Role.OFFICER, Area.CALLS, email=f"bandi{index}@comune.example.it")
        if index % 10 == 0:
            member(comune, Role.LEGAL_REPRESENTATIVE, email=f"sindaco{index}@comune.example.it")
    return found


def sending_queries(region_admin, chosen, subject) -> int:
    draft = services.create_draft(
        by=region_admin, subject=subject, body="<p>Testo.</p>", audience_kind=Audience.LIST, chosen=chosen
    )
    with CaptureQueriesContext(connection) as captured:
        services.send(circular=draft, by=region_admin)
    return len(captured)


def test_sending_to_5_or_to_50_entities_costs_the_same_queries(
    region_admin, comuni, django_capture_on_commit_callbacks
):
    sending_queries(region_admin, comuni[:1], "La prima dell’anno")  # opens the year's protocol register
    few = sending_queries(region_admin, comuni[:5], "Ai primi cinque")
    many = sending_queries(region_admin, comuni, "A tutti e cinquanta")
    assert few == many
    # Everyone of the 50 Comuni is told, with their own Comune's name, and e-mailed.
    circular = Circular.objects.get(subject="A tutti e cinquanta")
    told = Notification.objects.filter(dedupe_key__startswith=f"circular:{circular.pk}:sent:")
    assert told.count() == 55
    assert Delivery.objects.filter(notification__in=told).count() == 55
    some = comuni[7]
    assert {notification.context["entity"] for notification in told.filter(dedupe_key__endswith=f":{some.pk}")} == {
        some.display_name
    }


def test_a_circular_to_every_entity_of_puglia_is_a_bounded_number_of_queries(
    region_admin, comuni, django_capture_on_commit_callbacks
):
    draft = services.create_draft(by=region_admin, subject="A tutti", body="<p>Testo.</p>", audience_kind=Audience.ALL)
    with CaptureQueriesContext(connection) as captured:
        circular = services.send(circular=draft, by=region_admin)
    assert circular.recipients.count() == Entity.objects.exclude(kind=EntityKind.REGION).count() > 250
    assert len(captured) <= 40, len(captured)


def test_the_unread_reminder_costs_the_same_for_5_or_50_entities(
    region_admin, comuni, django_capture_on_commit_callbacks
):
    counts = []
    send(region_admin, subject="La prima dell’anno", chosen=comuni[:1])  # opens the year's protocol register
    for chosen in (comuni[:5], comuni):
        circular = send(region_admin, subject=f"Da ricordare a {len(chosen)}", chosen=chosen)
        with CaptureQueriesContext(connection) as captured:
            assert services.remind_unread(circular=circular, by=region_admin) == len(chosen)
        counts.append(len(captured))

    assert counts[0] == counts[1], counts
