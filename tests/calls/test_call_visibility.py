"""Who sees which calls: a draft (its dates, bands and fund still under discussion) only the
Region's staff; everybody else, in the admin as in the API, only published calls. One rule,
calls.selectors, used by both."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import CallState
from registry.models import Role
from tests.calls.fixtures import make_arrears_call
from tests.conftest import REGION
from tests.factories import member
from tests.helpers import assert_not_found, assert_refused_by_admin

DRAFT_TITLE = "Fondo morosità 2026 – bozza riservata"
DRAFT_FUND = D("987654.32")


def arrears_call(state, title, fund, year):
    now = timezone.now()
    return make_arrears_call(
        year=year,
        title=title,
        legal_act="",
        opens_at=now + datetime.timedelta(days=30),
        closes_at=now + datetime.timedelta(days=60),
        state=state,
        fund_base=fund,
        fund_premium=D("0"),
        required_attachments="",
    )


@pytest.fixture
def calls(db):
    return {
        "draft": arrears_call(CallState.DRAFT, DRAFT_TITLE, DRAFT_FUND, 2026),
        "open": arrears_call(CallState.OPEN, "Fondo morosità 2025", D("1000"), 2025),
    }


def instance_urls(call):
    return [reverse(f"calls_call_modeladmin_{action}", args=[call.pk]) for action in ("inspect", "edit", "history")]


def test_a_comunes_officer_does_not_see_a_draft_in_the_list(client, bari_calls, calls):
    client.force_login(bari_calls)
    page = client.get(reverse("calls_call_modeladmin_index")).content.decode()
    assert "Fondo morosità 2025" in page
    assert DRAFT_TITLE not in page


def test_a_comunes_officer_cannot_open_a_draft_by_its_id(client, bari_calls, calls):
    client.force_login(bari_calls)
    for url in instance_urls(calls["draft"]):
        assert_not_found(client.get(url), leaked=(DRAFT_TITLE, "987654", "987.654"))
    assert_not_found(client.post(reverse("calls_call_action", args=[calls["draft"].pk, "reopen"])))


def test_a_comunes_officer_reads_a_published_call(client, bari_calls, calls):
    client.force_login(bari_calls)
    response = client.get(reverse("calls_call_modeladmin_inspect", args=[calls["open"].pk]))
    assert response.status_code == 200 and "Fondo morosità 2025" in response.content.decode()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMINISTRATOR, Role.REVIEWER])
def test_the_regions_staff_see_drafts(client, entities, calls, role):
    client.force_login(member(REGION, role))
    assert DRAFT_TITLE in client.get(reverse("calls_call_modeladmin_index")).content.decode()
    assert client.get(reverse("calls_call_modeladmin_inspect", args=[calls["draft"].pk])).status_code == 200
    assert client.get(reverse("calls_call_modeladmin_history", args=[calls["draft"].pk])).status_code == 200


def test_the_admin_and_the_api_show_a_comune_the_same_calls(client, bari_calls, calls):
    from calls.selectors import calls_visible_to, published_calls

    client.force_login(bari_calls)
    listed = client.get(reverse("calls_call_modeladmin_index")).context["object_list"]
    api = client.get("/api/v1/calls")
    assert api.status_code == 200, api.content
    api_ids = {row["id"] for row in api.json()["results"]}
    assert {call.pk for call in listed} == api_ids == {calls["open"].pk}
    assert set(calls_visible_to(bari_calls)) == set(published_calls())


def test_an_arca_officer_without_calls_permissions_gets_no_call_screen(client, arca_officer, calls):
    """/admin/calls/call/history/<pk>/ answered 200 to anyone who could enter the admin."""
    client.force_login(arca_officer)
    assert_refused_by_admin(client.get(reverse("calls_call_modeladmin_index")))
    for url in instance_urls(calls["open"]):
        assert_refused_by_admin(client.get(url), leaked=("Fondo morosità 2025",))
    for url in instance_urls(calls["draft"]):
        assert_not_found(client.get(url), leaked=(DRAFT_TITLE,))
