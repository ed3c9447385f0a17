"""The monitoring of the Comuni shows each Comune's interventions with a late milestone."""

import datetime

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from calls.programmes.models import Intervention
from dashboards.monitoring import selectors as monitoring
from tests.conftest import BARI, LECCE
from tests.helpers import body_of

from .conftest import fund


def test_a_comune_s_late_interventions_are_a_column_of_the_monitoring(client, programme, entities, region_admin):
    programme.beneficiaries.add(entities[BARI], entities[LECCE])
    late = fund(programme, BARI, "In ritardo", region_admin)
    on_time = fund(programme, LECCE, "In tempo", region_admin)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Intervention.objects.filter(pk=late.pk).update(design_planned=yesterday)
    Intervention.objects.filter(pk=on_time.pk).update(design_planned=yesterday, design_actual=yesterday)
    rows, _calls = monitoring.rows()
    by_code = {row.code: row.late_interventions for row in rows}
    assert (by_code[BARI], by_code[LECCE]) == (1, 0)
    client.force_login(region_admin)
    exported = body_of(client.get(reverse("dashboards_monitoring_export", args=["csv"]))).decode("utf-8-sig")
    with translation.override("it"):
        label = gettext("Late interventions")  # the column's header as the Italian file writes it
    assert label in exported.splitlines()[0]
