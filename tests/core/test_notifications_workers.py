"""Two workers never send the same e-mail: each due delivery is taken under its row lock with
SKIP LOCKED (PostgreSQL; SQLite serialises its writers and has no row locks)."""

import os
import threading

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from core.notifications.models import Delivery, DeliveryState
from core.notifications.services import send_due

# serialized_rollback: the flush after each test keeps what the migrations made (sites, pages,
# role groups) for the tests after it, as the project's other transactional tests do.
pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks with SKIP LOCKED are PostgreSQL's",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def queue(count):
    return [
        Delivery.objects.create(
            to_address=f"persona{n}@comune.example.it", kind="digest", context={"notification_ids": []}
        )
        for n in range(count)
    ]


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED are PostgreSQL's")


def test_a_delivery_another_worker_holds_is_skipped_not_waited_for_nor_sent_twice(postgresql):
    [delivery] = queue(1)
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                Delivery.objects.select_for_update().get(pk=delivery.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=other_worker)
    holder.start()
    assert locked.wait(10)
    report = send_due()
    release.set()
    holder.join()
    assert report.sent == 0 and mail.outbox == []  # skipped at once, not waited for

    assert send_due().sent == 1
    assert send_due().sent == 0
    assert len(mail.outbox) == 1


def test_two_workers_at_once_send_every_e_mail_exactly_once(postgresql):
    queue(30)
    reports = []

    def worker():
        try:
            reports.append(send_due())
        finally:
            connections.close_all()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert sum(report.sent for report in reports) == 30
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        f"persona{n}@comune.example.it" for n in range(30)
    )
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 30
