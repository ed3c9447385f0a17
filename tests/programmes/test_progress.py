"""The Region's view of a programme: committed, spent, late milestones and stale
interventions, hand-counted; the exports, audited; the notifications they feed, once."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from calls.programmes import notifications, selectors
from calls.programmes.models import Intervention, InterventionState
from core.notifications.models import Notification
from core.notifications.services import render
from tests.conftest import ARCA_PUGLIA_CENTRALE, ARCA_SUD_SALENTO
from tests.helpers import body_of

from .conftest import fund

DAY = datetime.timedelta(days=1)


@pytest.fixture
def scene(programme, region_admin, salento_intervention, centrale_intervention):
    """Four interventions: Salento's late on its design (planned last week), Centrale's on
    time, a third of Salento's late by the programme's tender deadline and not updated for
    40 days, a fourth revoked (late and old, but counted nowhere)."""
    today = timezone.localdate()
    Intervention.objects.filter(pk=salento_intervention.pk).update(
        design_planned=today - 7 * DAY, amount_paid=Decimal("100000.00"), co_financing=Decimal("5000.00")
    )
    Intervention.objects.filter(pk=centrale_intervention.pk).update(
        design_planned=today - 7 * DAY, design_actual=today - 8 * DAY, amount_paid=Decimal("2500.50")
    )
    programme.tender_deadline = today - DAY
    programme.stale_after_days = 30
    programme.save()
    third = fund(programme, ARCA_SUD_SALENTO, "Terzo", region_admin, funded_amount=Decimal("300000.00"))
    Intervention.objects.filter(pk=third.pk).update(
        design_actual=today - 100 * DAY, last_update=timezone.now() - 40 * DAY, state=InterventionState.TENDER
    )
    revoked = fund(programme, ARCA_PUGLIA_CENTRALE, "Revocato", region_admin, funded_amount=Decimal("777.00"))
    Intervention.objects.filter(pk=revoked.pk).update(
        design_planned=today - 50 * DAY, last_update=timezone.now() - 400 * DAY, state=InterventionState.REVOKED
    )
    return {"salento": salento_intervention, "centrale": centrale_intervention, "third": third, "revoked": revoked}


def test_the_progress_is_hand_counted(scene, programme):
    [row] = selectors.programme_progress([programme])
    # Funded: 1.000.000 + 1.000.000 + 300.000 (the revoked one is not committed).
    assert row.committed == Decimal("2300000.00")
    assert row.spent == Decimal("102500.50")
    assert row.co_financing == Decimal("5000.00")
    assert row.interventions == 3
    # Salento (design due last week), the third (tender due by the programme's deadline
    # yesterday). Centrale's tender is due by the same deadline: late too.
    assert row.late == 3
    assert row.stale == 1


def test_the_stale_threshold_is_the_programme_s_or_the_setting(scene, programme, settings):
    programme.stale_after_days = None
    programme.save()
    settings.PUSH_PROGRAMMES_STALE_DAYS = 41
    assert selectors.programme_progress([programme])[0].stale == 0
    settings.PUSH_PROGRAMMES_STALE_DAYS = 39
    assert selectors.programme_progress([programme])[0].stale == 1


def test_the_region_reads_the_progress_and_exports_it_audited(client, region_admin, scene, programme):
    client.force_login(region_admin)
    page = client.get(reverse("programmes_progress"))
    assert page.status_code == 200
    assert programme.title in page.content.decode()
    response = client.get(reverse("programmes_programme_progress_export", args=[programme.pk, "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(body_of(response).decode("utf-8-sig")), delimiter=";"))
    by_title = {row[1]: row for row in rows[1:]}
    assert by_title["Terzo"][-3:-1] == ["sì", "sì"]
    assert by_title["Revocato"][-3:-1] == ["no", "no"]
    entry = ModelLogEntry.objects.filter(action="push.export").latest("timestamp")
    assert entry.data["list"] == "programmes.programme_progress" and entry.data["rows"] == 4


def test_the_programme_screen_s_queries_do_not_grow_with_its_interventions(client, region_admin, scene, programme):
    client.force_login(region_admin)
    url = reverse("programmes_programme_progress", args=[programme.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(5):
        fund(programme, ARCA_SUD_SALENTO, f"Altro {number}", region_admin)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)


def test_late_and_stale_interventions_are_notified_once(scene, arca_officer, centrale_officer):
    now = timezone.now()
    written = notifications.deadline_reminders(now)
    salento = Notification.objects.filter(recipient=arca_officer)
    assert sorted(salento.values_list("kind", "context__intervention_id")) == sorted(
        [
            ("intervention_late", scene["salento"].pk),  # design
            ("intervention_late", scene["salento"].pk),  # tender, by the programme's deadline
            ("intervention_late", scene["third"].pk),  # tender
            ("intervention_stale", scene["third"].pk),
        ]
    )
    assert Notification.objects.filter(recipient=centrale_officer, kind="intervention_late").count() == 1
    assert written == Notification.objects.count()
    assert notifications.deadline_reminders(now) == 0
    for notification in salento:
        rendered = render(notification.kind, notification.context, notification.url, "it")
        title = Intervention.objects.get(pk=notification.context["intervention_id"]).title
        assert title in rendered.subject and title in rendered.text and title in rendered.html


def test_the_monitoring_counts_late_interventions_per_entity(scene, entities):
    counts = selectors.late_interventions_by_entity()
    assert counts == {entities[ARCA_SUD_SALENTO].pk: 2, entities[ARCA_PUGLIA_CENTRALE].pk: 1}
