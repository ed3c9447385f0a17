"""Two of an entity's people open a circular at the same moment, each the first to their
knowledge: one acknowledgement is recorded (the unique key settles it), with one of them as
reader, and neither gets an error. PostgreSQL only: SQLite serialises the writers."""

import threading

import pytest
from django.conf import settings
from django.db import connections

from helpdesk.circulars import services
from helpdesk.circulars.models import Acknowledgement, Audience, Recipient
from registry.models import Area, Entity, Role
from registry.seeding import load_reference_entities
from tests.conftest import BARI, REGION
from tests.factories import member


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="concurrent writers need PostgreSQL (SQLite serialises them)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_readers_at_once_record_one_acknowledgement(monkeypatch):
    load_reference_entities()
    admin = member(REGION, Role.ADMINISTRATOR)
    readers = [member(BARI, Role.OFFICER, Area.HELPDESK) for _ in range(2)]
    draft = services.create_draft(
        by=admin,
        subject="Concorrenza",
        body="<p>x</p>",
        audience_kind=Audience.LIST,
        chosen=[Entity.objects.get(code=BARI)],
    )
    circular = services.send(circular=draft, by=admin)
    recipient_pk = circular.recipients.get().pk

    # Both pass the "already read?" look before either writes.
    barrier = threading.Barrier(2)
    real_create = Acknowledgement.objects.create

    def create_after_both_looked(**fields):
        barrier.wait(timeout=10)
        return real_create(**fields)

    monkeypatch.setattr(Acknowledgement.objects, "create", create_after_both_looked)
    outcomes, errors = [], []

    def read(user):
        try:
            recipient = Recipient.objects.select_related("circular", "entity").get(pk=recipient_pk)
            outcomes.append((user.pk, services.acknowledge(recipient=recipient, by=user)))
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read, args=(user,)) for user in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(recorded for _pk, recorded in outcomes) == [False, True]
    winner = next(pk for pk, recorded in outcomes if recorded)
    assert Acknowledgement.objects.get().read_by_id == winner
