"""The sale plans' notifications: written with the plan's action, to the other side, and each
kind's e-mail renders in both languages from its templates."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.sales import notifications, services
from core.notifications.kinds import all_kinds
from core.notifications.models import Notification
from core.notifications.services import render

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [kind.key for kind in notifications.KINDS])
def test_every_kind_renders_in_both_languages(kind, salento, salento_officer, reviewer, make_plan):
    plan = make_plan(salento, salento_officer, units=1, title="Piano-Lecce-2026")
    services.send(plan=plan, by=salento_officer)
    services.request_integration(
        plan=plan, message="Allegare le perizie", deadline=timezone.now() + datetime.timedelta(days=3), by=reviewer
    )
    plan.refresh_from_db()
    plan.decision_reason = "Motivo"
    plan.save(update_fields=["decision_reason"])
    assert kind in all_kinds()
    url = reverse("sales_plan", args=[plan.pk])
    for language in ("it", "en"):
        rendered = render(kind, {"plan": plan.pk, "protocol": plan.protocol_number}, url, language)
        assert "Piano-Lecce-2026" in rendered.subject or plan.protocol_number in rendered.subject
        assert url in rendered.text and url in rendered.html and "<html" in rendered.html


def test_each_step_tells_the_other_side_and_never_the_one_who_acted(
    salento, salento_officer, reviewer, region_admin, make_plan
):
    plan = make_plan(salento, salento_officer, units=1)
    services.send(plan=plan, by=salento_officer)
    sent = Notification.objects.filter(kind=notifications.SENT)
    assert {item.recipient_id for item in sent} == {reviewer.pk, region_admin.pk}
    services.approve(plan=plan, by=reviewer)
    approved = Notification.objects.filter(kind=notifications.APPROVED)
    assert [item.recipient_id for item in approved] == [salento_officer.pk]
    assert approved[0].url == reverse("sales_plan", args=[plan.pk])
