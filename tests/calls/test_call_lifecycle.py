"""A call's life: the transition table, the one service that moves it, the buttons the admin
offers, and the parameters locked once the Comuni have started."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from calls import call_lifecycle, services
from calls.models import Call, CallState, CallType
from registry.models import Role
from tests.calls.fixtures import make_arrears_call
from tests.conftest import BARI, REGION
from tests.factories import member
from tests.helpers import assert_refused_by_admin


@pytest.fixture
def draft(db):
    now = timezone.now()
    return make_arrears_call(
        year=2026,
        title="Fondo morosità 2026",
        legal_act="DGR n. 5 del 05/01/2026",
        opens_at=now + datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=30),
        state=CallState.DRAFT,
        fund_base=D("2000"),
        fund_premium=D("0"),
        required_attachments="",
    )


@pytest.fixture
def editor(entities):
    return member(REGION, Role.EDITOR)


def move_url(call, action):  # noqa: F811 (a call, not the fixture)
    return reverse("calls_call_move", args=[call.pk, action])


# --- the table and the service ---------------------------------------------------------


def test_the_table_leads_from_draft_to_allocated():
    table = call_lifecycle.TRANSITIONS
    assert (table["publish"].sources, table["publish"].target) == ((CallState.DRAFT,), CallState.OPEN)
    assert (table["close"].sources, table["close"].target) == ((CallState.OPEN,), CallState.CLOSED)
    assert (table["compute"].sources, table["compute"].target) == ((CallState.CLOSED,), CallState.UNDER_REVIEW)
    assert (table["allocate"].sources, table["allocate"].target) == ((CallState.UNDER_REVIEW,), CallState.ALLOCATED)
    assert table["reopen"].target == CallState.OPEN and CallState.OPEN not in table["reopen"].sources
    assert table["allocate"].permission == "calls.run_riparto" and table["close"].permission == "calls.change_call"


def test_move_call_changes_the_state_and_writes_the_audit_entry(draft, region_admin):
    call_lifecycle.move_call(draft, "publish", region_admin)
    draft.refresh_from_db()
    assert draft.state == CallState.OPEN
    entry = ModelLogEntry.objects.get(action="push.call.publish")
    assert (entry.user, entry.object_id, entry.data["from"], entry.data["to"]) == (
        region_admin,
        str(draft.pk),
        "draft",
        "open",
    )


def test_move_call_refuses_a_transition_not_in_the_table(draft, region_admin):
    with pytest.raises(ValidationError):
        call_lifecycle.move_call(draft, "close", region_admin)  # a draft is not open
    draft.refresh_from_db()
    assert draft.state == CallState.DRAFT
    assert not ModelLogEntry.objects.filter(action__startswith="push.call.").exists()


def test_move_call_refuses_whoever_the_table_does_not_allow(draft, bari_calls, editor, region_admin):
    with pytest.raises(PermissionDenied):
        call_lifecycle.move_call(draft, "publish", bari_calls)
    call_lifecycle.move_call(draft, "publish", editor)  # the Region's editors publish calls
    call_lifecycle.move_call(draft, "close", editor)
    with pytest.raises(PermissionDenied):
        call_lifecycle.move_call(draft, "compute", editor)  # the riparto is the administrators'
    draft.refresh_from_db()
    assert draft.state == CallState.CLOSED


def test_reopening_goes_through_the_table_with_a_new_deadline(call, region_admin):
    later = timezone.now() + datetime.timedelta(days=40)
    with pytest.raises(ValidationError):
        services.reopen_call(call=call, closes_at=later, by=region_admin)  # still open
    call_lifecycle.move_call(call, "close", region_admin)
    services.reopen_call(call=call, closes_at=later, by=region_admin)
    call.refresh_from_db()
    assert call.state == CallState.OPEN and call.closes_at == later
    assert ModelLogEntry.objects.filter(action="push.call.reopen").count() == 1


# --- the call's page -------------------------------------------------------------------


def test_the_call_page_offers_exactly_the_allowed_transitions(client, call, region_admin, editor):
    client.force_login(region_admin)
    inspect = reverse("calls_call_modeladmin_inspect", args=[call.pk])
    html = client.get(inspect).content.decode()
    assert move_url(call, "close") in html
    for action in ("publish", "reopen", "compute", "allocate", "archive"):
        assert move_url(call, action) not in html, action
    call_lifecycle.move_call(call, "close", region_admin)
    html = client.get(inspect).content.decode()
    assert move_url(call, "reopen") in html and move_url(call, "compute") in html
    assert move_url(call, "close") not in html
    client.force_login(editor)  # may reopen, may not compute the riparto
    html = client.get(inspect).content.decode()
    assert move_url(call, "reopen") in html and move_url(call, "compute") not in html


def test_closing_from_the_call_page_needs_the_confirmation(client, call, region_admin):
    client.force_login(region_admin)
    page = client.get(move_url(call, "close"))
    assert page.status_code == 200 and "1.500,00 €" in page.content.decode()  # the fund, in the summary
    client.post(move_url(call, "close"))
    call.refresh_from_db()
    assert call.state == CallState.OPEN
    client.post(move_url(call, "close"), {"confirm": "yes"})
    call.refresh_from_db()
    assert call.state == CallState.CLOSED


def test_a_comune_cannot_close_a_call(client, call, bari_calls):
    client.force_login(bari_calls)
    assert_refused_by_admin(client.post(move_url(call, "close"), {"confirm": "yes"}))
    call.refresh_from_db()
    assert call.state == CallState.OPEN


def test_the_riparto_is_not_computed_on_an_open_call(client, call, region_admin):
    client.force_login(region_admin)
    url = reverse("calls_riparto", args=[call.pk])
    assert 'value="compute"' not in client.get(url).content.decode()
    client.post(url, {"action": "compute"})
    call.refresh_from_db()
    assert call.riparto_computed_at is None and call.state == CallState.OPEN
    call_lifecycle.move_call(call, "close", region_admin)
    assert 'value="compute"' in client.get(url).content.decode()


# --- the generic edit form -------------------------------------------------------------------


def edit_data(call, **changes):
    data = {
        "call_type": call.call_type,
        "year": call.year,
        "title": call.title,
        "legal_act": call.legal_act,
        "opens_at": timezone.localtime(call.opens_at).strftime("%Y-%m-%d %H:%M"),
        "closes_at": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M"),
        "premium_weight": call.premium_weight,
        "required_attachments": call.required_attachments,
    }
    for name in call_lifecycle.LOCKED_PARAMETERS:
        if name not in data and name != "covid_band":
            data[name] = str(getattr(call, name)).replace(".", ",")
    data.update(changes)
    return data


def test_the_edit_form_has_no_state_and_a_forged_one_is_ignored(client, draft, region_admin):
    client.force_login(region_admin)
    url = reverse("calls_call_modeladmin_edit", args=[draft.pk])
    form = client.get(url).context["form"]
    assert "state" not in form.fields
    response = client.post(url, edit_data(draft, title="Fondo morosità 2026 (rev.)", state=CallState.ALLOCATED))
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    draft.refresh_from_db()
    assert draft.title == "Fondo morosità 2026 (rev.)" and draft.state == CallState.DRAFT


def test_a_call_with_submissions_is_read_only(client, sent, region_admin):
    live = sent.call
    client.force_login(region_admin)
    url = reverse("calls_call_modeladmin_edit", args=[live.pk])
    assert_refused_by_admin(client.get(url))
    assert_refused_by_admin(client.post(url, edit_data(live, fund_base="999999,00")))
    live.refresh_from_db()
    assert live.fund_base == D("1000")
    html = client.get(reverse("calls_call_modeladmin_inspect", args=[live.pk])).content.decode()
    assert url not in html


def test_the_model_refuses_to_change_the_parameters_once_submissions_exist(sent):
    live = Call.objects.get(pk=sent.call_id)
    live.band_a_cap = D("5000")
    with pytest.raises(ValidationError):
        live.save()
    live.refresh_from_db()
    assert live.band_a_cap == D("3098.74")
    live.title = "Fondo sostegno locazioni 2025 – testo coordinato"  # not a parameter
    live.save()


def test_a_live_calls_title_opens_its_page_not_the_edit_form(client, call, draft, region_admin):
    client.force_login(region_admin)
    html = client.get(reverse("calls_call_modeladmin_index")).content.decode()
    live_inspect = reverse("calls_call_modeladmin_inspect", args=[call.pk])
    assert f'<a href="{live_inspect}" title=' in html
    draft_edit = reverse("calls_call_modeladmin_edit", args=[draft.pk])
    assert f'<a href="{draft_edit}" title=' in html


def test_the_comune_is_preselected_for_an_officer_of_one_comune(client, call, entities, bari_calls):
    client.force_login(bari_calls)
    form = client.get(reverse("calls_submission_modeladmin_create")).context["form"]
    assert form["comune"].value() == entities[BARI].pk
    assert form["call"].value() == call.pk


def test_reopening_from_the_call_page_asks_for_the_new_deadline(client, call, region_admin):
    call_lifecycle.move_call(call, "close", region_admin)
    client.force_login(region_admin)
    page = client.get(move_url(call, "reopen")).content.decode()
    assert 'name="closes_at"' in page
    client.post(move_url(call, "reopen"), {"confirm": "yes"})  # confirmed, but no deadline
    call.refresh_from_db()
    assert call.state == CallState.CLOSED
    later = timezone.localtime() + datetime.timedelta(days=20)
    client.post(move_url(call, "reopen"), {"confirm": "yes", "closes_at": later.strftime("%Y-%m-%dT%H:%M")})
    call.refresh_from_db()
    assert call.state == CallState.OPEN
    assert timezone.localtime(call.closes_at).strftime("%d/%m/%Y %H:%M") == later.strftime("%d/%m/%Y %H:%M")


def test_a_forged_state_on_the_create_form_is_ignored(client, region_admin):
    """From the attacker's side: the create form has no state either, so a new call is a
    draft whatever the POST says, and only the table's transitions move it."""
    client.force_login(region_admin)
    url = reverse("calls_call_modeladmin_create")
    assert "state" not in client.get(url).context["form"].fields
    template = Call(
        call_type=CallType.RENT_SUPPORT,
        year=2031,
        title="Fondo sostegno locazioni 2031",
        legal_act="DGR n. 9 del 09/01/2031",
        opens_at=timezone.now() + datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    response = client.post(url, edit_data(template, state=CallState.OPEN))
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    created = Call.objects.get(year=2031)
    assert created.state == CallState.DRAFT
    assert not ModelLogEntry.objects.filter(content_type__model="call", action__startswith="push.call.").exists()


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.EDITOR, Role.REVIEWER])
def test_the_call_page_offers_each_regional_role_exactly_its_transitions(client, call, entities, role):
    person = member(REGION, role)
    client.force_login(person)
    inspect = reverse("calls_call_modeladmin_inspect", args=[call.pk])
    for state in CallState.values:
        Call.objects.filter(pk=call.pk).update(state=state)
        call.refresh_from_db()
        html = client.get(inspect).content.decode()
        offered = {action for action in call_lifecycle.TRANSITIONS if move_url(call, action) in html}
        allowed = {
            action
            for action, transition in call_lifecycle.TRANSITIONS.items()
            if state in transition.sources and person.has_perm(transition.permission)
        }
        assert offered == allowed, (role, state)


def test_a_comune_is_offered_no_transition(client, call, bari_calls):
    client.force_login(bari_calls)
    html = client.get(reverse("calls_call_modeladmin_inspect", args=[call.pk])).content.decode()
    assert not any(move_url(call, action) in html for action in call_lifecycle.TRANSITIONS)
