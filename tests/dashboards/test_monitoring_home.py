"""The monitoring's panels on the admin home, read through the real home page: the Region's
staff see the summary (each figure a link to the screen with its filter set), an entity's
people their own entity's standing only; each in a bounded number of queries.

The fixture is test_monitoring.py's (Bari on time in the rent call with a draft in the
arrears call and a current register of 4 units, 1 incomplete; Lecce late with a stale
register; Altamura a draft; Bari and Lecce accredited)."""

import html as html_module
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from dashboards.monitoring.selectors import CALL_STATUS_LABELS
from registry.models import Area, Role
from tests.conftest import ARCA_SUD_SALENTO, BARI, REGION
from tests.factories import member

from . import test_monitoring
from .conftest import write_units
from .test_monitoring import COMPLETE, names

monitored = test_monitoring.monitored  # the fixture

# Wagtail's home with every app's panels, the monitoring's included: measured (administrator 26,
# reviewer 25, editor 22, Comune 24, ARCA 23) with a margin of two, so that a panel querying
# per Comune or per call fails here (257 Comuni, two open calls).
MAX_QUERIES = {"regional": 28, "comune": 26, "arca": 25}


def home(client, user, django_assert_max_num_queries, limit) -> str:
    client.force_login(user)
    client.get("/admin/")  # warm the per-process caches (menus, content types)
    with django_assert_max_num_queries(limit):
        response = client.get("/admin/")
    assert response.status_code == 200
    return html_module.unescape(response.content.decode())


def panel(html: str, name: str) -> str:
    """The panel's section of the home page."""
    start = html.index(f'id="{name}-section"')
    return html[start : html.index("</section>", start)]


def link(**filters) -> str:
    return f'<a href="{reverse("dashboards_monitoring")}?{urlencode(filters)}">'


def linked_count(html: str, **filters) -> int:
    """The number written in the link to the screen with these filters (wherever the
    language puts it in the sentence)."""
    start = html.index(link(**filters)) + len(link(**filters))
    text = html[start : html.index("</a>", start)]
    [number] = re.findall(r"\d[\d.]*", text)
    return int(number.replace(".", ""))


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMINISTRATOR, Role.EDITOR])
def test_the_regions_staff_see_the_summary_linking_to_the_filtered_screen(
    client, monitored, role, django_assert_max_num_queries
):
    html = panel(
        home(client, member(REGION, role), django_assert_max_num_queries, MAX_QUERIES["regional"]), "push-monitoring"
    )
    assert linked_count(html, accreditation="accredited") == 2
    assert linked_count(html, accreditation="not_accredited") == 255
    assert linked_count(html, register="stale") == 1
    rent, arrears = monitored["rent"].pk, monitored["arrears"].pk
    assert linked_count(html, call=rent, call_state="submitted") == 1
    assert linked_count(html, call=rent, call_state="late") == 1
    assert linked_count(html, call=rent, call_state="not_sent") == 255  # Altamura's draft and 254 with nothing
    assert linked_count(html, call=arrears, call_state="submitted") == 0
    assert linked_count(html, call=arrears, call_state="not_sent") == 257
    assert link(behind="1") in html
    assert monitored["old"].title not in html  # last year's call is closed


def test_each_summary_link_leads_to_as_many_comuni_as_it_says(client, region_admin, monitored):
    client.force_login(region_admin)

    rent = monitored["rent"].pk
    for filters, count in (
        ({"accreditation": "accredited"}, 2),
        ({"register": "stale"}, 1),
        ({"call": rent, "call_state": "late"}, 1),
        ({"call": rent, "call_state": "not_sent"}, 255),
    ):
        response = client.get(reverse("dashboards_monitoring") + "?" + urlencode(filters))
        assert len(names(response)) == count, filters


def test_a_comune_officer_sees_its_own_register_and_submissions_only(client, monitored, django_assert_max_num_queries):
    officer = member(BARI, Role.OFFICER, Area.CALLS)
    html = home(client, officer, django_assert_max_num_queries, MAX_QUERIES["comune"])
    own = panel(html, "push-monitoring-own")
    assert "Bari" in own
    assert "4 " in own and "75,0" in own and timezone.localdate().strftime("%d/%m/%Y") in own
    assert f"{monitored['rent'].title}: {CALL_STATUS_LABELS['submitted']}" in own
    assert f"{monitored['arrears'].title}: {CALL_STATUS_LABELS['draft']}" in own
    for other in ("Lecce", "Altamura", "Gallipoli", "100,0"):
        assert other not in html, other
    assert reverse("dashboards_monitoring") not in html
    assert 'id="push-monitoring-section"' not in html


def test_an_arca_officer_sees_its_own_register_without_the_comunes_calls(
    client, monitored, django_assert_max_num_queries
):
    write_units(ARCA_SUD_SALENTO, [("075035", "let", 5)], **COMPLETE)
    officer = member(ARCA_SUD_SALENTO, Role.OFFICER, Area.PROPERTY_REGISTER)
    html = home(client, officer, django_assert_max_num_queries, MAX_QUERIES["arca"])
    own = panel(html, "push-monitoring-own")
    assert "ARCA Sud Salento" in own and "5 " in own and "100,0" in own
    assert monitored["rent"].title not in own
    assert "Bari" not in html and "75,0" not in html
