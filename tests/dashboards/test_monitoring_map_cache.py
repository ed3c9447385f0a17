"""The monitoring's map is drawn once for the same picture and then served from the shared
cache (dashboards/rendering/image_cache.py), keyed by what it draws: a change of the data that
changes a Comune's colour draws it again, one that changes nothing on the map does not.

The fixture is the monitoring's own (tests/dashboards/test_monitoring.py): Bari has a draft in
the arrears call, so it is "in progress" on the map."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from calls.models import Submission, SubmissionState
from dashboards.monitoring import map as monitoring_map
from registry.models import Role
from tests.conftest import BARI
from tests.dashboards.test_monitoring import monitored  # noqa: F401 (the fixture)
from tests.factories import member
from tests.helpers import body_of

MAP = reverse("dashboards_monitoring_map")


@pytest.fixture
def drawings(monkeypatch):
    """How many times the map was really drawn."""
    cache.clear()
    drawn = []
    real = monitoring_map.draw

    def counting(*args, **kwargs):
        drawn.append(kwargs.get("fmt"))
        return real(*args, **kwargs)

    monkeypatch.setattr(monitoring_map, "draw", counting)
    return drawn


def test_the_same_map_is_drawn_once_and_then_read_from_the_cache(client, region_admin, monitored, drawings):  # noqa: F811
    client.force_login(region_admin)
    first = body_of(client.get(MAP + "?province=BA"))
    second = body_of(client.get(MAP + "?province=BA"))
    assert first == second and first.startswith(b"\x89PNG")
    assert drawings == ["png"]
    # Another filter, another format: another picture.
    client.get(MAP + "?province=LE")
    client.get(MAP + "?province=BA&format=svg")
    assert drawings == ["png", "png", "svg"]


def test_a_data_change_that_recolours_a_comune_draws_a_new_map(client, region_admin, monitored, drawings):  # noqa: F811
    client.force_login(region_admin)
    before = body_of(client.get(MAP + "?province=BA"))
    # Bari sends its arrears list: from "in progress" to "on track".
    Submission.objects.filter(call=monitored["arrears"], comune=monitored[BARI]).update(
        state=SubmissionState.SUBMITTED, submitted_at=timezone.now()
    )
    after = body_of(client.get(MAP + "?province=BA"))
    assert after != before
    assert len(drawings) == 2


def test_a_data_change_the_map_does_not_show_serves_the_cached_map(client, region_admin, monitored, drawings):  # noqa: F811
    client.force_login(region_admin)
    before = body_of(client.get(MAP + "?province=BA"))
    member(BARI, Role.LEGAL_REPRESENTATIVE)  # a person more: a column of the table, not a colour
    assert body_of(client.get(MAP + "?province=BA")) == before
    assert len(drawings) == 1
